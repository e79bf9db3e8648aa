"""The filesystem destination: formats, compression, `layout` placeholders, replace, the
bookkeeping files dlt 1.31 writes, and state restored from the bucket."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import dlt
from dlt.destinations.impl.filesystem import layout as layouts
from dlt.destinations.impl.filesystem.layout import CantExtractTablePrefix, InvalidFilesystemLayout

WHEN = datetime(2024, 4, 14, 13, 5, 6, 789000, tzinfo=timezone.utc)  # a Sunday in Q2


def data_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)).replace("\\", "/") for p in root.rglob("*")
                  if p.is_file() and not p.name == "init" and not str(p.relative_to(root)).startswith("_dlt"))


def test_date_placeholders_render_like_pendulum_tokens_lower_cased():
    path = layouts.make_file_path(
        "{YYYY}/{YY}/{MMMM}/{MMM}/{MM}/{M}/{DD}/{D}/{HH}/{mm}/{ss}/{SSS}/{dddd}/{ddd}/{dd}/{d}/{Q}/{timestamp}/{curr_date}",
        schema_name="s", table_name="t", load_id="1700000000.5", file_id="0", ext="jsonl", current_datetime=WHEN)
    assert path.split("/") == ["2024", "24", "april", "apr", "04", "4", "14", "14", "13", "05", "06", "789",
                               "sunday", "sun", "su", "0", "2", str(int(WHEN.timestamp())), "2024-04-14.jsonl"]


def test_without_current_datetime_the_package_time_is_used_and_callables_are_called():
    path = layouts.make_file_path("{YYYY}-{MM}/{load_package_timestamp}/{x}", schema_name="s", table_name="t",
                                  load_id="1700000000.5", file_id="0", ext="csv",
                                  extra_placeholders={"x": lambda *args: "-".join(map(str, args))})
    assert path == "2023-11/1700000000/s-t-1700000000.5-0-csv.csv"
    assert layouts.make_file_path("{YYYY}", schema_name="s", table_name="t", load_id="1.0", file_id="0",
                                  ext="jsonl", current_datetime=lambda: WHEN) == "2024.jsonl"


def test_a_separator_that_table_names_may_contain_is_warned_about(tmp_path, caplog):
    dest = dlt.destinations.filesystem(str(tmp_path / "b"), layout="{table_name}_{load_id}.{file_id}")
    dlt.pipeline(pipeline_name="fs_unsafe", destination=dest).run([{"a": 1}], table_name="t")
    assert "separates {table_name} with '_'" in caplog.text


def test_bad_layouts_are_refused_before_loading(tmp_path):
    with pytest.raises(InvalidFilesystemLayout, match="unknown placeholders nope"):
        layouts.check_layout("{table_name}/{nope}")
    with pytest.raises(CantExtractTablePrefix, match="load_id come"):
        layouts.table_prefix_layout("{load_id}/{table_name}/{file_id}")
    dest = dlt.destinations.filesystem(str(tmp_path / "b"), layout="{table_name}/{owner}.{ext}")
    with pytest.raises(Exception, match="owner"):
        dlt.pipeline(pipeline_name="fs_bad_layout", destination=dest).run([{"a": 1}], table_name="t")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_each_format_is_written_compressed_and_read_back(tmp_path, fmt):
    bucket = tmp_path / "bucket"
    pipeline = dlt.pipeline(pipeline_name=f"fs_{fmt}", destination=dlt.destinations.filesystem(str(bucket)),
                            dataset_name="ds")
    rows = [{"id": 1, "when": WHEN, "label": "a,b"}, {"id": 2, "when": WHEN, "label": None}]
    info = pipeline.run(rows, table_name="events", loader_file_format=fmt)
    (name,) = data_files(bucket / "ds")
    assert name.startswith(f"events/{info.loads_ids[0]}.")
    path = bucket / "ds" / name
    if fmt == "parquet":
        assert name.endswith(".parquet") and pq.read_table(path).column("label").to_pylist() == ["a,b", None]
    else:
        assert name.endswith(f".{fmt}.gz")
        text = gzip.open(path, "rt").read()
        if fmt == "csv":
            header, *body = list(csv.reader(io.StringIO(text)))
            assert header[:3] == ["id", "when", "label"] and body[0][2] == "a,b"
        else:
            assert json.loads(text.splitlines()[0])["label"] == "a,b"
    with pipeline.sql_client() as client:
        got = client.execute_sql("SELECT id, label, \"when\" FROM events ORDER BY id")
    assert [(r[0], r[1]) for r in got] == [(1, "a,b"), (2, None)] and got[0][2] == WHEN


def test_disable_compression_writes_plain_files(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_WRITER__DISABLE_COMPRESSION", "true")
    pipeline = dlt.pipeline(pipeline_name="fs_plain", destination=dlt.destinations.filesystem(str(tmp_path / "b")),
                            dataset_name="ds")
    pipeline.run([{"a": 1}], table_name="t", loader_file_format="csv")
    (name,) = data_files(tmp_path / "b" / "ds")
    assert name.endswith(".csv") and (tmp_path / "b" / "ds" / name).read_text().splitlines()[0].startswith('"a",')


def test_replace_under_a_partitioned_layout_removes_only_that_tables_files(tmp_path):
    dest = dlt.destinations.filesystem(f"file://{tmp_path / 'b'}", layout="{table_name}/{YYYY}/{load_id}.{file_id}.{ext}",
                                       current_datetime=WHEN)
    pipeline = dlt.pipeline(pipeline_name="fs_replace", destination=dest, dataset_name="ds")
    pipeline.run([{"id": 1, "kids": [1, 2]}], table_name="ev")
    pipeline.run([{"id": 9}], table_name="other")
    pipeline.run([{"id": 2, "kids": [3]}], table_name="ev")
    assert len([f for f in data_files(tmp_path / "b" / "ds") if f.startswith("ev/2024/")]) == 2
    info = pipeline.run([{"id": 3, "kids": [4]}], table_name="ev", write_disposition="replace")
    files = data_files(tmp_path / "b" / "ds")
    ev = [f for f in files if f.startswith("ev/2024/")]
    assert len(ev) == 1 and info.loads_ids[0] in ev[0]
    assert len([f for f in files if f.startswith("ev__kids/2024/")]) == 1
    assert len([f for f in files if f.startswith("other/2024/")]) == 1
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT id FROM ev") == [(3,)]
        assert client.execute_sql("SELECT value FROM ev__kids") == [(4,)]


def test_bookkeeping_files_and_state_restore_from_the_bucket(tmp_path):
    bucket = tmp_path / "b"

    @dlt.resource
    def ticks(upto, t=dlt.sources.incremental("t", initial_value=0)):
        yield [{"t": i} for i in range(1, upto + 1)]

    first = dlt.pipeline(pipeline_name="fs_state", destination=dlt.destinations.filesystem(str(bucket)),
                         dataset_name="ds", pipelines_dir=str(tmp_path / "p1"))
    info = first.run(ticks(2))
    root = bucket / "ds"
    assert json.loads((root / "init").read_text()) == {"initial_version": 2, "current_version": 2}
    assert [p.name for p in (root / "_dlt_loads").iterdir()] == [f"{first.default_schema_name}__{info.loads_ids[0]}.jsonl"]
    (state_file,) = (root / "_dlt_pipeline_state").iterdir()
    assert state_file.name.startswith(f"fs_state__{info.loads_ids[0]}__")
    (version_file,) = (root / "_dlt_version").iterdir()
    assert json.loads(version_file.read_text())["schema_name"] == first.default_schema_name
    second = dlt.pipeline(pipeline_name="fs_state", destination=dlt.destinations.filesystem(str(bucket)),
                          dataset_name="ds", pipelines_dir=str(tmp_path / "p2"))
    second.run(ticks(4))
    with second.sql_client() as client:
        assert [r[0] for r in client.execute_sql("SELECT t FROM ticks ORDER BY t")] == [1, 2, 3, 4]
