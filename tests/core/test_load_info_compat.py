"""Load info, step infos and traces in dlt 1.31's shapes (issue 15 item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import dlt


def query(pipeline, sql_template, *tables):
    with pipeline.sql_client() as client:
        names = [client.make_qualified_table_name(t) for t in tables]
        return client.execute_sql(sql_template.format(*names))


def test_load_packages_have_jobs_by_state_with_file_details():
    pipeline = dlt.pipeline(pipeline_name="info_jobs", destination="duckdb", dataset_name="data")
    info = pipeline.run([{"id": 1, "kids": [{"k": 1}]}], table_name="things")
    assert info.pipeline.pipeline_name == "info_jobs"
    (package,) = info.load_packages
    assert package.load_id == info.loads_ids[0] and package.state == "loaded"
    assert package.schema_name == "info_jobs" and package.completed_at is not None
    assert set(package.jobs) == {"new_jobs", "started_jobs", "completed_jobs", "failed_jobs"}
    tables = sorted(j.job_file_info.table_name for j in package.jobs["completed_jobs"])
    assert tables == ["_dlt_pipeline_state", "things", "things__kids"]
    for job in package.jobs["completed_jobs"]:
        assert job.state == "completed_jobs" and job.file_size > 0 and os.path.isfile(job.file_path)
        assert job.failed_message is None


def test_is_empty_says_whether_a_step_processed_any_package():
    pipeline = dlt.pipeline(pipeline_name="info_empty", destination="duckdb", dataset_name="data")

    @dlt.resource(name="ids")
    def ids(cursor=dlt.sources.incremental("id")):
        yield from [{"id": 1}, {"id": 2}]

    assert pipeline.run(ids()).is_empty is False
    assert pipeline.run(ids()).is_empty is True


def test_schema_update_lists_new_tables_then_nothing_then_the_new_column():
    pipeline = dlt.pipeline(pipeline_name="info_update", destination="duckdb", dataset_name="data")
    first = pipeline.run([{"id": 1}], table_name="things").load_packages[0].schema_update
    assert {"things", "_dlt_loads", "_dlt_version", "_dlt_pipeline_state"} <= set(first)
    assert first["things"]["columns"]["id"]["data_type"] == "bigint"
    assert pipeline.run([{"id": 2}], table_name="things").load_packages[0].schema_update == {}
    third = pipeline.run([{"id": 3, "color": "red"}], table_name="things").load_packages[0].schema_update
    assert list(third) == ["things"] and list(third["things"]["columns"]) == ["color"]


def test_asdict_shapes_and_text():
    pipeline = dlt.pipeline(pipeline_name="info_dict", destination="duckdb", dataset_name="data")
    info = pipeline.run([{"id": 1}], table_name="things")
    data = info.asdict()
    assert data["pipeline"] == {"pipeline_name": "info_dict"} and data["loads_ids"] == info.loads_ids
    package = data["load_packages"][0]
    assert isinstance(package["jobs"], list) and isinstance(package["tables"], list)
    things = [t for t in package["tables"] if t["name"] == "things"][0]
    assert isinstance(things["columns"], list) and things["columns"][0]["table_name"] == "things"
    assert info.loads_ids[0] in str(info) and "LOADED" in info.asstr(verbosity=1)


def test_separate_steps_return_their_infos_and_the_trace_records_them():
    pipeline = dlt.pipeline(pipeline_name="info_steps", destination="duckdb", dataset_name="data")
    extracted = pipeline.extract([{"id": 1, "parts": [{"p": 1}]}], table_name="pages")
    assert type(extracted).__name__ == "ExtractInfo" and extracted.load_packages[0].state == "extracted"
    new_jobs = extracted.load_packages[0].jobs["new_jobs"]
    assert sorted(j.job_file_info.table_name for j in new_jobs) == ["_dlt_pipeline_state", "pages"]
    normalized = pipeline.normalize()
    assert normalized.row_counts["pages"] == 1 and normalized.row_counts["pages__parts"] == 1
    assert "pages: 1 row(s)" in str(normalized)
    loaded = pipeline.load()
    assert loaded.loads_ids == extracted.loads_ids
    info = pipeline.run([{"id": 2}], table_name="pages")
    trace = pipeline.last_trace
    assert [s.step for s in trace.steps] == ["extract", "normalize", "load", "run"]
    assert trace.last_load_info.loads_ids == info.loads_ids
    assert [s["step"] for s in trace.asdict()["steps"]] == ["extract", "normalize", "load"]


def test_custom_metrics_reach_the_extract_info():
    pipeline = dlt.pipeline(pipeline_name="info_metrics", destination="duckdb", dataset_name="data")

    @dlt.resource
    def pages():
        metrics = dlt.current.resource_metrics()
        for page in range(3):
            metrics["pages"] = metrics.get("pages", 0) + 1
            yield [{"id": page}]

    def count_batches(items, meta, metrics):
        metrics["batches"] = metrics.get("batches", 0) + 1

    pipeline.run(pages().add_metrics(count_batches))
    extract = pipeline.last_trace.last_extract_info
    (load_id,) = extract.loads_ids
    custom = extract.metrics[load_id][0]["resource_metrics"]["pages"].custom_metrics
    assert custom == {"pages": 3, "batches": 3}


def test_load_info_and_trace_load_into_the_destination_as_tables():
    pipeline = dlt.pipeline(pipeline_name="info_tables", destination="duckdb", dataset_name="data")
    info = pipeline.run([{"id": 1, "kids": [{"k": 1}]}], table_name="things")
    trace = pipeline.last_trace
    pipeline.run([info], table_name="_load_info")
    assert query(pipeline, "SELECT pipeline__pipeline_name, dataset_name FROM {}", "_load_info") == [
        ("info_tables", "data")]
    jobs = sorted(query(pipeline, "SELECT table_name, state FROM {}", "_load_info__load_packages__jobs"))
    assert jobs == [("_dlt_pipeline_state", "completed_jobs"), ("things", "completed_jobs"),
                    ("things__kids", "completed_jobs")]
    pipeline.run([trace], table_name="_trace")
    steps = sorted(r[0] for r in query(pipeline, "SELECT step FROM {}", "_trace__steps"))
    assert steps == ["extract", "load", "normalize"]


def test_last_trace_is_restored_in_a_new_process(tmp_path):
    env = dict(os.environ, DLT_PIPELINES_DIR=str(tmp_path / "pipes"))
    first = textwrap.dedent("""
        import dlt
        p = dlt.pipeline(pipeline_name="traced", destination="duckdb", dataset_name="d")
        print(p.run([{"a": 1}], table_name="t").loads_ids[0])
    """)
    second = textwrap.dedent("""
        import dlt
        p = dlt.attach("traced")
        print(p.last_trace.last_load_info.loads_ids[0], [s.step for s in p.last_trace.steps])
    """)
    ran = subprocess.run([sys.executable, "-c", first], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    load_id = ran.stdout.strip().splitlines()[-1]
    again = subprocess.run([sys.executable, "-c", second], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"{load_id} ['extract', 'normalize', 'load', 'run']"


def test_asdict_has_more_of_1_31s_keys():
    pipeline = dlt.pipeline(pipeline_name="asdict_keys", destination="duckdb", dataset_name="ds")
    info = pipeline.run([{"a": 1}, {"a": 2}], table_name="t")
    data = info.asdict()
    assert {"staging_type", "staging_name", "staging_displayable_credentials"} <= set(data)
    assert data["load_packages"][0]["jobs"][0]["is_compressed"] is False
    normalized = pipeline.last_trace.last_normalize_info.asdict()
    assert {"load_id": info.loads_ids[0], "table_name": "t", "items_count": 2} in normalized["table_metrics"]
    trace = pipeline.last_trace.asdict()
    assert trace["engine_version"] == 1
    assert trace["execution_context"]["library"] == {"name": "dlt", "version": dlt.__version__}
    # the trace still loads as rows, its execution context as columns
    pipeline.run([pipeline.last_trace], table_name="_trace")
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT execution_context__library__name FROM _trace") == [("dlt",)]


def test_load_and_normalize_metrics_in_1_31s_shape():
    from dlt.common.metrics import DataWriterMetrics, LoadJobMetrics

    pipeline = dlt.pipeline(pipeline_name="step_metrics", destination="duckdb", dataset_name="ds")
    info = pipeline.run([{"a": 1}, {"a": 2}], table_name="t")
    load_id = info.loads_ids[0]
    (package,) = info.metrics[load_id]
    assert package["dataset_name"] == "ds" and package["started_at"] <= package["finished_at"]
    jobs = {job.table_name: job for job in package["job_metrics"].values()}
    assert isinstance(jobs["t"], LoadJobMetrics) and jobs["t"].state == "completed"
    # the loader's own times: within the package's load, not left empty
    assert package["started_at"] <= jobs["t"].started_at <= jobs["t"].finished_at <= package["finished_at"]
    assert jobs["t"].job_id in package["job_metrics"] and jobs["t"].retry_count == 0
    completed = info.load_packages[0].jobs["completed_jobs"]
    assert all(job.elapsed > 0 for job in completed)  # measured times reach the load info
    (normalized,) = pipeline.last_trace.last_normalize_info.metrics[load_id]
    table = normalized["table_metrics"]["t"]
    assert isinstance(table, DataWriterMetrics) and table.items_count == 2 and table.file_size > 0
