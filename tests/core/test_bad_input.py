"""Bad input gets a clear error or a documented behaviour, and loses nothing."""

from __future__ import annotations

import threading

import pytest

import dlt
from dlt.extract.hints import InvalidHintError
from dlt.pipeline.exceptions import InvalidPipelineName, PipelineStepFailed
from core_helpers import rows_of, with_checked_table


def test_exception_in_resource_names_it_keeps_traceback_and_extracted_items():
    @dlt.resource(name="flaky")
    def flaky():
        yield [{"id": 1}, {"id": 2}]
        raise ConnectionError("api went away")

    pipeline = dlt.pipeline(pipeline_name="flaky_pipe", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(flaky())
    message = str(failure.value)
    assert "flaky" in message and "api went away" in message and "extract" in message
    # the original exception and its traceback are chained
    original = failure.value.exception.__cause__
    assert isinstance(original, ConnectionError)
    assert original.__traceback__ is not None
    # the items extracted before the error are pending, and load with the next run
    assert pipeline.has_pending_data
    info = pipeline.run()
    assert info.row_counts == {"flaky": 2}
    assert sorted(r["id"] for r in rows_of(pipeline, "flaky")) == [1, 2]


def test_object_that_cannot_be_stored_is_named_with_its_table():
    pipeline = dlt.pipeline(pipeline_name="locks", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run([{"id": 1, "lock": threading.Lock()}], table_name="locks")
    assert "locks" in str(failure.value)
    assert "lock" in str(failure.value).lower()


class Point:
    """A custom object dlt does not know how to store."""

    def __init__(self, x):
        self.x = x


def test_custom_object_fails_normalize_naming_column_and_package_stays_pending():
    pipeline = dlt.pipeline(pipeline_name="points", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run([{"id": 1, "where": Point(1)}], table_name="points")
    assert failure.value.step == "normalize"
    assert "'where'" in str(failure.value) and "Point" in str(failure.value)
    assert pipeline.has_pending_data
    pipeline.abort_packages()
    assert not pipeline.has_pending_data


def test_mixed_types_per_key_keep_every_value():
    pipeline = dlt.pipeline(pipeline_name="mixed", destination="duckdb")
    pipeline.run([{"v": 1}, {"v": "one"}, {"v": 1.5}, {"v": True}, {"v": None}], table_name="mixed")
    rows = rows_of(pipeline, "mixed")
    values = set()
    for row in rows:
        values |= {v for k, v in row.items() if k.startswith("v") and v is not None}
    assert {1, "one", 1.5, True} <= values


def test_empty_generator_loads_nothing_and_does_not_fail():
    @dlt.resource
    def nothing():
        yield from []

    pipeline = dlt.pipeline(pipeline_name="empty", destination="duckdb")
    info = pipeline.run(nothing())
    assert info.row_counts == {}
    assert not info.has_failed_jobs


def test_invalid_pipeline_name_says_why():
    with pytest.raises(InvalidPipelineName, match="letters, digits"):
        dlt.pipeline(pipeline_name="no/slashes")
    with pytest.raises(InvalidPipelineName):
        dlt.pipeline(pipeline_name="")


def test_invalid_write_disposition_is_rejected_with_the_choices():
    with pytest.raises(InvalidHintError, match="append, replace, merge"):
        dlt.resource([{"a": 1}], name="x", write_disposition="upsert")


def test_hostile_table_and_column_names_are_normalized():
    pipeline = dlt.pipeline(pipeline_name="names", destination="duckdb")
    pipeline.run([{"Some Key": 1, "ÄÖÜ": 2, "1st": 3}], table_name="My Table!")
    (row,) = rows_of(pipeline, "my_tablex")
    # snake_case keeps ASCII only, as dlt 1.31: a run of other characters becomes `_`, and a
    # trailing `_` becomes `x`
    assert row["some_key"] == 1 and row["x"] == 2 and row["_1st"] == 3


def test_failed_load_job_keeps_its_package_pending_with_its_error():
    pipeline = dlt.pipeline(pipeline_name="failing", destination="duckdb", dataset_name="ds")
    with_checked_table(pipeline)
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run([dlt.resource([{"id": 2, "amount": -1}], name="checked"),
                      dlt.resource([{"id": 9}], name="other")])
    info = failure.value.step_info
    (package,) = info.load_packages
    assert package.state == "normalized" and not info.has_failed_jobs
    (job,) = [j for j in package.jobs["new_jobs"] if j.table_name == "checked"]
    assert "CHECK" in job.failed_message.upper() and job.job_file_info.retry_count == 1
    assert "pending retry" in str(info)
    assert "queued for retry and the package remains pending" in str(failure.value)
    # the whole package was rolled back: nothing of it is loaded or recorded
    assert pipeline.has_pending_data
    assert rows_of(pipeline, "other") == []


def test_failed_load_job_with_raise_on_failed_jobs_off_is_reported_and_the_rest_loads(monkeypatch):
    monkeypatch.setenv("LOAD__RAISE_ON_FAILED_JOBS", "false")
    pipeline = dlt.pipeline(pipeline_name="failing_lenient", destination="duckdb", dataset_name="ds")
    with_checked_table(pipeline)
    info = pipeline.run([dlt.resource([{"id": 2, "amount": -1}], name="checked"),
                         dlt.resource([{"id": 9}], name="other")])
    assert info.has_failed_jobs
    (job,) = info.failed_jobs
    assert job.table_name == "checked" and "CHECK" in job.error.upper()
    assert "FAILED job" in str(info)
    assert [r["id"] for r in rows_of(pipeline, "other")] == [9]
    with pytest.raises(Exception, match="failed"):
        info.raise_on_failed_jobs()


def test_jobs_loaded_together_are_retried_one_by_one_to_name_the_failing_file(monkeypatch):
    monkeypatch.setenv("LOAD__RAISE_ON_FAILED_JOBS", "false")
    pipeline = dlt.pipeline(pipeline_name="failing_batch", destination="duckdb", dataset_name="ds")
    with_checked_table(pipeline)
    # two normalize workers write one job file each: the two load in one INSERT first
    monkeypatch.setenv("NORMALIZE__WORKERS", "2")
    monkeypatch.setenv("NORMALIZE__PARALLEL_MIN_BYTES", "1")
    monkeypatch.setenv("EXTRACT__ITEMS_PER_FILE", "1")
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", "1")
    pages = [[{"id": 2, "amount": 3}], [{"id": 3, "amount": -1}]]
    info = pipeline.run(dlt.resource(pages, name="checked"))
    checked = [job for job in info.load_packages[0].all_jobs if job.table_name == "checked"]
    assert sorted(job.state for job in checked) == ["completed_jobs", "failed_jobs"]
    (job,) = info.failed_jobs
    assert "CHECK" in job.error.upper()
    assert [r["id"] for r in rows_of(pipeline, "checked")] == [2]


def _load_jsonl_on_eight_threads(tmp_path, memory_limit: str):
    import duckdb

    connection = duckdb.connect(str(tmp_path / f"{memory_limit}.duckdb"),
                                config={"threads": 8, "memory_limit": memory_limit})
    pipeline = dlt.pipeline(pipeline_name=f"jsonl_{memory_limit}", destination=dlt.destinations.duckdb(connection))
    rows = ({"id": i, "name": "x" * 40, "v": i * 0.5} for i in range(200_000))
    return connection, pipeline, pipeline.run(rows, table_name="rows", loader_file_format="jsonl")


def test_a_jsonl_load_raises_a_memory_limit_too_low_for_the_json_reader_and_sets_it_back(tmp_path):
    # 32 MB holds not even one of the JSON reader's buffers, let alone one per thread
    connection, pipeline, info = _load_jsonl_on_eight_threads(tmp_path, "32MB")
    assert info.row_counts["rows"] == 200_000
    assert len(rows_of(pipeline, "rows")) == 200_000
    assert connection.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "30.5 MiB"


def test_a_load_that_runs_out_of_duckdb_memory_says_what_to_raise(tmp_path):
    import duckdb

    connection = duckdb.connect(str(tmp_path / "tiny.duckdb"), config={"memory_limit": "1MB", "threads": 2})
    pipeline = dlt.pipeline(pipeline_name="tiny_memory", destination=dlt.destinations.duckdb(connection))
    rows = [{"id": i, "text": f"row {i} " * 20} for i in range(200_000)]
    with pytest.raises(PipelineStepFailed, match="raise destination.duckdb.memory_limit"):
        pipeline.run(rows, table_name="rows")
