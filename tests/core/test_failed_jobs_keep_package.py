"""A load job the database refuses never loses its package (issue 19 item 1), as in dlt 1.31:
the run raises, the package stays pending and is retried, nothing reaches `_dlt_loads`, and
`abort_packages()` gives it up explicitly."""

from __future__ import annotations

import warnings

import pytest

import dlt
from dlt.common.exceptions import TerminalException
from dlt.pipeline.exceptions import PipelineStepFailed
from core_helpers import with_checked_table


def chain(exc):
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def loads(pipeline):
    with pipeline.sql_client() as client:
        return client.execute_sql(f"SELECT load_id, status FROM {client.make_qualified_table_name('_dlt_loads')}")


def table_rows(pipeline, table, column="id"):
    with pipeline.sql_client() as client:
        name = client.make_qualified_table_name(table)
        return [r[0] for r in client.execute_sql(f"SELECT {column} FROM {name} ORDER BY 1")]


def failing_merge_pipeline(name):
    """A merge resource whose second run has a NULL primary key: DuckDB refuses the job."""
    pipeline = dlt.pipeline(pipeline_name=name, destination="duckdb", dataset_name="data")

    @dlt.resource(name="users", primary_key="id", write_disposition="merge")
    def users(rows):
        yield rows

    pipeline.run(users([{"id": 1, "name": "a"}]))
    return pipeline, users


def bad_and_good():
    return [dlt.resource([{"id": 2, "amount": -1}], name="checked"), dlt.resource([{"id": 9}], name="other")]


def test_a_refused_job_raises_at_load_with_a_terminal_error_and_keeps_the_package_pending():
    pipeline = dlt.pipeline(pipeline_name="keeps_package", destination="duckdb", dataset_name="data")
    with_checked_table(pipeline)
    recorded = loads(pipeline)
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(bad_and_good())
    assert failure.value.step == "load"
    assert any(isinstance(e, TerminalException) for e in chain(failure.value))
    assert "The job has been queued for retry and the package remains pending" in str(failure.value)
    (load_id,) = failure.value.step_info.loads_ids
    assert pipeline.has_pending_data
    assert pipeline.list_normalized_load_packages() == [load_id]
    assert pipeline.get_load_package_info(load_id).state == "normalized"
    # nothing of the package is in the destination, nothing recorded for it
    assert loads(pipeline) == recorded
    assert table_rows(pipeline, "other") == []


def test_the_next_run_retries_the_package_and_loads_it_once_the_cause_is_fixed():
    pipeline = dlt.pipeline(pipeline_name="retries", destination="duckdb", dataset_name="data")
    with_checked_table(pipeline)
    with pytest.raises(PipelineStepFailed):
        pipeline.run(bad_and_good())
    (load_id,) = pipeline.list_normalized_load_packages()
    # the retry fails again while the cause is there: still pending
    with pytest.raises(PipelineStepFailed):
        pipeline.run()
    assert pipeline.list_normalized_load_packages() == [load_id]
    job = [j for j in pipeline.get_load_package_info(load_id).jobs["new_jobs"] if j.table_name == "checked"][0]
    assert job.job_file_info.retry_count == 2 and "CHECK" in job.failed_message.upper()
    # the user fixes the table: the next run loads every row of the package exactly once
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("checked")
        client.execute_sql(f"ALTER TABLE {table} RENAME TO checked_old")
        client.execute_sql(f"CREATE TABLE {table} (id BIGINT, amount BIGINT, _dlt_load_id VARCHAR, _dlt_id VARCHAR)")
    info = pipeline.run()
    assert info.loads_ids == [load_id] and not info.has_failed_jobs
    assert table_rows(pipeline, "checked") == [2]
    assert table_rows(pipeline, "other") == [9]
    assert (load_id, 0) in loads(pipeline)
    assert not pipeline.has_pending_data


def test_a_null_merge_key_fails_normalize_and_the_rows_survive_in_the_package():
    pipeline, users = failing_merge_pipeline("null_key")
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(users([{"id": None, "name": "b"}]))
    # as in dlt 1.31: normalize refuses the NULL key before anything loads
    assert failed.value.step == "normalize"
    assert "CannotCoerceNullException" in str(failed.value)
    assert "Cannot coerce NULL in table 'users' column 'id'" in str(failed.value)
    (load_id,) = pipeline.list_extracted_load_packages()
    assert pipeline.list_normalized_load_packages() == []
    assert load_id not in [lid for lid, _ in loads(pipeline)]
    assert table_rows(pipeline, "users") == [1]
    # the rows stay in the package until it is dropped
    assert pipeline.has_pending_data
    pipeline.abort_packages()
    assert not pipeline.has_pending_data


def test_abort_packages_gives_up_the_package_and_restores_local_state_and_schema():
    pipeline = dlt.pipeline(pipeline_name="aborts", destination="duckdb", dataset_name="data")
    with_checked_table(pipeline)
    state_before = pipeline.state.get("_state_version")
    schema_version_before = pipeline.default_schema.version

    @dlt.resource(name="other")
    def other():
        dlt.current.resource_state()["seen"] = True
        yield {"id": 9, "new_column": "x"}

    with pytest.raises(PipelineStepFailed):
        pipeline.run([dlt.resource([{"id": 2, "amount": -1}], name="checked"), other()])
    (load_id,) = pipeline.list_normalized_load_packages()
    assert "new_column" in pipeline.default_schema.tables["other"]["columns"]
    plan = pipeline.abort_packages()
    assert plan["package_to_abort"] == {"load_id": load_id}
    assert not pipeline.has_pending_data
    package = pipeline.get_load_package_info(load_id)
    assert package.state == "aborted"
    assert [j.job_file_info.table_name for j in package.jobs["failed_jobs"]] == ["checked"]
    assert "CHECK" in pipeline.list_failed_jobs_in_package(load_id)[0].failed_message.upper()
    assert load_id in pipeline.list_completed_load_packages()
    assert load_id not in [lid for lid, _ in loads(pipeline)]
    # local state and schema are back to where they were before the package
    assert pipeline.state.get("_state_version") == state_before
    assert "other" not in pipeline.state.get("sources", {}).get("aborts", {}).get("resources", {})
    assert pipeline.default_schema.version == schema_version_before
    assert "other" not in pipeline.default_schema.tables
    # new data loads normally afterwards
    info = pipeline.run([{"x": 1}], table_name="later")
    assert not info.has_failed_jobs and table_rows(pipeline, "later", "x") == [1]


def test_abort_survives_a_new_process(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="abort_reopen", destination="duckdb", dataset_name="data")
    with_checked_table(pipeline)
    with pytest.raises(PipelineStepFailed):
        pipeline.run(bad_and_good())
    (load_id,) = pipeline.list_normalized_load_packages()
    # an abort interrupted after its marker was written is finished when the pipeline reopens
    pipeline.storage.request_abort("normalized", load_id)
    reopened = dlt.attach("abort_reopen")
    assert not reopened.has_pending_data
    assert reopened.get_load_package_info(load_id).state == "aborted"


def test_drop_pending_packages_is_a_deprecated_alias_of_abort_packages():
    pipeline = dlt.pipeline(pipeline_name="deprecated_drop", destination="duckdb", dataset_name="data")
    pipeline.extract([{"id": 1}], table_name="t")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipeline.drop_pending_packages()
    assert any(issubclass(w.category, DeprecationWarning) and type(w.message).__name__ == "DltDeprecationWarning"
               for w in caught)
    assert not pipeline.has_pending_data


def test_auto_abort_on_terminal_error_aborts_at_once(monkeypatch):
    monkeypatch.setenv("LOAD__AUTO_ABORT_ON_TERMINAL_ERROR", "true")
    pipeline = dlt.pipeline(pipeline_name="auto_abort", destination="duckdb", dataset_name="data")
    with_checked_table(pipeline)
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(bad_and_good())
    assert "The package is aborted and cannot be retried" in str(failure.value)
    assert any(isinstance(e, TerminalException) for e in chain(failure.value))
    (load_id,) = failure.value.step_info.loads_ids
    assert not pipeline.has_pending_data
    assert pipeline.get_load_package_info(load_id).state == "aborted"
    assert load_id not in [lid for lid, _ in loads(pipeline)]


def test_with_raise_on_failed_jobs_off_the_package_loads_without_the_failed_job(monkeypatch):
    monkeypatch.setenv("LOAD__RAISE_ON_FAILED_JOBS", "false")
    pipeline = dlt.pipeline(pipeline_name="lenient", destination="duckdb", dataset_name="data")
    with_checked_table(pipeline)
    info = pipeline.run(bad_and_good())
    package = info.load_packages[0]
    assert info.has_failed_jobs and package.state == "loaded"
    assert [j.job_file_info.table_name for j in package.jobs["failed_jobs"]] == ["checked"]
    assert (info.loads_ids[0], 0) in loads(pipeline)
    assert table_rows(pipeline, "other") == [9]
    with pytest.raises(TerminalException):
        info.raise_on_failed_jobs()
