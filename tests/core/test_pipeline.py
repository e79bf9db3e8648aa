"""Pipelines: names, datasets, working dirs, attach, load info and the seed's shortcuts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import dlt
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.pipeline.options import default_pipelines_dir
from core_helpers import rows_of


def test_default_pipeline_is_named_after_the_script_and_loads_into_same_named_dataset(tmp_path):
    script = tmp_path / "my_loader.py"
    script.write_text(textwrap.dedent("""
        import dlt
        p = dlt.pipeline()
        info = dlt.run([{"a": 1}], destination="duckdb", table_name="t")
        print(p.pipeline_name, p.dataset_name, info.dataset_name)
        with p.sql_client() as c:
            print(c.execute_sql("SELECT a FROM " + c.make_qualified_table_name("t")))
    """))
    env = dict(os.environ, DLT_PIPELINES_DIR=str(tmp_path / "pipes"))
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "my_loader my_loader my_loader" in result.stdout
    assert "[(1,)]" in result.stdout
    assert (tmp_path / "my_loader.duckdb").exists()
    assert (tmp_path / "pipes" / "my_loader" / "state.json").exists()


def test_named_pipeline_defaults_dataset_to_name_dataset():
    pipeline = dlt.pipeline(pipeline_name="orders")
    assert pipeline.dataset_name == "orders_dataset"
    assert pipeline.working_dir == default_pipelines_dir() / "orders"


def test_working_dir_and_pipelines_dir(tmp_path):
    assert dlt.pipeline(pipeline_name="a", working_dir=str(tmp_path / "wd")).working_dir == tmp_path / "wd"
    assert dlt.pipeline(pipeline_name="b", pipelines_dir=str(tmp_path / "pd")).working_dir == tmp_path / "pd" / "b"


def test_full_refresh_and_dev_mode_give_a_fresh_dataset():
    first = dlt.pipeline(pipeline_name="fresh", dataset_name="data", dev_mode=True)
    assert first.dataset_name.startswith("data_") and first.dataset_name != "data"
    second = dlt.pipeline(pipeline_name="fresh2", dataset_name="data", full_refresh=True)
    assert second.dataset_name.startswith("data_")


def test_attach_restores_a_pipeline_with_destination_and_state():
    pipeline = dlt.pipeline(pipeline_name="attached", destination="duckdb", dataset_name="d")
    pipeline.run([{"x": 1}], table_name="t")
    again = dlt.attach("attached")
    assert again.destination.name == "duckdb" and again.dataset_name == "d"
    assert again.default_schema_name == pipeline.default_schema_name
    assert rows_of(again, "t")[0]["x"] == 1


def test_load_info_says_what_was_loaded_where():
    pipeline = dlt.pipeline(pipeline_name="reporting", destination="duckdb", dataset_name="rep")
    info = pipeline.run([{"id": 1, "tags": ["a", "b"]}], table_name="things")
    text = str(info)
    assert "reporting" in text and "duckdb" in text and "rep" in text
    assert info.loads_ids[0] in text
    assert "things: 1" in text and "things__tags: 2" in text
    assert "seconds" in text
    assert info.row_counts == {"things": 1, "things__tags": 2}
    assert pipeline.last_trace.last_load_info is info
    assert pipeline.last_trace.last_normalize_info.row_counts["things"] == 1


def test_state_persists_between_runs():
    @dlt.resource
    def counter():
        state = dlt.current.resource_state()
        state["n"] = state.get("n", 0) + 1
        yield {"n": state["n"]}

    pipeline = dlt.pipeline(pipeline_name="stateful", destination="duckdb")
    pipeline.run(counter())
    pipeline.run(counter())
    assert sorted(r["n"] for r in rows_of(pipeline, "counter")) == [1, 2]
    assert dlt.attach("stateful").state["sources"]


def test_drop_removes_the_working_dir():
    pipeline = dlt.pipeline(pipeline_name="dropped", destination="duckdb")
    pipeline.run([{"a": 1}], table_name="t")
    fresh = pipeline.drop()
    assert fresh.schema_names == [] and fresh.first_run


def test_dlt_run_uses_the_last_configured_pipeline():
    pipeline = dlt.pipeline(pipeline_name="lastone", destination="duckdb", dataset_name="ds")
    info = dlt.run([{"a": 1}], table_name="t")
    assert info.pipeline_name == "lastone"
    assert rows_of(pipeline, "t") and dlt.current.pipeline() is pipeline


def test_filesystem_destination_writes_files(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="files", destination=dlt.destinations.filesystem(str(tmp_path / "out")),
                            dataset_name="ds")
    pipeline.run([{"a": 1}], table_name="t")
    pipeline.run([{"a": 2}], table_name="t", loader_file_format="parquet")
    names = [p.name for p in (tmp_path / "out" / "ds" / "t").iterdir()]
    # jsonl is gzip-compressed by default, as in dlt 1.31
    assert sorted(n.split(".", 3)[-1] for n in names) == ["jsonl.gz", "parquet"], names


def test_drop_tables_removes_them_and_resets_resource_state():
    @dlt.resource(name="docs")
    def docs():
        state = dlt.current.resource_state()
        state["seen"] = True
        yield {"id": 1, "parts": [1, 2]}

    pipeline = dlt.pipeline(pipeline_name="dropping", destination="duckdb")
    pipeline.run(docs())
    assert pipeline.state["sources"]["dropping"]["resources"]["docs"]["seen"]
    dropped = pipeline.drop_tables("docs")
    assert dropped == ["docs", "docs__parts"]
    assert "docs" not in pipeline.default_schema.tables
    assert "docs" not in pipeline.state["sources"]["dropping"].get("resources", {})
    with pipeline.sql_client() as client:
        tables = {r[0] for r in client.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", pipeline.dataset_name)}
    assert "docs" not in tables and "docs__parts" not in tables
    pipeline.run(docs())
    assert len(rows_of(pipeline, "docs")) == 1


def test_load_package_info_lists_jobs_by_state():
    pipeline = dlt.pipeline(pipeline_name="packages", destination="duckdb")
    info = pipeline.run([{"a": 1}], table_name="t")
    package = pipeline.get_load_package_info(info.loads_ids[0])
    assert package.state == "loaded"
    assert any(job.job_file_info.table_name == "t" for job in package.jobs["completed_jobs"])


def test_jobs_of_destinations_without_transactions_load_in_parallel(tmp_path, dlt_plugin_manager):
    import threading
    import time

    threads = set()

    class Recorder:
        @dlt.hookimpl
        def on_load_job_start(self, job):
            threads.add(threading.current_thread().name)
            time.sleep(0.05)

    dlt_plugin_manager.register_plugin(Recorder(), "recorder")
    pipeline = dlt.pipeline(pipeline_name="parallel_load", destination=dlt.destinations.filesystem(str(tmp_path / "b")))
    resources = [dlt.resource([{"i": i}], name=f"table_{i}") for i in range(6)]
    info = pipeline.run(resources)
    assert info.row_counts == {f"table_{i}": 1 for i in range(6)}
    assert len(threads) > 1


def test_duckdb_connection_settings_come_from_config(monkeypatch, tmp_path):
    monkeypatch.setenv("DESTINATION__DUCKDB__MEMORY_LIMIT", "123MB")
    pipeline = dlt.pipeline(pipeline_name="settings", destination=dlt.destinations.duckdb(str(tmp_path / "s.duckdb")))
    pipeline.run([{"a": 1}], table_name="t")
    with pipeline.sql_client() as client:
        (limit,) = client.execute_sql("SELECT current_setting('memory_limit')")[0]
    assert limit.replace(" ", "").upper().startswith(("117", "123"))  # DuckDB reports MiB


def test_a_wide_table_inserts_on_one_duckdb_thread_and_the_threads_go_back(tmp_path):
    import duckdb

    connection = duckdb.connect(str(tmp_path / "wide.duckdb"), config={"threads": 2})
    statements: list[str] = []
    threads_at_insert = []

    pipeline = dlt.pipeline(pipeline_name="wide_threads", destination=dlt.destinations.duckdb(connection))

    @dlt.resource
    def wide():
        yield [{"id": i, **{f"c_{c:03d}": i * c for c in range(150)}} for i in range(2_000)]

    @dlt.resource
    def narrow():
        yield [{"id": i, "v": f"v{i}"} for i in range(2_000)]

    from dlt.destinations import sql_client as sql_client_module

    execute = sql_client_module.SqlClient.execute_sql

    def recorded(self, sql, *args):
        statements.append(sql)
        if sql.startswith("INSERT INTO"):
            threads_at_insert.append((sql.split(" BY NAME")[0].rsplit(".", 1)[-1],
                                        execute(self, "SELECT current_setting('threads')")[0][0]))
        return execute(self, sql, *args)

    sql_client_module.SqlClient.execute_sql = recorded
    try:
        info = pipeline.run([wide(), narrow()])
    finally:
        sql_client_module.SqlClient.execute_sql = execute
    assert info.has_failed_jobs is False
    inserts = dict(threads_at_insert)
    assert inserts['"wide"'] == 1 and inserts['"narrow"'] == 2
    assert "SET threads = 1" in statements and "SET threads = 2" in statements
    assert connection.execute("SELECT current_setting('threads')").fetchone()[0] == 2
    assert connection.execute(f"SELECT count(*), sum(c_149) FROM {pipeline.dataset_name}.wide").fetchone() == (
        2_000, sum(i * 149 for i in range(2_000)))


def test_a_failed_insert_into_a_wide_table_gives_duckdb_its_threads_back(tmp_path):
    import duckdb

    connection = duckdb.connect(str(tmp_path / "wide_failed.duckdb"), config={"threads": 2})
    pipeline = dlt.pipeline(pipeline_name="wide_failed", destination=dlt.destinations.duckdb(connection))
    rows = [{"id": i, **{f"c_{c:03d}": i * c for c in range(150)}} for i in range(100)]
    rows[50]["c_001"] = None
    resource = dlt.resource(rows, name="wide", columns={"c_001": {"data_type": "bigint", "nullable": False}})
    with pytest.raises(PipelineStepFailed):
        pipeline.run(resource)
    assert connection.execute("SELECT current_setting('threads')").fetchone()[0] == 2
