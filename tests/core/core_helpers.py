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
