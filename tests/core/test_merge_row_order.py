"""A merge table's rows sit in DuckDB in the order they were extracted.

The loader loads the format of a table's first job file first and its files in the order
normalize wrote them, and on DuckDB the statements of a merge chain keep insertion order (the
other tables' INSERTs do not, and the connection's setting goes back): the rows that a later
incremental merge replaces (the ones that came last) then fill whole row groups, which DuckDB
drops instead of rewriting.
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


def test_only_a_merge_chain_keeps_insertion_order_and_the_setting_goes_back(tmp_path):
    connection = duckdb.connect(str(tmp_path / "setting.duckdb"), config={"preserve_insertion_order": False})
    pipeline = dlt.pipeline(pipeline_name="merge_setting", destination=dlt.destinations.duckdb(connection))
    statements: list[str] = []
    order_at_insert: dict[str, bool] = {}
    from dlt.destinations import sql_client as sql_client_module

    execute = sql_client_module.SqlClient.execute_sql

    def recorded(self, sql, *args):
        statements.append(sql)
        if sql.startswith(("INSERT INTO", "DELETE FROM")):
            target = sql.split(" BY NAME")[0].split(" (")[0].split(" WHERE")[0].rsplit(".", 1)[-1]
            order_at_insert[target] = execute(self, "SELECT current_setting('preserve_insertion_order')")[0][0]
        return execute(self, sql, *args)

    merged = dlt.resource([{"id": 1, "tags": [1, 2]}, {"id": 2, "tags": [3]}], name="merged",
                          primary_key="id", write_disposition="merge")
    appended = dlt.resource([{"id": i} for i in range(100)], name="appended")
    sql_client_module.SqlClient.execute_sql = recorded
    try:
        info = pipeline.run([merged, appended])
    finally:
        sql_client_module.SqlClient.execute_sql = execute
    assert info.has_failed_jobs is False
    # the merge chain's temporary tables, the merge into the table and its child: order kept
    assert [kept for target, kept in order_at_insert.items() if target.startswith("_dlt_merge_rows")] == [True, True]
    assert order_at_insert['"merged"'] is True and order_at_insert['"merged__tags"'] is True
    assert order_at_insert['"appended"'] is False
    assert statements.count("SET preserve_insertion_order = true") == 3  # two INSERTs, the merge
    assert statements[-1] != "SET preserve_insertion_order = true"
    assert connection.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is False
    dataset = pipeline.dataset_name
    assert connection.execute(f"SELECT count(*) FROM {dataset}.merged__tags").fetchone()[0] == 3
    assert connection.execute(f"SELECT count(*) FROM {dataset}.appended").fetchone()[0] == 100


def test_a_failed_merge_load_gives_the_connection_its_insertion_order_setting_back(tmp_path):
    from dlt.pipeline.exceptions import PipelineStepFailed
    import pytest

    connection = duckdb.connect(str(tmp_path / "failed.duckdb"), config={"preserve_insertion_order": False})
    pipeline = dlt.pipeline(pipeline_name="merge_failed", destination=dlt.destinations.duckdb(connection))
    rows = [{"id": i, "v": i} for i in range(100)]
    rows[50]["v"] = None
    resource = dlt.resource(rows, name="t", primary_key="id", write_disposition="merge",
                            columns={"v": {"data_type": "bigint", "nullable": False}})
    with pytest.raises(PipelineStepFailed):
        pipeline.run(resource)
    assert connection.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is False


def _memory_limits_set(pipeline, resource) -> tuple[list[str], str]:
    """The `SET memory_limit` statements of a run, and the connection's limit after it."""
    from dlt.destinations import sql_client as sql_client_module

    statements: list[str] = []
    execute = sql_client_module.SqlClient.execute_sql

    def recorded(self, sql, *args):
        if sql.startswith("SET memory_limit"):
            statements.append(sql)
        return execute(self, sql, *args)

    sql_client_module.SqlClient.execute_sql = recorded
    try:
        pipeline.run(resource)
    finally:
        sql_client_module.SqlClient.execute_sql = execute
    with pipeline.sql_client() as client:
        limit = client.execute_sql("SELECT current_setting('memory_limit')")[0][0]
    return statements, limit


def test_a_merge_load_makes_room_for_the_rows_its_temporary_tables_hold(tmp_path):
    import pyarrow as pa

    rows = 600_000
    table = pa.table({"id": pa.array(range(rows), pa.int64()),
                      "name": pa.array([f"name-{i:012d}" for i in range(rows)])})
    # the same rows appended fit dlt's default cap: no raise
    appended = dlt.pipeline(pipeline_name="cap_append", destination=dlt.destinations.duckdb(str(tmp_path / "a.duckdb")))
    statements, limit = _memory_limits_set(appended, dlt.resource(table, name="t"))
    assert statements == [] and limit.replace(" ", "") == "61.0MiB"  # DuckDB shows 64MB in MiB
    # merged, they wait in a temporary table until the merge: the cap goes up for the load
    merged = dlt.pipeline(pipeline_name="cap_merge", destination=dlt.destinations.duckdb(str(tmp_path / "m.duckdb")))
    statements, limit = _memory_limits_set(merged, dlt.resource(table, name="t", primary_key="id",
                                                                write_disposition="merge"))
    raised = [s for s in statements if s != "SET memory_limit = '61.0 MiB'"]
    assert len(raised) == 1 and int(raised[0].split("'")[1].removesuffix("MiB")) > 64, statements
    assert statements[-1] == "SET memory_limit = '61.0 MiB'" and limit.replace(" ", "") == "61.0MiB"
    with merged.sql_client() as client:
        assert client.execute_sql("SELECT count(*), count(DISTINCT id) FROM t")[0] == (rows, rows)
