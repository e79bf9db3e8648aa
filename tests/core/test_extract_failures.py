"""What an extract that fails leaves behind, and what its error says."""

from __future__ import annotations

import pytest

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from core_helpers import rows_of


def test_an_error_before_any_item_keeps_no_package_and_the_next_run_extracts():
    calls = {"n": 0}

    @dlt.resource(name="flaky")
    def flaky():
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("api not ready")
        yield [{"id": 1}]

    pipeline = dlt.pipeline(pipeline_name="nothing_kept", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(flaky())
    assert "No load package was kept" in str(failure.value)
    assert "were kept as a pending" not in str(failure.value)
    assert not pipeline.has_pending_data
    pipeline.run(flaky())
    assert [r["id"] for r in rows_of(pipeline, "flaky")] == [1]


def test_items_extracted_before_an_error_stay_pending_and_the_message_says_so():
    @dlt.resource(name="half")
    def half():
        yield [{"id": 1}]
        raise ConnectionError("api went away")

    pipeline = dlt.pipeline(pipeline_name="half_kept", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(half())
    assert "kept as a pending load package" in str(failure.value)
    assert pipeline.has_pending_data


def test_the_dataset_spans_every_schema_of_the_pipeline():
    pipeline = dlt.pipeline(pipeline_name="two_schemas", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="first", schema=dlt.Schema("one"))
    pipeline.run([{"id": 2}], table_name="second", schema=dlt.Schema("two"))
    assert {"first", "second"} <= set(pipeline.dataset().tables)
    assert "first" not in pipeline.dataset(schema="two").tables
