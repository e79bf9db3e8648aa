"""Helpers shared by dlt-core's tests."""

from __future__ import annotations


def rows_of(pipeline, table, order_by=None):
    """All rows of a table in the pipeline's dataset as dicts."""
    with pipeline.sql_client() as client:
        name = client.make_qualified_table_name(table)
        order = f" ORDER BY {order_by}" if order_by else ""
        with client.execute_query(f"SELECT * FROM {name}{order}") as cursor:
            columns = [d[0] for d in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]


def with_checked_table(pipeline):
    """Give `pipeline` a table `checked` whose CHECK constraint refuses amounts <= 0: rows that
    break it make a terminal load job error."""
    pipeline.run([{"id": 1, "amount": 5}], table_name="checked")
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("checked")
        client.execute_sql(f"DROP TABLE {table}")
        client.execute_sql(f"CREATE TABLE {table} (id BIGINT, amount BIGINT CHECK (amount > 0),"
                           " _dlt_load_id VARCHAR, _dlt_id VARCHAR)")
