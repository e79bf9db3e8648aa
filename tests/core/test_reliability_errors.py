"""Clear errors (issue 19 item 6): a corrupted state, schema or package file names the file and
what to do; an integer setting that is not a number names the key and value before extract runs;
bad TOML names the file and line."""

from __future__ import annotations

import pytest

import dlt
from dlt.configuration.exceptions import ConfigValueCannotBeCoercedException
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.storage.exceptions import CorruptedFileError


def _working_dir(pipeline):
    return pipeline._working_dir


def test_garbled_state_file_names_the_file_and_what_to_do():
    pipeline = dlt.pipeline(pipeline_name="garbled_state", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="t")
    state_file = _working_dir(pipeline) / "state.json"
    state_file.write_text("{garbled")
    with pytest.raises(CorruptedFileError) as failure:
        dlt.pipeline(pipeline_name="garbled_state", destination="duckdb")
    assert str(state_file) in str(failure.value)
    assert "delete it and run again" in str(failure.value)


def test_deleting_the_garbled_state_restores_it_from_the_destination():
    @dlt.resource(name="ticks")
    def ticks(cursor=dlt.sources.incremental("n")):
        yield [{"n": n} for n in range(5)]

    pipeline = dlt.pipeline(pipeline_name="state_advice", destination="duckdb")
    pipeline.run(ticks())
    (_working_dir(pipeline) / "state.json").write_text("{garbled")
    (_working_dir(pipeline) / "state.json").unlink()  # what the error tells the user to do
    again = dlt.pipeline(pipeline_name="state_advice", destination="duckdb")
    info = again.run(ticks())
    assert info.row_counts.get("ticks", 0) <= 1  # the cursor came back: no full reload


def test_garbled_schema_file_names_the_file():
    pipeline = dlt.pipeline(pipeline_name="garbled_schema", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="t")
    schema_file = _working_dir(pipeline) / "schemas" / "garbled_schema.schema.json"
    assert schema_file.exists()
    schema_file.write_text("{garbled")
    with pytest.raises(Exception) as failure:
        dlt.pipeline(pipeline_name="garbled_schema", destination="duckdb").run([{"id": 2}], table_name="t")
    text = str(failure.value)
    assert str(schema_file) in text and "restores the schema stored in the destination" in text
    assert "JSONDecodeError" not in text
    assert "were kept as a pending load package" not in text  # no package: no such promise


def test_corrupted_package_json_names_the_file_and_the_package_folder():
    pipeline = dlt.pipeline(pipeline_name="garbled_package", destination="duckdb")
    pipeline.extract([{"id": 1}], table_name="t")
    [load_id] = pipeline.list_extracted_load_packages()
    package_json = _working_dir(pipeline) / "packages" / "extracted" / load_id / "package.json"
    package_json.write_text("{garbled")
    reopened = dlt.pipeline(pipeline_name="garbled_package", destination="duckdb")  # still opens
    with pytest.raises(PipelineStepFailed) as failure:
        reopened.run()
    assert isinstance(failure.value.exception, CorruptedFileError)
    assert str(package_json) in str(failure.value)
    assert f"delete the folder {package_json.parent}" in str(failure.value)


def test_a_corrupted_package_can_be_given_up_and_the_next_run_loads():
    pipeline = dlt.pipeline(pipeline_name="garbled_given_up", destination="duckdb")
    pipeline.extract([{"id": 1}], table_name="t")
    [load_id] = pipeline.list_extracted_load_packages()
    (_working_dir(pipeline) / "packages" / "extracted" / load_id / "package.json").write_text("{garbled")
    reopened = dlt.pipeline(pipeline_name="garbled_given_up", destination="duckdb")
    reopened.abort_packages()
    reopened.run([{"id": 2}], table_name="t")
    with reopened.sql_client() as client:
        assert client.execute_sql("SELECT id FROM t") == [(2,)]


def test_corrupted_item_file_names_the_file():
    pipeline = dlt.pipeline(pipeline_name="garbled_items", destination="duckdb")
    pipeline.extract([{"id": i} for i in range(100)], table_name="t")
    [load_id] = pipeline.list_extracted_load_packages()
    [item_file] = (_working_dir(pipeline) / "packages" / "extracted" / load_id / "items").glob("t.*.pkl")
    item_file.write_bytes(item_file.read_bytes()[:-20])  # cut short, as by a full disk
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.normalize()
    text = str(failure.value)
    assert f"{load_id}/items/{item_file.name}" in text and "is corrupted" in text
    pipeline.abort_packages()  # what the error says to do, when the file cannot be restored
    assert pipeline.list_extracted_load_packages() == []


@pytest.mark.parametrize("variable,key", [("NORMALIZE__WORKERS", "normalize.workers"),
                                          ("EXTRACT__BUFFER_ITEMS", "extract.buffer_items")])
def test_non_integer_setting_names_key_and_value_before_extract(monkeypatch, variable, key):
    monkeypatch.setenv(variable, "many")
    evaluated = []

    @dlt.resource(name="rows")
    def rows():
        evaluated.append(True)
        yield {"id": 1}

    pipeline = dlt.pipeline(pipeline_name="bad_int", destination="duckdb")
    with pytest.raises(ConfigValueCannotBeCoercedException) as failure:
        pipeline.run(rows())
    assert key in str(failure.value) and variable in str(failure.value) and "'many'" in str(failure.value)
    assert evaluated == []
    assert pipeline.list_extracted_load_packages() == []


def test_bad_toml_names_the_file_and_line(tmp_path):
    from dlt.configuration.providers import ConfigFileError

    config = tmp_path / "project" / ".dlt"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('[sources]\napi_key = "unterminated\n')
    with pytest.raises(ConfigFileError) as failure:
        dlt.pipeline(pipeline_name="bad_toml", destination="duckdb").run([{"id": 1}], table_name="t")
    assert "config.toml" in str(failure.value) and "line 2" in str(failure.value)


def test_empty_table_name_is_a_clear_error():
    pipeline = dlt.pipeline(pipeline_name="empty_name", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run([{"id": 1}], table_name="")
    assert "OSError" not in str(failure.value) and "name" in str(failure.value)


def test_a_table_name_too_long_for_file_names_is_a_clear_error_before_any_file():
    pipeline = dlt.pipeline(pipeline_name="long_table_name", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run([{"id": 1}], table_name="t" * 300)
    message = str(failure.value)
    assert "300 bytes long" in message and "table_name=" in message
    assert "OSError" not in message
    assert not pipeline.has_pending_data
