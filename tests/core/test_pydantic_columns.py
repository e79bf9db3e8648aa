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


def test_literal_enum_uuid_and_union_fields_type_their_columns_as_in_1_31(tmp_path):
    import enum
    import uuid
    from typing import Literal, Union

    from pydantic import BaseModel

    class Color(str, enum.Enum):
        red = "r"

    class Typed(BaseModel):
        id: int
        kind: Literal["x", "y"]
        flag: bool
        color: Color
        key: uuid.UUID
        mixed: Union[int, str]

    @dlt.resource(columns=Typed)
    def typed():
        yield {"id": 1, "kind": "x", "flag": True, "color": "r", "key": str(uuid.UUID(int=1)), "mixed": 3}

    pipeline = dlt.pipeline(pipeline_name="typed_fields", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.duckdb(str(tmp_path / "db.duckdb")))
    pipeline.run(typed())
    with pipeline.sql_client() as client:
        columns = client.execute_sql(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name ="
            " 'typed' AND column_name NOT LIKE '_dlt%' ORDER BY ordinal_position")
    # in the model's order: a Literal field no longer goes last for want of a type
    assert columns == [("id", "BIGINT"), ("kind", "VARCHAR"), ("flag", "BOOLEAN"),
                       ("color", "VARCHAR"), ("key", "VARCHAR"), ("mixed", "BIGINT")]


@pytest.mark.parametrize("contract, rows, kept", [
    ({"data_type": "discard_row"}, [{"id": "zz", "n": 1}, {"id": 3, "n": 1}], [3]),
    ({"columns": "discard_row"}, [{"id": 5, "n": 1, "extra": 1}, {"id": 6, "n": 1}], [6]),
])
def test_a_discard_row_contract_drops_the_items_the_model_rejects(tmp_path, contract, rows, kept):
    from pydantic import BaseModel

    class Row(BaseModel):
        id: int
        n: int

    @dlt.resource(columns=Row, schema_contract=contract)
    def checked():
        yield rows

    pipeline = dlt.pipeline(pipeline_name="discards", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.duckdb(str(tmp_path / "db.duckdb")))
    pipeline.run(checked())
    assert [row["id"] for row in rows_of(pipeline, "checked")] == kept
