"""The pipeline API of dlt 1.31 (issue 15 item 5): the current pipeline, attach, package
listing, drop and sync, dev_mode, table_format."""

from __future__ import annotations

import re
import shutil
import warnings

import pytest

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed


def count(pipeline, table):
    with pipeline.sql_client() as client:
        return client.execute_sql(f"SELECT count(*) FROM {client.make_qualified_table_name(table)}")[0][0]


def test_pipeline_without_arguments_is_the_last_created_or_attached(tmp_path):
    first = dlt.pipeline(pipeline_name="first_p", destination="duckdb", pipelines_dir=str(tmp_path))
    assert dlt.pipeline() is first
    second = dlt.pipeline(pipeline_name="second_p", destination="duckdb", pipelines_dir=str(tmp_path))
    assert dlt.pipeline() is second and dlt.current.pipeline() is second
    attached = dlt.attach("first_p", pipelines_dir=str(tmp_path))
    assert dlt.pipeline() is attached


def test_working_dir_and_pipelines_dir_compare_as_text_and_as_paths(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="dirs", pipelines_dir=str(tmp_path))
    assert pipeline.pipelines_dir == str(tmp_path) and pipeline.pipelines_dir == tmp_path
    assert pipeline.working_dir == str(tmp_path / "dirs") and (pipeline.working_dir / "state.json").exists()


def test_recreating_a_pipeline_by_name_keeps_its_dataset(tmp_path):
    dlt.pipeline(pipeline_name="named", destination="duckdb", dataset_name="kept", pipelines_dir=str(tmp_path))
    again = dlt.pipeline(pipeline_name="named", pipelines_dir=str(tmp_path))
    assert again.dataset_name == "kept" and again.destination.destination_name == "duckdb"


def test_packages_move_through_the_steps_and_run_finishes_pending_ones_first():
    pipeline = dlt.pipeline(pipeline_name="steps_api", destination="duckdb", dataset_name="data")
    load_id = pipeline.extract([{"id": 1}], table_name="items").loads_ids[0]
    assert pipeline.list_extracted_load_packages() == [load_id] and pipeline.has_pending_data
    pipeline.normalize()
    assert pipeline.list_normalized_load_packages() == [load_id]
    assert pipeline.get_load_package_info(load_id).state == "normalized"
    info = pipeline.run([{"id": 2}], table_name="items")
    assert info.loads_ids == [load_id] and count(pipeline, "items") == 1
    assert load_id in pipeline.list_completed_load_packages()
    pipeline.run([{"id": 2}], table_name="items")
    assert count(pipeline, "items") == 2


def test_abort_packages_deletes_pending_extracted_and_normalized_packages():
    pipeline = dlt.pipeline(pipeline_name="abort_api", destination="duckdb", dataset_name="data")
    pipeline.run([{"id": 1}], table_name="items")
    pipeline.extract([{"id": 2}], table_name="items")
    pipeline.normalize()
    pipeline.extract([{"id": 3}], table_name="items")
    plan = pipeline.abort_packages()
    assert len(plan["extracted_packages_to_delete"]) == 1
    assert not pipeline.has_pending_data
    pipeline.run([{"id": 4}], table_name="items")
    with pipeline.sql_client() as client:
        ids = client.execute_sql(f"SELECT id FROM {client.make_qualified_table_name('items')} ORDER BY id")
    assert ids == [(1,), (4,)]


def test_drop_then_sync_destination_restores_schema_and_state():
    pipeline = dlt.pipeline(pipeline_name="drop_sync", destination="duckdb", dataset_name="data")

    @dlt.resource
    def items(cursor=dlt.sources.incremental("n", initial_value=0)):
        yield [{"n": i} for i in range(1, 4)]

    pipeline.run(items())
    dropped = pipeline.drop()
    assert dropped.first_run and dropped.schema_names == [] and dropped.dataset_name == "data"
    dropped.sync_destination()
    assert dropped.schema_names == ["drop_sync"] and "items" in dropped.default_schema.tables
    shutil.rmtree(dropped.working_dir)
    fresh = dlt.pipeline(pipeline_name="drop_sync", destination="duckdb", dataset_name="data")
    fresh.run(items())
    assert count(fresh, "items") == 3


def test_dev_mode_loads_into_a_timestamped_dataset_and_full_refresh_is_deprecated():
    dev = dlt.pipeline(pipeline_name="dev_api", destination="duckdb", dataset_name="dev", dev_mode=True)
    assert re.fullmatch(r"dev_\d{14}", dev.dataset_name) and dev.first_run
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = dlt.pipeline(pipeline_name="dev_old", destination="duckdb", dataset_name="old", full_refresh=True)
    assert old.dev_mode and any(issubclass(w.category, DeprecationWarning) for w in caught)
    assert dev.config.pipeline_name == "dev_api" and dev.config.dev_mode


def test_a_table_format_the_destination_cannot_write_is_a_clear_error_before_any_data_moves():
    pipeline = dlt.pipeline(pipeline_name="table_format", destination="duckdb", dataset_name="data")
    with pytest.raises(Exception, match="table_format 'iceberg' is not supported by destination duckdb"):
        pipeline.run([{"id": 1}], table_name="items", table_format="iceberg")
    assert not pipeline.has_pending_data


def test_failed_step_message_says_what_happens_to_the_package():
    pipeline = dlt.pipeline(pipeline_name="true_message", destination="duckdb", dataset_name="data")

    @dlt.resource(columns={"small": {"data_type": "bigint", "precision": 8}})
    def overflowing():
        yield {"small": 1000}

    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(overflowing())
    message = str(failure.value)
    assert "queued for retry" in message and "abort_packages()" in message
    assert "load on the next run" not in message


def test_a_new_pipeline_restores_nothing_from_a_duckdb_file_that_does_not_exist(tmp_path):
    database = tmp_path / "new.duckdb"
    pipeline = dlt.pipeline(pipeline_name="sync_missing", pipelines_dir=str(tmp_path / "p"),
                            destination=dlt.destinations.duckdb(str(database)), dataset_name="data")
    # nothing to restore, known without connecting: the database file is not created
    assert pipeline.sync_destination() is False
    assert not database.exists()
    pipeline.run([{"n": 1}], table_name="items")
    assert count(pipeline, "items") == 1
    # a fresh working dir on the now existing file restores schema and state from it
    shutil.rmtree(pipeline.working_dir)
    again = dlt.pipeline(pipeline_name="sync_missing", pipelines_dir=str(tmp_path / "p"),
                         destination=dlt.destinations.duckdb(str(database)), dataset_name="data")
    assert again.sync_destination() is True and "items" in again.default_schema.tables


def test_positional_arguments_are_dlt_131s_in_its_order(tmp_path):
    db = str(tmp_path / "positional.duckdb")
    pipeline = dlt.pipeline("positional", str(tmp_path / "pipes"), "a-salt",
                            dlt.destinations.duckdb(db), None, "positional_data")
    assert pipeline.working_dir == str(tmp_path / "pipes" / "positional")
    assert pipeline.pipeline_secret == "a-salt"
    assert pipeline.dataset_name == "positional_data"
    pipeline.run([{"id": 1}], table_name="items")
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT id FROM positional_data.items") == [(1,)]
    assert (tmp_path / "pipes" / "positional").is_dir()


def test_working_dir_is_keyword_only_and_is_the_pipelines_own_folder(tmp_path):
    pipeline = dlt.pipeline("own_folder", working_dir=str(tmp_path / "here"))
    assert pipeline.working_dir == str(tmp_path / "here")
