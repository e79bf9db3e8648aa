"""What a pipeline shows between runs, as dlt 1.31 shows it: a dataset follows the pipeline's
schema, `last_trace` collects steps called one by one, `first_run` knows a pipeline that the
destination remembers, and `staging` is the staging destination given.

Expected values were produced by dlt 1.31.0 from the same calls."""

from __future__ import annotations

import logging
import shutil

import pytest

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed


def _pipeline(tmp_path, name: str = "views", **kwargs):
    destination = dlt.destinations.duckdb(str(tmp_path / f"{name}.duckdb"))
    return dlt.pipeline(name, pipelines_dir=str(tmp_path / "pipelines"), destination=destination,
                        dataset_name="ds", **kwargs)


# -- dataset ------------------------------------------------------------------------------------

def test_dataset_sees_tables_that_later_runs_add(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.run([{"id": 1}], table_name="items")
    dataset = pipeline.dataset()
    pipeline.run([{"q": 7}], table_name="other")
    assert [row[0] for row in dataset.other.fetchall()] == [7]
    assert sorted(dataset.tables) == [
        "_dlt_loads", "_dlt_pipeline_state", "_dlt_version", "items", "other"]


def test_dataset_sees_columns_that_later_runs_add(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.run([{"id": 1}], table_name="items")
    dataset = pipeline.dataset()
    assert dataset.items.columns == ["id", "_dlt_load_id", "_dlt_id"]
    pipeline.run([{"id": 2, "extra": "x"}], table_name="items")
    assert dataset.items.columns == ["id", "_dlt_load_id", "_dlt_id", "extra"]
    assert sorted((row[0], row[3]) for row in dataset.items.fetchall()) == [(1, None), (2, "x")]


def test_dataset_of_a_named_schema_follows_it_too(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.run([{"id": 1}], table_name="items")
    dataset = pipeline.dataset(schema="views")
    pipeline.run([{"z": 1}], table_name="third")
    assert "third" in dataset.tables


# -- last_trace ---------------------------------------------------------------------------------

def test_steps_called_one_by_one_make_one_trace(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.extract([{"id": 1}], table_name="a")
    pipeline.normalize()
    pipeline.load()
    trace = pipeline.last_trace
    assert [step.step for step in trace.steps] == ["extract", "normalize", "load"]
    assert trace.last_extract_info is not None
    assert trace.last_normalize_info.row_counts["a"] == 1
    assert trace.last_load_info.loads_ids == trace.last_extract_info.loads_ids
    assert trace.finished_at is not None and trace.started_at <= trace.finished_at


def test_normalize_and_load_without_extract_make_one_trace(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.normalize()
    pipeline.load()
    assert [step.step for step in pipeline.last_trace.steps] == ["normalize", "load"]
    assert pipeline.last_trace.last_extract_info is None


def test_each_run_starts_a_new_trace_and_later_steps_join_it(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.run([{"id": 1}], table_name="a")
    first = pipeline.last_trace
    pipeline.run([{"id": 2}], table_name="a")
    second = pipeline.last_trace
    assert second.transaction_id != first.transaction_id
    assert [step.step for step in second.steps] == ["extract", "normalize", "load", "run"]
    pipeline.extract([{"id": 3}], table_name="a")
    joined = pipeline.last_trace
    assert joined.transaction_id == second.transaction_id
    assert [step.step for step in joined.steps] == [
        "extract", "normalize", "load", "run", "extract"]
    # a trace taken earlier keeps its steps
    assert len(second.steps) == 4


def test_a_failed_step_joins_the_trace_with_its_error(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.normalize()

    @dlt.resource(name="bad")
    def bad():
        yield {"a": 1}
        raise ValueError("broken source")

    with pytest.raises(PipelineStepFailed):
        pipeline.extract(bad())
    steps = pipeline.last_trace.steps
    assert [step.step for step in steps] == ["normalize", "extract"]
    assert steps[0].step_exception is None and "broken source" in steps[1].step_exception


def test_a_reopened_pipeline_starts_a_new_trace_at_its_first_step(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.run([{"id": 1}], table_name="a")
    reopened = _pipeline(tmp_path)
    steps = [step.step for step in reopened.last_trace.steps]
    assert steps == ["extract", "normalize", "load", "run"]
    reopened.extract([{"id": 2}], table_name="a")
    assert [step.step for step in reopened.last_trace.steps] == ["extract"]


# -- first_run ----------------------------------------------------------------------------------

def test_first_run_is_false_after_sync_destination_restores_a_wiped_pipeline(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.run([{"id": 1}], table_name="items")
    shutil.rmtree(pipeline.working_dir)
    restored = _pipeline(tmp_path)
    assert restored.first_run
    restored.sync_destination()
    assert restored.first_run is False
    assert _pipeline(tmp_path).first_run is False


def test_a_run_that_restores_state_is_not_a_first_run(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.run([{"id": 1}], table_name="items")
    shutil.rmtree(pipeline.working_dir)
    restored = _pipeline(tmp_path)
    info = restored.run([{"id": 2}], table_name="items")
    assert info.first_run is False and restored.first_run is False


def test_sync_destination_without_stored_state_keeps_first_run(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.sync_destination()
    assert pipeline.first_run is True


# -- staging ------------------------------------------------------------------------------------

def test_staging_is_none_without_a_staging_destination(tmp_path):
    pipeline = _pipeline(tmp_path)
    pipeline.run([{"id": 1}], table_name="items")
    assert pipeline.staging is None


def test_staging_is_the_staging_destination_given(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="dlt"):
        pipeline = dlt.pipeline("staged", pipelines_dir=str(tmp_path), destination="dummy",
                                staging="filesystem")
    assert pipeline.staging.destination_name == "filesystem"
    assert pipeline.staging.destination_type == "dlt.destinations.filesystem"
    assert "loads directly into the destination" in caplog.text


def test_staging_for_a_destination_that_cannot_load_via_staging_raises(tmp_path):
    from dlt.common.destination.exceptions import (
        DestinationLoadingViaStagingNotSupported,
        DestinationTerminalException,
    )

    with pytest.raises(DestinationLoadingViaStagingNotSupported, match="destination=duckdb") as exc:
        _pipeline(tmp_path, staging="filesystem")
    assert isinstance(exc.value, DestinationTerminalException)
