"""Arrow data at extract: parquet item files in bounded row groups, big tables written in
parallel slices, streams of small tables gathered into full row groups."""

from __future__ import annotations

import itertools

import dlt
import pyarrow as pa
import pyarrow.parquet as pq
from dlt.common.parquet import ROW_GROUP_BYTES, ROW_GROUP_ROWS, row_group_rows
from dlt.extract.arrow_files import ArrowItemsFile


def numbers(start: int, count: int) -> pa.Table:
    ids = pa.array(range(start, start + count), pa.int64())
    return pa.table({"id": ids, "name": pa.array([f"n{i}" for i in range(start, start + count)])})


def item_files(folder):
    return sorted(folder.glob("*.parquet"), key=lambda p: int(p.name.split(".")[1]))


def read_ids(files) -> list[int]:
    return [i for f in files for i in pq.read_table(f).column("id").to_pylist()]


def counter():
    return itertools.count(1).__next__


def test_a_big_table_is_written_in_slices_of_whole_row_groups(tmp_path):
    writer = ArrowItemsFile(tmp_path, "big", counter(), rows_per_file=100_000)
    writer.add(numbers(0, 300_000))
    writer.close()
    files = item_files(tmp_path)
    assert len(files) == 3
    assert read_ids(files) == list(range(300_000))
    for f in files:
        metadata = pq.read_metadata(f)
        assert all(metadata.row_group(i).num_rows <= ROW_GROUP_ROWS for i in range(metadata.num_row_groups))


def test_a_stream_of_small_tables_fills_whole_row_groups(tmp_path):
    writer = ArrowItemsFile(tmp_path, "stream", counter())
    for start in range(0, 250_000, 5_000):
        writer.add(numbers(start, 5_000))
    writer.close()
    files = item_files(tmp_path)
    assert len(files) == 1
    metadata = pq.read_metadata(files[0])
    groups = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert groups == [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 250_000 - 2 * ROW_GROUP_ROWS]
    assert read_ids(files) == list(range(250_000))


def test_a_new_schema_starts_a_new_file(tmp_path):
    writer = ArrowItemsFile(tmp_path, "changing", counter())
    writer.add(numbers(0, 10))
    writer.add(numbers(10, 10).append_column("extra", pa.array([True] * 10)))
    writer.close()
    files = item_files(tmp_path)
    assert [pq.read_schema(f).names for f in files] == [["id", "name"], ["id", "name", "extra"]]
    assert read_ids(files) == list(range(20))


def test_wide_rows_make_smaller_row_groups():
    wide = pa.table({"text": pa.array(["x" * 2_000] * 1_000)})
    assert row_group_rows(wide) < ROW_GROUP_ROWS
    assert row_group_rows(wide) * wide.nbytes // wide.num_rows <= ROW_GROUP_BYTES
    assert row_group_rows(numbers(0, 1_000)) == ROW_GROUP_ROWS


def test_big_tables_and_streams_load_every_row():
    pipeline = dlt.pipeline(pipeline_name="arrow_files", destination="duckdb")

    @dlt.resource(name="stream")
    def stream():
        for start in range(0, 60_000, 2_000):
            yield numbers(start, 2_000)

    info = pipeline.run([dlt.resource(numbers(0, 400_000), name="big"), stream()])
    assert info.row_counts == {"big": 400_000, "stream": 60_000}
    with pipeline.sql_client() as client:
        for table, n in (("big", 400_000), ("stream", 60_000)):
            name = client.make_qualified_table_name(table)
            count, distinct, total = client.execute_sql(f"SELECT count(*), count(DISTINCT id), sum(id) FROM {name}")[0]
            assert (count, distinct, total) == (n, n, n * (n - 1) // 2)
