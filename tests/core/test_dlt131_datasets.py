"""Datasets, state and schemas that dlt 1.31 wrote are taken over where they stand: a pipeline
that ran on 1.31 runs on here from its stored cursor, and what is written here is in 1.31's
formats (state engine 4 with 1.31's typed JSON, schema engine 11 with its `normalizers`).

`data/dlt131_migdt.sql` is dataset `d` as dlt 1.31.0 (DuckDB 1.5.6) left it after one run of
`_events(10)` below into DuckDB, dumped as SQL. Runs in the other direction (1.31 reading what
was written here) are in tests/upgrade (the `upgrade` nox session, with the real dlt 1.31).
"""

from __future__ import annotations

import base64
import json
import zlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import duckdb
import pytest

import dlt
from dlt.destinations.sql_job_client import decode_state, encode_state
from dlt.pipeline.exceptions import CannotRestorePipelineException
from dlt.utils import typed_json

DUMP_131 = Path(__file__).parent / "data" / "dlt131_migdt.sql"
BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _events(n):
    @dlt.resource(primary_key="id", write_disposition="merge", name="events")
    def events(updated=dlt.sources.incremental("updated_at", initial_value=BASE)):
        for i in range(n):
            yield {"id": i, "updated_at": BASE + timedelta(hours=i), "amount": Decimal("1.25") * i}
    return events


def _dataset_of_131(path):
    with duckdb.connect(str(path)) as connection:
        connection.execute(DUMP_131.read_text())


def test_a_pipeline_that_ran_on_dlt_131_resumes_from_its_datetime_cursor(tmp_path):
    path = tmp_path / "dt.duckdb"
    _dataset_of_131(path)
    pipeline = dlt.pipeline("migdt", destination=dlt.destinations.duckdb(str(path)),
                            dataset_name="d")
    info = pipeline.run(_events(15))
    assert info.has_failed_jobs is False
    with pipeline.sql_client() as client:
        rows = client.execute_sql(
            "SELECT count(*), count(DISTINCT id), max(updated_at), sum(amount) FROM events")
        new_rows = client.execute_sql(
            "SELECT min(id), count(*) FROM events WHERE _dlt_load_id <> '1796356185.0862706'")
    assert rows[0][:2] == (15, 15)
    assert rows[0][2] == BASE + timedelta(hours=14)
    assert rows[0][3] == sum(Decimal("1.25") * i for i in range(15))
    assert new_rows == [(10, 5)], "only rows after the cursor 1.31 stored are loaded"
    cursor = pipeline.state["sources"]["migdt"]["resources"]["events"]["incremental"]["updated_at"]
    assert cursor["start_value"] == BASE + timedelta(hours=9)
    assert cursor["last_value"] == BASE + timedelta(hours=14)


def test_what_is_stored_is_in_the_formats_of_dlt_131(tmp_path):
    path = tmp_path / "dt.duckdb"
    _dataset_of_131(path)
    pipeline = dlt.pipeline("migdt", destination=dlt.destinations.duckdb(str(path)),
                            dataset_name="d")
    pipeline.run(_events(12))
    with duckdb.connect(str(path), read_only=True) as connection:
        version, engine, document = connection.execute(
            "SELECT version, engine_version, schema FROM d._dlt_version"
            " ORDER BY inserted_at DESC LIMIT 1").fetchone()
        state_engine, state_text = connection.execute(
            "SELECT engine_version, state FROM d._dlt_pipeline_state"
            " ORDER BY version DESC LIMIT 1").fetchone()
    schema = decode_state(document)
    assert engine == schema["engine_version"] == 11
    assert schema["normalizers"] == {
        "names": "snake_case",
        "json": {"module": "dlt.common.normalizers.json.relational",
                 "config": {"propagation": {"tables": {"events": {"_dlt_id": "_dlt_root_id"}}}}}}
    assert "naming" not in schema["settings"]
    state = decode_state(state_text)
    assert state_engine == state["_state_engine_version"] == 4
    # the cursor is kept with 1.31's private-use marker of a datetime
    raw = zlib.decompress(base64.b64decode(state_text)).decode()
    assert '"last_value":"\uf0272024-01-01T11:00:00+00:00"' in raw


def test_typed_json_writes_the_markers_of_dlt_131():
    value = {"d": datetime(2024, 1, 1, tzinfo=timezone.utc), "dec": Decimal("1.5"), "b": b"xy",
             "u": UUID(int=1), "date": date(2024, 1, 1)}
    # the text dlt 1.31's json.typed_dumps gives for the same value
    assert typed_json.dumps(value, sort_keys=False).decode() == (
        '{"d":"\uf0272024-01-01T00:00:00+00:00","dec":"\uf0261.5","b":"\uf02beHk=",'
        '"u":"00000000-0000-0000-0000-000000000001","date":"\uf0282024-01-01"}')
    back = typed_json.loads(typed_json.dumps(value))
    assert back == {**value, "u": "00000000-0000-0000-0000-000000000001"}


def test_state_written_by_this_dlt_before_is_still_read():
    text = json.dumps({"last_value": {"__dlt_type__": "datetime", "v": "2024-01-01T09:00:00+00:00"},
                       "amount": {"__dlt_type__": "decimal", "v": "1.25"},
                       "day": {"__dlt_type__": "date", "v": "2024-01-02"}})
    assert typed_json.loads(text) == {"last_value": BASE + timedelta(hours=9),
                                      "amount": Decimal("1.25"), "day": date(2024, 1, 2)}
    assert decode_state(encode_state({"cursor": BASE})) == {"cursor": BASE}


def test_a_string_that_only_looks_marked_stays_a_string():
    assert typed_json.loads('["\uf027not a date", "\uf026", "plain"]') == [
        "\uf027not a date", "\uf026", "plain"]


SCHEMA_131 = """
version: 1
version_hash: nIro6KEZL+ZHTUWmacprXSnc3mDGEZ/QBmZI3BOCqyk=
engine_version: 11
name: shop
tables:
  Orders:
    columns:
      OrderId:
        nullable: false
        primary_key: true
    write_disposition: merge
    resource: Orders
settings:
  detections:
  - iso_timestamp
normalizers:
  names: sql_cs_v1
  json:
    module: dlt.common.normalizers.json.relational
    config:
      max_nesting: 1
      propagation:
        tables:
          Orders:
            _dlt_id: _dlt_root_id
"""


def test_a_schema_exported_by_dlt_131_keeps_its_naming_and_nesting():
    schema = dlt.Schema.from_text(SCHEMA_131)
    assert schema.naming.name == "sql_cs_v1"
    assert schema.settings["max_table_nesting"] == 1
    document = schema.to_dict()
    assert document["engine_version"] == 11
    assert document["normalizers"]["names"] == "sql_cs_v1"
    assert document["normalizers"]["json"]["config"]["max_nesting"] == 1
    assert document["normalizers"]["json"]["config"]["propagation"] == {
        "tables": {"Orders": {"_dlt_id": "_dlt_root_id"}}}
    assert "naming" not in document["settings"]
    assert "max_table_nesting" not in document["settings"]
    again = dlt.Schema.from_dict(document)
    assert again.naming.name == "sql_cs_v1" and again.settings["max_table_nesting"] == 1


def _working_dir_of_131(pipelines_dir, name, destination_name):
    """A working dir with the state.json dlt 1.31 writes: the destination by its type, a name
    only for a named destination."""
    folder = pipelines_dir / name
    folder.mkdir(parents=True)
    (folder / "state.json").write_bytes(typed_json.dumps({
        "_state_version": 1, "_state_engine_version": 4, "pipeline_name": name,
        "default_schema_name": name, "schema_names": [name], "dataset_name": "d",
        "destination_type": "dlt.destinations.duckdb", "destination_name": destination_name,
        "_version_hash": "x", "_local": {"first_run": False}}))


def test_the_destination_of_a_working_dir_of_dlt_131_is_restored(tmp_path):
    _working_dir_of_131(tmp_path, "plain", None)
    pipeline = dlt.pipeline("plain", pipelines_dir=str(tmp_path))
    assert pipeline.destination is not None and pipeline.destination.name == "duckdb"
    _working_dir_of_131(tmp_path, "named", "warehouse")
    pipeline = dlt.pipeline("named", pipelines_dir=str(tmp_path))
    assert pipeline.destination.name == "warehouse"
    assert pipeline.destination.destination_type == "dlt.destinations.duckdb"


def test_the_state_is_the_document_dlt_131_writes_for_the_same_run(tmp_path):
    """Keys, values and version hash as dlt 1.31.0 left them after the same run (only the
    machine-local `_local` part differs)."""
    pipeline = dlt.pipeline("stx", pipelines_dir=str(tmp_path / "pipelines"),
                            destination=dlt.destinations.duckdb(str(tmp_path / "st.duckdb")),
                            dataset_name="d")
    pipeline.run([{"id": 1}], table_name="t")
    shared = {key: value for key, value in pipeline.state.items() if key != "_local"}
    assert shared == {
        "_state_engine_version": 4, "_state_version": 1,
        "_version_hash": "CJAHwuQRte0llc0fj30nurdVsbkirMOevYm6My8foYo=", "dataset_name": "d",
        "default_schema_name": "stx", "destination_name": None,
        "destination_type": "dlt.destinations.duckdb", "pipeline_name": "stx",
        "schema_names": ["stx"]}


def test_attach_finds_a_pipeline_where_dlt_131_keeps_it(tmp_path, monkeypatch):
    """Not in this dlt's default pipelines dir: `dlt.attach(name)` opens the working dir dlt
    1.31 left in its own default (`$DLT_DATA_DIR/pipelines` here); an explicit pipelines_dir
    is searched alone."""
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt131"))
    _working_dir_of_131(tmp_path / "dlt131" / "pipelines", "legacy", None)
    attached = dlt.attach("legacy")
    assert attached.working_dir == tmp_path / "dlt131" / "pipelines" / "legacy"
    assert attached.destination.name == "duckdb" and attached.dataset_name == "d"
    with pytest.raises(CannotRestorePipelineException):
        dlt.attach("legacy", pipelines_dir=str(tmp_path / "elsewhere"))
