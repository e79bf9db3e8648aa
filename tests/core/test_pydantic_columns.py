"""A pydantic model as `columns`: columns, implied contract, validation in extract."""

from __future__ import annotations

from typing import ClassVar, List, Optional

import pytest

import dlt
from dlt.common.libs.pydantic import DltConfig
from dlt.normalize import DataValidationError
from dlt.pipeline.exceptions import PipelineStepFailed
from core_helpers import rows_of

pydantic = pytest.importorskip("pydantic")


class Address(pydantic.BaseModel):
    city: str


class Person(pydantic.BaseModel):
    id: int
    name: str
    tags: List[str]
    email: Optional[str]
    address: Address


def test_model_columns_types_nullability_and_implied_contract():
    resource = dlt.resource([{"id": 1}], name="person", columns=Person)
    assert resource.schema_contract == {"tables": "evolve", "columns": "discard_value", "data_type": "freeze"}
    columns = resource.compute_table_schema()["columns"]
    assert {k: v["data_type"] for k, v in columns.items()} == {
        "id": "bigint", "name": "text", "tags": "json", "email": "text", "address": "json"}
    assert columns["email"]["nullable"] is True and columns["id"]["nullable"] is False


def test_items_are_validated_coerced_and_extra_fields_dropped():
    @dlt.resource(name="person", columns=Person)
    def people():
        yield {"id": "1", "name": "ann", "tags": ["a"], "email": None, "address": {"city": "Oslo"}, "extra": 1}
        yield Person(id=2, name="bo", tags=[], email="b@x", address=Address(city="Rome"))

    pipeline = dlt.pipeline(pipeline_name="pyd_ok", destination="duckdb")
    pipeline.run(people())
    assert pipeline.default_schema.data_table_names() == ["person"]
    rows = rows_of(pipeline, "person", "id")
    assert [(r["id"], r["name"]) for r in rows] == [(1, "ann"), (2, "bo")]
    assert "extra" not in rows[0]


def test_invalid_items_fail_in_extract_with_a_data_validation_error():
    @dlt.resource(name="person", columns=Person)
    def broken():
        yield {"id": "x", "name": "n", "tags": [], "email": None, "address": {"city": "c"}}

    pipeline = dlt.pipeline(pipeline_name="pyd_bad", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(broken())
    assert failed.value.step == "extract"
    chain, error = [], failed.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(e, DataValidationError) for e in chain)


def test_skip_nested_types_leaves_nested_fields_to_dlt():
    class Nested(Person):
        dlt_config: ClassVar[DltConfig] = {"skip_nested_types": True}

    pipeline = dlt.pipeline(pipeline_name="pyd_nested", destination="duckdb")
    pipeline.run(dlt.resource([{"id": 1, "name": "a", "tags": ["x"], "email": None, "address": {"city": "O"}}],
                              name="nested", columns=Nested))
    assert "nested__tags" in pipeline.default_schema.data_table_names()
    assert "address__city" in pipeline.default_schema.tables["nested"]["columns"]
