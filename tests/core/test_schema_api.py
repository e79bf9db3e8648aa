"""The Schema API dlt 1.31 scripts use: inspection, exports, versions, import/export paths,
explicit schema objects and the source schema."""

from __future__ import annotations

import datetime
import json

import pytest
import yaml

import dlt
from dlt.utils.exceptions import DltException
from core_helpers import rows_of


@dlt.resource(primary_key="id", write_disposition="merge")
def users():
    yield {"id": 1, "name": "ann", "birthday": datetime.date(1990, 5, 17), "birthday_text": "1990-05-17",
           "signed_up": "2024-01-01T10:00:00Z", "addresses": [{"city": "Oslo"}]}


def test_tables_columns_and_dlt_hints():
    pipeline = dlt.pipeline(pipeline_name="inspect", destination="duckdb")
    pipeline.run(users())
    schema = pipeline.default_schema
    assert sorted(schema.data_table_names()) == ["users", "users__addresses"]
    assert sorted(schema.dlt_table_names()) == ["_dlt_loads", "_dlt_pipeline_state", "_dlt_version"]
    columns = schema.get_table_columns("users")
    assert list(columns)[:2] == ["id", "name"]
    assert {n: c["data_type"] for n, c in columns.items() if n.startswith("birthday") or n == "signed_up"} == {
        "birthday": "date", "birthday_text": "text", "signed_up": "timestamp"}
    assert columns["_dlt_id"]["row_key"] is True and columns["_dlt_id"]["unique"] is True
    nested = schema.get_table_columns("users__addresses")
    assert nested["_dlt_parent_id"]["parent_key"] is True and nested["_dlt_root_id"]["root_key"] is True
    assert schema.get_table("users__addresses")["parent"] == "users"


def test_get_table_columns_leaves_out_hint_only_columns_unless_asked():
    schema = dlt.Schema("hints")
    schema.update_table({"name": "t", "columns": {"a": {"name": "a", "data_type": "bigint"},
                                                  "b": {"name": "b", "primary_key": True}}})
    assert list(schema.get_table_columns("t")) == ["a"]
    assert list(schema.get_table_columns("t", include_incomplete=True)) == ["a", "b"]
    with pytest.raises(KeyError, match="Table not found: `missing`"):
        schema.get_table_columns("missing")


def test_pretty_exports_parse_back_and_versions_follow_content():
    pipeline = dlt.pipeline(pipeline_name="exports", destination="duckdb")
    pipeline.run(users())
    schema = pipeline.default_schema
    as_json = json.loads(schema.to_pretty_json())
    assert as_json["version"] == schema.version and as_json["version_hash"] == schema.version_hash
    assert as_json["tables"]["users"]["columns"]["id"] == {"nullable": False, "primary_key": True, "data_type": "bigint"}
    as_yaml = yaml.safe_load(schema.to_pretty_yaml())
    assert as_yaml["tables"]["users"]["write_disposition"] == "merge"
    assert schema.stored_version_hash == schema.version_hash and not schema.is_modified
    version = schema.version
    schema.update_column("users", {"name": "extra", "data_type": "text"})
    assert schema.is_modified and schema.version == version + 1
    assert schema.version_hash != schema.stored_version_hash


def test_import_file_is_written_once_and_user_edits_apply(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTERNAL_SCHEMA_FORMAT", "json")

    @dlt.source(name="chess")
    def chess(rows):
        return dlt.resource(rows, name="games", primary_key="game_id")

    pipeline = dlt.pipeline(pipeline_name="chess_files", destination="duckdb",
                            import_schema_path=str(tmp_path / "import"),
                            export_schema_path=str(tmp_path / "export"))
    pipeline.run(chess([{"game_id": 1, "rating": "1500"}]))
    import_file = tmp_path / "import" / "chess.schema.json"
    imported = json.loads(import_file.read_text())
    assert set(imported["tables"]["games"]["columns"]) == {"game_id"}
    exported = json.loads((tmp_path / "export" / "chess.schema.json").read_text())
    assert {"game_id", "rating", "_dlt_id", "_dlt_load_id"} == set(exported["tables"]["games"]["columns"])

    imported["tables"]["games"]["columns"]["opening"] = {"data_type": "json", "nullable": True}
    import_file.write_text(json.dumps(imported))
    pipeline.run(chess([{"game_id": 2, "rating": "1600", "opening": {"eco": "C20"}}]))
    assert pipeline.default_schema.get_table_columns("games")["opening"]["data_type"] == "json"
    assert pipeline.default_schema.data_table_names() == ["games"]
    stored = rows_of(pipeline, "games", "game_id")[1]["opening"]
    assert (json.loads(stored) if isinstance(stored, str) else stored) == {"eco": "C20"}
    assert json.loads(import_file.read_text()) == imported
    # an unchanged import file is not applied again: inferred columns stay
    pipeline.run(chess([{"game_id": 3, "rating": "1700"}]))
    assert "rating" in pipeline.default_schema.get_table_columns("games")


def test_explicit_schema_objects_and_several_schemas_in_one_pipeline():
    pipeline = dlt.pipeline(pipeline_name="explicit", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="first_table", schema=dlt.Schema("custom"))
    pipeline.run([{"id": 2}], table_name="second_table")
    pipeline.run([{"id": 3}], table_name="other_table", schema=dlt.Schema("other"))
    assert pipeline.default_schema_name == "custom"
    assert sorted(pipeline.schemas["custom"].data_table_names()) == ["first_table", "second_table"]
    assert pipeline.schemas["other"].data_table_names() == ["other_table"]
    assert rows_of(pipeline, "other_table")[0]["id"] == 3


def test_source_body_edits_its_schema_through_dlt_current():
    @dlt.source(schema=dlt.Schema("attached"))
    def events():
        dlt.current.source_schema().remove_type_detection("iso_timestamp")
        return dlt.resource([{"id": 1, "at": "2024-05-01T10:00:00Z"}], name="events")

    source = events()
    assert source.name == "attached"
    pipeline = dlt.pipeline(pipeline_name="attached_schema", destination="duckdb")
    pipeline.run(source)
    assert pipeline.schemas["attached"].get_table_columns("events")["at"]["data_type"] == "text"


def test_source_schema_outside_a_source_is_an_error():
    with pytest.raises(DltException, match="outside a source function"):
        dlt.current.source_schema()


def test_default_hints_in_settings_and_merge_hints_hint_new_columns(tmp_path):
    @dlt.source
    def hinted():
        @dlt.resource
        def items():
            yield [{"id": 1, "created_at": "x", "v": 2}]

        return items

    source = hinted()
    assert source.schema.settings["default_hints"]["not_null"][0] == "_dlt_id"
    source.schema.settings["default_hints"]["not_null"] = ["id"]
    source.schema.merge_hints({"unique": ["re:^created_"]})
    pipeline = dlt.pipeline(pipeline_name="default_hints", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.duckdb(str(tmp_path / "db.duckdb")))
    pipeline.run(source)
    columns = pipeline.default_schema.get_table_columns("items")
    assert columns["id"]["nullable"] is False and columns["created_at"].get("unique") is True
    assert columns["v"]["nullable"] is True
    with pipeline.sql_client() as client:
        assert client.execute_sql(
            "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name ="
            " 'items' AND column_name IN ('id', 'v') ORDER BY 1") == [("id", "NO"), ("v", "YES")]
    with pytest.raises(ValueError, match="not a column hint"):
        source.schema.merge_hints({"not_a_hint": ["x"]})
