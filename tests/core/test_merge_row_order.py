"""A merge table's rows sit in DuckDB in the order they were extracted.

The loader loads the format of a table's first job file first and its files in the order
normalize wrote them, and a DuckDB load with merge tables keeps insertion order (and puts the
connection's setting back after): the rows that a later incremental merge replaces (the ones
that came last) then fill whole row groups, which DuckDB drops instead of rewriting.
"""

from __future__ import annotations

import dlt
import duckdb

PAGE = 500


def _pages(start: int, count: int) -> list[list[dict]]:
    """Pages of items with a primary key; the table's first page takes the row path (it brings
    the columns) and the pages after it the Arrow path."""
    return [[{"id": i, "name": f"n{i}", "value": i * 2} for i in range(p, min(p + PAGE, start + count))]
            for p in range(start, start + count, PAGE)]


def _ids_in_storage_order(connection: duckdb.DuckDBPyConnection, table: str) -> list[int]:
    return connection.execute(f"SELECT list(id ORDER BY rowid) FROM {table}").fetchone()[0]


def test_a_merge_tables_rows_load_in_extraction_order(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", str(PAGE))
    connection = duckdb.connect(str(tmp_path / "order.duckdb"), config={"threads": 2})
    pipeline = dlt.pipeline(pipeline_name="merge_order", destination=dlt.destinations.duckdb(connection),
                            dataset_name="data")
    items = dlt.resource(_pages(0, 20_000), name="items", primary_key="id", write_disposition="merge")
    info = pipeline.run(items)
    formats = {job.job_file_info.file_format for job in info.load_packages[0].jobs["completed_jobs"]
               if job.job_file_info.table_name == "items"}
    assert formats == {"parquet", "arrow"}  # both paths, so the order of the formats matters
    assert _ids_in_storage_order(connection, "data.items") == list(range(20_000))

    # the second run replaces the last half: the rows left are the first half, in order
    updated = dlt.resource(_pages(10_000, 10_000), name="items", primary_key="id",
                           write_disposition="merge")
    pipeline.run(updated)
    assert _ids_in_storage_order(connection, "data.items") == list(range(20_000))
    assert connection.execute("SELECT count(*), sum(value) FROM data.items").fetchone() == (
        20_000, sum(range(20_000)) * 2)


def test_a_merge_load_gives_the_connection_its_insertion_order_setting_back(tmp_path):
    connection = duckdb.connect(str(tmp_path / "setting.duckdb"), config={"preserve_insertion_order": False})
    pipeline = dlt.pipeline(pipeline_name="merge_setting", destination=dlt.destinations.duckdb(connection))
    statements: list[str] = []
    from dlt.destinations import sql_client as sql_client_module

    execute = sql_client_module.SqlClient.execute_sql

    def recorded(self, sql, *args):
        statements.append(sql)
        return execute(self, sql, *args)

    sql_client_module.SqlClient.execute_sql = recorded
    try:
        pipeline.run(dlt.resource([{"id": 1}, {"id": 2}], name="t", primary_key="id",
                                  write_disposition="merge"))
    finally:
        sql_client_module.SqlClient.execute_sql = execute
    assert "SET preserve_insertion_order = true" in statements
    assert statements.index("SET preserve_insertion_order = false") > statements.index(
        "SET preserve_insertion_order = true")
    assert connection.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is False
