"""The `dummy` test destination: loads nothing, completes or fails jobs as configured."""

from __future__ import annotations

import pytest

import dlt
from dlt.destinations.impl.dummy.factory import DummySpec
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.plugins import get_plugin_manager


def rows():
    return [{"id": i, "nested": [{"x": i}]} for i in range(3)]


def test_dummy_is_a_builtin_plugin_of_dlt_core_like_duckdb():
    records = get_plugin_manager().records
    assert records["dummy"].status == "ok" and records["dummy"].builtin
    assert records["dummy"].distribution == records["duckdb"].distribution
    assert dlt.destinations.dummy is get_plugin_manager().destination("dummy")


def test_a_run_with_completing_jobs_produces_load_info():
    pipeline = dlt.pipeline(pipeline_name="dummy_ok", destination=dlt.destinations.dummy(completed_prob=1.0))
    info = pipeline.run(rows(), table_name="items")
    assert not info.has_failed_jobs and len(info.loads_ids) == 1
    jobs = [job for package in info.load_packages for job in package.jobs["completed_jobs"]]
    assert {job.table_name for job in jobs} >= {"items", "items__nested"}
    assert all(job.state == "completed_jobs" for job in jobs)
    assert not pipeline.has_pending_data


def test_destination_by_name_takes_its_settings_from_config(monkeypatch):
    monkeypatch.setenv("DESTINATION__DUMMY__COMPLETED_PROB", "1.0")
    monkeypatch.setenv("DESTINATION__DUMMY__TIMEOUT", "2.5")
    pipeline = dlt.pipeline(pipeline_name="dummy_named", destination="dummy")
    settings = DummySpec.model_validate(pipeline.destination.configuration())
    assert (settings.completed_prob, settings.timeout) == (1.0, 2.5)
    assert not pipeline.run([{"a": 1}], table_name="t").has_failed_jobs


def test_explicit_settings_win_over_config(monkeypatch):
    monkeypatch.setenv("DESTINATION__DUMMY__FAIL_PROB", "1.0")
    destination = dlt.destinations.dummy(fail_prob=0.0, completed_prob=1.0)
    assert destination.configuration()["fail_prob"] == 0.0


def test_failing_jobs_fail_the_load_step_with_a_terminal_error(tmp_path):
    from types import SimpleNamespace

    from dlt.common.exceptions import TerminalException
    from dlt.destinations.base import ClientContext

    destination = dlt.destinations.dummy(fail_prob=1.0)
    client = destination.client(ClientContext(dlt.Schema("s"), "d", "p", tmp_path))
    with pytest.raises(TerminalException, match="a random fail occurred"):
        client.run_job(SimpleNamespace(table_name="t"), tmp_path / "t.1.jsonl")
    pipeline = dlt.pipeline(pipeline_name="dummy_fail", destination=destination)
    with pytest.raises(PipelineStepFailed, match="a random fail occurred") as failure:
        pipeline.run([{"a": 1}], table_name="t")
    assert failure.value.step == "load"


def test_retries_are_transient_errors(tmp_path):
    from types import SimpleNamespace

    from dlt.common.exceptions import TransientException
    from dlt.destinations.base import ClientContext

    client = dlt.destinations.dummy(retry_prob=1.0).client(ClientContext(dlt.Schema("s"), "d", "p", tmp_path))
    with pytest.raises(TransientException, match="retry"):
        client.run_job(SimpleNamespace(table_name="t"), tmp_path / "t.1.jsonl")


def test_fail_table_names_fails_only_those_tables(tmp_path):
    from types import SimpleNamespace

    from dlt.destinations.base import ClientContext, LoadJobTerminalError

    destination = dlt.destinations.dummy(fail_table_names=["bad"])
    client = destination.client(ClientContext(dlt.Schema("s"), "d", "p", tmp_path))
    client.run_job(SimpleNamespace(table_name="good"), tmp_path / "good.1.jsonl")
    with pytest.raises(LoadJobTerminalError, match="table bad is configured to fail"):
        client.run_job(SimpleNamespace(table_name="bad"), tmp_path / "bad.1.jsonl")
    pipeline = dlt.pipeline(pipeline_name="dummy_tables", destination=destination)
    with pytest.raises(PipelineStepFailed, match="bad"):
        pipeline.run([{"a": 1}], table_name="bad")


def test_jobs_that_never_complete_time_out():
    pipeline = dlt.pipeline(pipeline_name="dummy_timeout", destination=dlt.destinations.dummy(timeout=0.2))
    with pytest.raises(PipelineStepFailed, match="timed out"):
        pipeline.run([{"a": 1}], table_name="t")


def test_schema_update_failure_is_terminal():
    pipeline = dlt.pipeline(pipeline_name="dummy_schema",
                            destination=dlt.destinations.dummy(fail_schema_update=True))
    with pytest.raises(PipelineStepFailed, match="fail_schema_update"):
        pipeline.run([{"a": 1}], table_name="t")
