"""Arrow data at extract: Arrow IPC item files in bounded batches, streams of small tables
gathered into full batches; at normalize and load: the files are DuckDB's jobs as they are,
and become parquet where the format or the destination asks for it."""

from __future__ import annotations

import itertools
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
from dlt.utils.arrow_ipc import IPC_BATCH_ROWS
from dlt.utils.parquet import ROW_GROUP_BYTES, ROW_GROUP_ROWS, row_group_rows
from dlt.extract.arrow_files import ArrowItemsFile
from dlt.pipeline.exceptions import UnsupportedFileFormat


def numbers(start: int, count: int) -> pa.Table:
    ids = pa.array(range(start, start + count), pa.int64())
    names = pa.array([f"n{i}" for i in range(start, start + count)], pa.string())
    return pa.table({"id": ids, "name": names})


def item_files(folder):
    return sorted(folder.glob("*.arrow"), key=lambda p: int(p.name.split(".")[1]))


def batch_sizes(path) -> list[int]:
    with pa.OSFile(str(path)) as source:
        reader = ipc.open_file(source)
        return [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]


def read_table(path) -> pa.Table:
    with pa.OSFile(str(path)) as source:
        return ipc.open_file(source).read_all()


def read_ids(files) -> list[int]:
    return [i for f in files for i in read_table(f).column("id").to_pylist()]


def counter():
    return itertools.count(1).__next__


def test_a_big_table_is_cut_into_files_of_bounded_batches(tmp_path):
    writer = ArrowItemsFile(tmp_path, "big", counter(), rows_per_file=100_000)
    writer.add(numbers(0, 300_000))
    writer.close()
    files = item_files(tmp_path)
    assert len(files) == 3
    assert read_ids(files) == list(range(300_000))
    for f in files:
        assert sum(batch_sizes(f)) == 100_000
        assert max(batch_sizes(f)) <= IPC_BATCH_ROWS


def test_a_stream_of_small_tables_fills_whole_batches(tmp_path):
    writer = ArrowItemsFile(tmp_path, "stream", counter())
    for start in range(0, 250_000, 5_000):
        writer.add(numbers(start, 5_000))
    writer.close()
    files = item_files(tmp_path)
    assert len(files) == 1
    assert batch_sizes(files[0]) == [IPC_BATCH_ROWS] * 7 + [250_000 - 7 * IPC_BATCH_ROWS]
    assert read_ids(files) == list(range(250_000))


def test_a_new_schema_starts_a_new_file(tmp_path):
    writer = ArrowItemsFile(tmp_path, "changing", counter())
    writer.add(numbers(0, 10))
    writer.add(numbers(10, 10).append_column("extra", pa.array([True] * 10)))
    writer.close()
    files = item_files(tmp_path)
    assert [read_table(f).schema.names for f in files] == [["id", "name"], ["id", "name", "extra"]]
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


def job_formats(pipeline, table: str) -> set[str]:
    """The file formats of the load jobs of `table` in the last loaded package."""
    load_id = pipeline.list_completed_load_packages()[-1]
    jobs = pipeline.get_load_package_info(load_id).jobs["completed_jobs"]
    return {job.job_file_info.file_format for job in jobs if job.job_file_info.table_name == table}


def loaded_ids(pipeline, table: str) -> list[int]:
    with pipeline.sql_client() as client:
        name = client.make_qualified_table_name(table)
        return [r[0] for r in client.execute_sql(f"SELECT id FROM {name} ORDER BY id")]


def test_arrow_tables_load_into_duckdb_from_arrow_ipc_jobs():
    pipeline = dlt.pipeline(pipeline_name="arrow_ipc_jobs", destination="duckdb")
    pipeline.run(dlt.resource(numbers(0, 1_000), name="numbers"))
    assert job_formats(pipeline, "numbers") == {"arrow"}
    assert loaded_ids(pipeline, "numbers") == list(range(1_000))


def test_an_explicit_parquet_format_turns_arrow_data_into_parquet_jobs_of_full_row_groups():
    pipeline = dlt.pipeline(pipeline_name="arrow_as_parquet", destination="duckdb")
    pipeline.run(dlt.resource(numbers(0, 300_000), name="numbers"), loader_file_format="parquet")
    assert job_formats(pipeline, "numbers") == {"parquet"}
    assert loaded_ids(pipeline, "numbers") == list(range(300_000))
    package = pipeline.get_load_package_info(pipeline.list_completed_load_packages()[-1])
    job = next(Path(package.package_path).glob("completed_jobs/numbers.*.parquet"))
    metadata = pq.read_metadata(job)
    groups = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    assert groups[:2] == [ROW_GROUP_ROWS, ROW_GROUP_ROWS] and sum(groups) == 300_000


def test_rows_can_be_loaded_from_arrow_ipc_jobs():
    pipeline = dlt.pipeline(pipeline_name="rows_as_arrow", destination="duckdb")
    rows = [{"id": i, "name": f"n{i}", "nested": {"a": i}} for i in range(100)]
    pipeline.run(dlt.resource(rows, name="rows"), loader_file_format="arrow")
    assert job_formats(pipeline, "rows") == {"arrow"}
    with pipeline.sql_client() as client:
        name = client.make_qualified_table_name("rows")
        assert client.execute_sql(f"SELECT count(*), sum(nested__a) FROM {name}")[0] == (100, 4950)


def test_arrow_files_of_two_schemas_load_into_one_table():
    pipeline = dlt.pipeline(pipeline_name="arrow_two_schemas", destination="duckdb")

    @dlt.resource(name="numbers")
    def two_schemas():
        yield numbers(0, 10)
        yield numbers(10, 10).append_column("extra", pa.array([True] * 10))

    pipeline.run(two_schemas())
    with pipeline.sql_client() as client:
        name = client.make_qualified_table_name("numbers")
        assert client.execute_sql(f"SELECT count(*), count(extra) FROM {name}")[0] == (20, 10)


def test_arrow_data_bound_for_a_parquet_destination_becomes_parquet(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="arrow_to_files",
                            destination=dlt.destinations.filesystem(bucket_url=str(tmp_path / "bucket")))
    pipeline.run(dlt.resource(numbers(0, 1_000), name="numbers"), loader_file_format="parquet")
    written = [f for f in (tmp_path / "bucket").rglob("*.parquet") if f.parent.name == "numbers"]
    assert written
    assert sorted(i for f in written for i in pq.read_table(f).column("id").to_pylist()) == list(range(1_000))


def test_a_file_format_the_destination_cannot_load_is_refused_before_extract():
    pipeline = dlt.pipeline(pipeline_name="arrow_refused", destination="duckdb")
    with pytest.raises(UnsupportedFileFormat, match="'xml' is not supported by destination duckdb"):
        pipeline.run([{"id": 1}], table_name="rows", loader_file_format="xml")
    assert not pipeline.has_pending_data


def test_upstream_formats_this_dlt_does_not_write_load_with_the_preferred_one(caplog):
    pipeline = dlt.pipeline(pipeline_name="insert_values_script", destination="duckdb")
    pipeline.run([{"id": 1}, {"id": 2}], table_name="rows", loader_file_format="insert_values")
    # DuckDB's preferred formats: parquet for the rows the row path made (the first item),
    # Arrow IPC for the ones the Arrow walk took
    assert job_formats(pipeline, "rows") <= {"parquet", "arrow"}
    assert "insert_values" not in job_formats(pipeline, "rows")
    assert loaded_ids(pipeline, "rows") == [1, 2]
    assert "loader_file_format 'insert_values' is not written by this dlt" in caplog.text


def test_an_empty_arrow_table_creates_its_table():
    pipeline = dlt.pipeline(pipeline_name="arrow_empty", destination="duckdb")
    pipeline.run(dlt.resource(numbers(0, 0), name="empty"))
    assert set(pipeline.default_schema.tables["empty"]["columns"]) >= {"id", "name"}
    assert loaded_ids(pipeline, "empty") == []


def test_arrow_items_extracted_as_parquet_by_an_earlier_version_still_load():
    pipeline = dlt.pipeline(pipeline_name="arrow_old_items", destination="duckdb")
    pipeline.extract(dlt.resource(numbers(0, 1_000), name="numbers"))
    # a package extracted before Arrow IPC items: the same data as a parquet item file
    load_id = pipeline.list_extracted_load_packages()[0]
    items = pipeline.storage.path("extracted", load_id) / "items"
    (arrow_item,) = items.glob("numbers.*.arrow")
    pq.write_table(read_table(arrow_item), arrow_item.with_suffix(".parquet"))
    arrow_item.unlink()
    pipeline.normalize()
    pipeline.load()
    # rewritten into DuckDB's job format for Arrow data
    assert job_formats(pipeline, "numbers") == {"arrow"}
    assert loaded_ids(pipeline, "numbers") == list(range(1_000))


def test_a_big_table_added_at_once_is_written_as_files_of_whole_row_groups_in_order(tmp_path):
    writer = ArrowItemsFile(tmp_path, "big", counter())
    writer.add(numbers(0, 300_001))
    writer.add(numbers(300_001, 10))
    writer.close()
    files = item_files(tmp_path)
    # two threads write the first files; the last stays open for the rows that follow
    assert [sum(batch_sizes(f)) for f in files] == [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 54_251]
    assert read_ids(files) == list(range(300_011))
    assert all(max(batch_sizes(f)) <= IPC_BATCH_ROWS for f in files)


@pytest.mark.parametrize("file_format", [None, "parquet"])
def test_an_arrow_column_of_only_nulls_is_left_out_until_data_gives_it_a_type(tmp_path, file_format):
    pipeline = dlt.pipeline("null_column", pipelines_dir=str(tmp_path / "p"), dataset_name="ds",
                            destination=dlt.destinations.duckdb(str(tmp_path / "n.duckdb")))
    first = pa.table({"id": [1, 2], "nothing": pa.nulls(2), "name": ["a", "b"]})
    pipeline.run(first, table_name="items", loader_file_format=file_format)
    assert sorted(pipeline.default_schema.get_table("items")["columns"]) == ["id", "name"]
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT * FROM items ORDER BY id") == [(1, "a"), (2, "b")]
    pipeline.run(pa.table({"id": [3], "nothing": ["now text"], "name": ["c"]}), table_name="items",
                 loader_file_format=file_format)
    # a typed column takes nulls from a later all-null column instead of being left out
    pipeline.run(pa.table({"id": [4], "nothing": pa.nulls(1), "name": ["d"]}), table_name="items",
                 loader_file_format=file_format)
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT id, name, nothing FROM items ORDER BY id") == [
            (1, "a", None), (2, "b", None), (3, "c", "now text"), (4, "d", None)]
