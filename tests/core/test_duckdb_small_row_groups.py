"""Loads of schemas with wide tables attach the DuckDB file with small row groups, so DuckDB
writes a package's rows out as they come instead of holding them all until the commit; every
other load, and every file open elsewhere in the process, keeps DuckDB's usual connection."""

from __future__ import annotations

import duckdb
import pytest

import dlt
from dlt.destinations.impl.duckdb.attached_files import SMALL_ROW_GROUP_ROWS, AttachedFiles, attached_files

WIDE_COLUMNS = 120
ROWS = 40_000


def wide_rows(rows: int = ROWS, offset: int = 0):
    for page in range(offset, offset + rows, 1_000):
        yield [{"id": i, **{f"c_{c:03d}": i + c for c in range(WIDE_COLUMNS)}} for i in range(page, page + 1_000)]


def narrow_rows(rows: int = ROWS):
    for page in range(0, rows, 1_000):
        yield [{"id": i, "value": f"v{i}"} for i in range(page, page + 1_000)]


def largest_row_group(path, dataset: str, table: str) -> int:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(
            f"SELECT max(count) FROM pragma_storage_info('{dataset}.{table}') WHERE column_id = 0").fetchone()[0]


def test_a_wide_table_is_written_in_small_row_groups_and_every_row_arrives(tmp_path):
    path = tmp_path / "wide.duckdb"
    pipeline = dlt.pipeline(pipeline_name="wide_row_groups", destination=dlt.destinations.duckdb(str(path)))
    info = pipeline.run(dlt.resource(wide_rows(), name="wide"))
    assert info.row_counts["wide"] == ROWS
    assert largest_row_group(path, pipeline.dataset_name, "wide") == SMALL_ROW_GROUP_ROWS
    with duckdb.connect(str(path)) as connection:  # the file is free again after the load
        assert connection.execute(f"SELECT count(*), sum(c_119) FROM {pipeline.dataset_name}.wide").fetchone() == (
            ROWS, sum(i + 119 for i in range(ROWS)))
    assert not attached_files.is_attached(str(path))


def test_a_narrow_schema_keeps_duckdbs_default_row_groups(tmp_path):
    path = tmp_path / "narrow.duckdb"
    pipeline = dlt.pipeline(pipeline_name="narrow_row_groups", destination=dlt.destinations.duckdb(str(path)))
    pipeline.run(dlt.resource(narrow_rows(), name="narrow"))
    assert largest_row_group(path, pipeline.dataset_name, "narrow") == ROWS


def test_a_wide_load_shares_the_file_while_another_dlt_connection_holds_it_open(tmp_path):
    path = tmp_path / "held.duckdb"
    narrow = dlt.pipeline(pipeline_name="held_narrow", destination=dlt.destinations.duckdb(str(path)))
    narrow.run(dlt.resource(narrow_rows(1_000), name="narrow"))
    wide = dlt.pipeline(pipeline_name="held_wide", destination=dlt.destinations.duckdb(str(path)))
    with narrow.sql_client() as held:
        # the file is open the usual way: the wide load shares that DuckDB
        info = wide.run(dlt.resource(wide_rows(5_000), name="wide"))
        assert info.row_counts["wide"] == 5_000
        assert held.execute_sql(f"SELECT count(*) FROM {wide.dataset_name}.wide") == [(5_000,)]
        assert held.execute_sql(f"SELECT max(count) FROM pragma_storage_info('{wide.dataset_name}.wide')"
                                " WHERE column_id = 0") == [(5_000,)]


def test_dlts_connections_during_a_wide_load_share_the_attached_file(tmp_path):
    path = tmp_path / "shared.duckdb"
    pipeline = dlt.pipeline(pipeline_name="shared_attach", destination=dlt.destinations.duckdb(str(path)))
    pipeline.run(dlt.resource(wide_rows(2_000), name="wide"))
    files = AttachedFiles()
    first, release_first, rows = files.connect(str(path), {}, small_row_groups=True)
    second, release_second, _ = files.connect(str(path), {}, small_row_groups=False)
    assert rows == SMALL_ROW_GROUP_ROWS and release_first and release_second
    first.execute(f"INSERT INTO {pipeline.dataset_name}.wide SELECT * REPLACE (-1 AS id)"
                  f" FROM {pipeline.dataset_name}.wide LIMIT 1")
    assert second.execute(f"SELECT count(*) FROM {pipeline.dataset_name}.wide").fetchone() == (2_001,)
    first.close()
    release_first()
    assert files.is_attached(str(path))  # the second cursor still uses it
    second.close()
    release_second()
    assert not files.is_attached(str(path))
    with duckdb.connect(str(path)) as connection:
        assert connection.execute(f"SELECT count(*) FROM {pipeline.dataset_name}.wide").fetchone() == (2_001,)


@pytest.mark.parametrize("name", ["main.duckdb", "temp.duckdb", "a.b.duckdb", "it's.duckdb"])
def test_an_attached_file_has_the_catalog_name_duckdb_gives_it(tmp_path, name):
    with duckdb.connect(str(tmp_path / name)) as connection:
        expected = connection.execute("SELECT current_database()").fetchone()
    files = AttachedFiles()
    connection, release, rows = files.connect(str(tmp_path / name), {}, small_row_groups=True)
    assert rows == SMALL_ROW_GROUP_ROWS
    assert connection.execute("SELECT current_database()").fetchone() == expected
    connection.close()
    release()


def test_a_file_named_like_the_in_memory_catalog_is_opened_the_usual_way(tmp_path):
    files = AttachedFiles()
    connection, release, rows = files.connect(str(tmp_path / "memory.duckdb"), {}, small_row_groups=True)
    try:
        assert release is None and rows is None
        assert connection.execute("SELECT current_database()").fetchone() == ("memory",)
        assert connection.execute("SELECT path FROM duckdb_databases() WHERE database_name = 'memory'"
                                  ).fetchone()[0].endswith("memory.duckdb")
    finally:
        connection.close()


def test_a_second_wide_load_merges_into_small_row_groups_and_keeps_every_row(tmp_path):
    path = tmp_path / "merge.duckdb"
    pipeline = dlt.pipeline(pipeline_name="wide_merge", destination=dlt.destinations.duckdb(str(path)))
    resource = dlt.resource(wide_rows(20_000), name="wide", primary_key="id", write_disposition="merge")
    pipeline.run(resource)
    updated = dlt.resource(wide_rows(20_000, offset=10_000), name="wide", primary_key="id", write_disposition="merge")
    pipeline.run(updated)
    with duckdb.connect(str(path)) as connection:
        assert connection.execute(f"SELECT count(*), count(DISTINCT id), max(id) FROM {pipeline.dataset_name}.wide"
                                  ).fetchone() == (30_000, 30_000, 29_999)
