"""Schema contracts as dlt 1.31 applies them: where they are set, what each mode does, and the
DataValidationError a freeze raises (with its exception chain)."""

from __future__ import annotations

import pytest

import dlt
from dlt.common.schema import DataValidationError
from dlt.extract.hints import InvalidHintError
from dlt.normalize.exceptions import NormalizeJobFailed
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.schema.contracts import expand_contract, validate_contract
from core_helpers import rows_of


def chain_of(exc: BaseException) -> list[BaseException]:
    """The exception and its causes, outermost first."""
    chain = [exc]
    while chain[-1].__cause__ is not None:
        chain.append(chain[-1].__cause__)
    return chain


def user_columns(pipeline, table):
    return [c for c in pipeline.default_schema.get_table_columns(table) if not c.startswith("_dlt")]


def test_frozen_tables_fail_in_extract_and_leave_no_package():
    pipeline = dlt.pipeline(pipeline_name="frozen_new_table", destination="duckdb")
    resource = dlt.resource([{"id": 1}], name="orders", schema_contract={"tables": "freeze"})
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(resource)
    assert failure.value.step == "extract"
    error = chain_of(failure.value)[1]
    assert isinstance(error, DataValidationError)
    assert (error.schema_name, error.table_name, error.column_name) == ("frozen_new_table", "orders", None)
    assert (error.schema_entity, error.contract_mode, error.data_item) == ("tables", "freeze", {"id": 1})
    assert error.schema_contract == {"tables": "freeze", "columns": "evolve", "data_type": "evolve"}
    assert "orders" in str(error) and "schema_contract" in str(error)
    assert not pipeline.has_pending_data


def test_frozen_columns_fail_in_normalize_through_normalize_job_failed_and_stay_pending():
    pipeline = dlt.pipeline(pipeline_name="frozen_columns", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="items")
    frozen = dlt.resource([{"id": 2, "extra": "x"}], name="items", schema_contract={"columns": "freeze"})
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(frozen)
    assert failure.value.step == "normalize"
    step, job, error = chain_of(failure.value)[:3]
    assert isinstance(job, NormalizeJobFailed) and isinstance(error, DataValidationError)
    assert (error.table_name, error.column_name, error.schema_entity) == ("items", "extra", "columns")
    assert error.table_schema["name"] == "items" and error.data_item["extra"] == "x"
    assert pipeline.has_pending_data
    assert "extra" not in pipeline.default_schema.get_table_columns("items")
    assert [r["id"] for r in rows_of(pipeline, "items")] == [1]


def test_frozen_data_type_rejects_a_variant_column():
    pipeline = dlt.pipeline(pipeline_name="frozen_types", destination="duckdb")
    pipeline.run([{"id": 1, "n": 5}], table_name="items")
    frozen = dlt.resource([{"id": 2, "n": "five"}], name="items", schema_contract={"data_type": "freeze"})
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(frozen)
    error = chain_of(failure.value)[-1]
    assert (error.schema_entity, error.column_name, error.contract_mode) == ("data_type", "n", "freeze")


def test_evolve_makes_a_variant_column_for_a_value_that_does_not_coerce():
    pipeline = dlt.pipeline(pipeline_name="variants", destination="duckdb")
    pipeline.run([{"id": 1, "n": 5}], table_name="items")
    pipeline.run([{"id": 2, "n": "seven"}, {"id": 3, "n": 6}], table_name="items")
    assert user_columns(pipeline, "items") == ["id", "n", "n__v_text"]
    rows = [(r["id"], r["n"], r["n__v_text"]) for r in rows_of(pipeline, "items", "id")]
    assert rows == [(1, 5, None), (2, None, "seven"), (3, 6, None)]


def test_discard_value_drops_new_columns_and_discard_row_drops_rows():
    pipeline = dlt.pipeline(pipeline_name="discards", destination="duckdb")
    pipeline.run([{"id": 1, "n": 1}], table_name="t")
    contract = {"columns": "discard_value", "data_type": "discard_row"}
    pipeline.run(dlt.resource([{"id": 2, "n": "x", "m": 1}, {"id": 3, "m": 2}], name="t",
                              schema_contract=contract))
    assert user_columns(pipeline, "t") == ["id", "n"]
    assert [(r["id"], r["n"]) for r in rows_of(pipeline, "t", "id")] == [(1, 1), (3, None)]


def test_discarded_new_child_table_keeps_the_parent_rows():
    pipeline = dlt.pipeline(pipeline_name="discard_child", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="t")
    pipeline.run(dlt.resource([{"id": 2, "kids": [1, 2]}, {"id": 3}], name="t",
                              schema_contract={"tables": "discard_value"}))
    assert pipeline.default_schema.data_table_names() == ["t"]
    assert [r["id"] for r in rows_of(pipeline, "t", "id")] == [1, 2, 3]


def test_discarded_new_table_is_not_added_to_the_schema():
    pipeline = dlt.pipeline(pipeline_name="discard_table", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="known")
    pipeline.run(dlt.resource([{"id": 9}], name="unknown", schema_contract={"tables": "discard_row"}))
    assert "unknown" not in pipeline.default_schema.tables


def test_new_table_may_add_columns_under_frozen_columns():
    pipeline = dlt.pipeline(pipeline_name="new_table_columns", destination="duckdb")
    pipeline.run(dlt.resource([{"id": 1}, {"id": 2, "extra": "x"}], name="t",
                              schema_contract={"columns": "freeze"}))
    assert user_columns(pipeline, "t") == ["id", "extra"]


def test_source_contract_is_kept_as_given_and_freeze_rejects_its_first_table():
    @dlt.source(name="locked", schema_contract="freeze")
    def locked():
        return dlt.resource([{"id": 1}], name="items")

    source = locked()
    assert source.schema_contract == "freeze"
    pipeline = dlt.pipeline(pipeline_name="locked_source", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(source)
    assert chain_of(failure.value)[-1].schema_entity == "tables"


def test_run_contract_overrides_the_source_and_apply_hints_sets_a_resource_contract():
    @dlt.source(name="guarded", schema_contract={"columns": "freeze"})
    def guarded(rows):
        return dlt.resource(rows, name="items")

    pipeline = dlt.pipeline(pipeline_name="overrides", destination="duckdb")
    pipeline.run(guarded([{"id": 1, "n": 1}]))
    pipeline.run(guarded([{"id": 2, "extra": "x"}]), schema_contract={"columns": "discard_value"})
    assert "extra" not in pipeline.default_schema.get_table_columns("items")
    resource = guarded([{"id": 3, "n": "three"}]).items
    resource.apply_hints(schema_contract={"data_type": "discard_value"})
    assert resource.schema_contract == {"data_type": "discard_value"}
    pipeline.run(resource, schema_contract={"columns": "evolve", "data_type": "discard_value"})
    assert [(r["id"], r["n"]) for r in rows_of(pipeline, "items", "id")] == [(1, 1), (2, None), (3, None)]


def test_unknown_contract_mode_is_an_error_listing_the_modes():
    with pytest.raises(InvalidHintError, match="evolve, freeze, discard_row, discard_value"):
        dlt.resource([{"id": 1}], name="x", schema_contract="lenient")
    with pytest.raises(ValueError, match="tables, columns, data_type"):
        validate_contract({"rows": "freeze"})


def test_expand_contract_fills_unset_entities_with_evolve():
    assert expand_contract("discard_row") == dict.fromkeys(("tables", "columns", "data_type"), "discard_row")
    assert expand_contract({"columns": "freeze"}) == {"tables": "evolve", "columns": "freeze", "data_type": "evolve"}
    assert expand_contract(None) == {"tables": "evolve", "columns": "evolve", "data_type": "evolve"}
