"""The filesystem source on real files in a temp folder: listing, FileItem helpers, readers and
incremental loading into DuckDB."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import time
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dlt
from dlt.sources.filesystem import FileItemDict, filesystem, read_csv, read_jsonl, read_parquet, readers


@pytest.fixture
def bucket(tmp_path):
    """A folder of csv, jsonl, parquet, gzip and text files; its path."""
    data = tmp_path / "data"
    (data / "csv" / "2024").mkdir(parents=True)
    (data / "readme.txt").write_text("hello\n")
    (data / "csv" / "2024" / "jan.csv").write_text("city,temp\nLondon,5\nBerlin,3\n")
    (data / "csv" / "feb.csv").write_text("city;temp\nParis;7\n")
    (data / "events.jsonl").write_text("\n".join(json.dumps({"id": i}) for i in range(5)) + "\n")
    (data / "packed.txt.gz").write_bytes(gzip.compress(b"zipped\n"))
    pq.write_table(pa.table({"k": list(range(25))}), data / "numbers.parquet")
    return str(data)


@pytest.fixture
def pipeline(tmp_path):
    """A fresh pipeline into DuckDB."""
    return dlt.pipeline(pipeline_name=f"fs_{uuid.uuid4().hex[:8]}", destination="duckdb",
                        dataset_name="files", pipelines_dir=str(tmp_path / "pipelines"))


def q(pipeline, sql):
    with pipeline.sql_client() as client:
        return [tuple(r) for r in client.execute_sql(sql)]


def test_the_default_glob_lists_one_folder_and_double_star_recurses(bucket):
    names = sorted(f["file_name"] for f in filesystem(bucket_url=bucket))
    assert names == ["events.jsonl", "numbers.parquet", "packed.txt.gz", "readme.txt"]
    nested = sorted(f["relative_path"] for f in filesystem(bucket_url="file://" + bucket, file_glob="csv/**/*.csv"))
    assert nested == ["csv/2024/jan.csv", "csv/feb.csv"]


def test_file_items_carry_the_fields_of_dlt(bucket):
    (item,) = list(filesystem(bucket_url=bucket, file_glob="readme.txt"))
    assert isinstance(item, FileItemDict)
    assert item["file_url"] == "file://" + os.path.join(bucket, "readme.txt")
    assert (item["mime_type"], item["size_in_bytes"]) == ("text/plain", 6)
    assert item["modification_date"].tzinfo is not None
    assert abs(item["modification_date"].timestamp() - os.path.getmtime(os.path.join(bucket, "readme.txt"))) < 1
    assert item.read_bytes() == b"hello\n"
    with item.open(mode="r") as text:
        assert text.read() == "hello\n"


def test_gzip_files_open_decompressed_and_read_bytes_stays_raw(bucket):
    (item,) = list(filesystem(bucket_url=bucket, file_glob="*.gz"))
    assert item["encoding"] == "gzip"
    with item.open() as fh:
        assert fh.read() == b"zipped\n"
    assert gzip.decompress(item.read_bytes()) == b"zipped\n"


def test_extract_content_and_pages(bucket):
    pages = list(filesystem(bucket_url=bucket, files_per_page=3, extract_content=True).add_limit(1))
    assert len(pages) == 3 and all("file_content" in f for f in pages)


def test_readers_load_csv_jsonl_and_parquet(bucket, pipeline):
    pipeline.run([
        (filesystem(bucket_url=bucket, file_glob="csv/2024/*.csv") | read_csv()).with_name("temps"),
        (filesystem(bucket_url=bucket, file_glob="csv/feb.csv") | read_csv(sep=";")).with_name("semicolons"),
        (filesystem(bucket_url=bucket, file_glob="*.jsonl") | read_jsonl(chunksize=2)).with_name("events"),
        (filesystem(bucket_url=bucket, file_glob="*.parquet") | read_parquet(use_pyarrow=True)).with_name("nums"),
    ])
    assert q(pipeline, "SELECT city, temp FROM temps ORDER BY city") == [("Berlin", 3), ("London", 5)]
    assert q(pipeline, "SELECT city, temp FROM semicolons") == [("Paris", 7)]
    assert q(pipeline, "SELECT count(*) FROM events")[0][0] == 5
    assert q(pipeline, "SELECT sum(k) FROM nums")[0][0] == sum(range(25))


def test_a_piped_reader_loads_into_its_1_31_table_name(bucket, pipeline):
    pipeline.run([filesystem(bucket_url=bucket, file_glob="csv/2024/*.csv") | read_csv(),
                  filesystem(bucket_url=bucket, file_glob="*.jsonl") | read_jsonl()])
    assert q(pipeline, "SELECT city, temp FROM _read_csv ORDER BY city") == [("Berlin", 3), ("London", 5)]
    assert q(pipeline, "SELECT count(*) FROM _read_jsonl")[0][0] == 5
    assert (read_csv.name, read_jsonl.name, read_parquet.name) == ("_read_csv", "_read_jsonl", "_read_parquet")


def test_the_readers_source_offers_each_reader(bucket, pipeline):
    source = readers(bucket_url=bucket, file_glob="*.jsonl")
    assert {"read_csv", "read_jsonl", "read_parquet"} <= set(source.resources)
    pipeline.run(source.read_jsonl.with_name("from_readers"))
    assert q(pipeline, "SELECT count(*) FROM from_readers")[0][0] == 5


def test_incremental_on_modification_date_reads_only_new_files(tmp_path, pipeline):
    inbox = tmp_path / "inbox"
    inbox.mkdir()

    def put(name, minute):
        path = inbox / name
        path.write_text("n\n1\n")
        stamp = time.time() - 3600 + minute * 60
        os.utime(path, (stamp, stamp))

    def run():
        files = filesystem(bucket_url=str(inbox), file_glob="*.csv",
                           incremental=dlt.sources.incremental("modification_date"))
        pipeline.run((files | read_csv()).with_name("rows"))
        return pipeline.last_trace.last_normalize_info.row_counts.get("rows", 0)

    put("a.csv", 0)
    assert run() == 1
    assert run() == 0
    put("b.csv", 1)
    assert run() == 1


def test_row_order_sorts_the_listing_by_the_cursor(tmp_path):
    for minute, name in enumerate(["c.csv", "a.csv", "b.csv"]):
        path = tmp_path / name
        path.write_text("x\n")
        os.utime(path, (1_700_000_000 + minute * 60,) * 2)
    files = filesystem(bucket_url=str(tmp_path), incremental=dlt.sources.incremental(
        "modification_date", initial_value=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), row_order="asc"))
    assert [f["file_name"] for f in files] == ["c.csv", "a.csv", "b.csv"]


def test_an_unknown_protocol_is_a_clear_error():
    with pytest.raises(Exception, match="no-such-proto") as failed:
        list(filesystem(bucket_url="no-such-proto://bucket/x"))
    assert isinstance(failed.value.__cause__, ValueError)


def test_file_items_import_from_the_1_31_storages_path_too():
    from dlt.common.storages.fsspec_filesystem import FileItemDict as from_storages

    assert from_storages is FileItemDict
