"""sql_database on a real PostgreSQL: schemas, PostgreSQL types with both backends, incremental
on a timestamptz column."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

import dlt
from dlt.sources.sql_database import sql_database, sql_table



def rows(pipeline, sql):
    """The rows of a query on the pipeline's dataset."""
    with pipeline.sql_client() as client:
        return [tuple(r) for r in client.execute_sql(sql)]

@pytest.fixture
def pg_schema(pg_url):
    """A fresh schema with an `accounts` table of PostgreSQL types; dropped afterwards."""
    name = f"s_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(pg_url)
    with engine.begin() as con:
        con.execute(sa.text(f"""
            CREATE SCHEMA {name};
            CREATE TABLE {name}.accounts (
                id bigint PRIMARY KEY, handle varchar(16) NOT NULL, balance numeric(12, 4),
                active boolean, updated_at timestamptz NOT NULL, prefs jsonb, avatar bytea);
            CREATE TABLE {name}.other (n int);
            INSERT INTO {name}.accounts VALUES
              (1, 'ann', 1234.5678, true, '2024-05-01 10:00:00+02', '{{"theme": "dark"}}', '\\x0102'),
              (2, 'bo', -0.0001, false, '2024-05-02 12:30:00+00', NULL, NULL);
        """))
    yield name
    with engine.begin() as con:
        con.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))
    engine.dispose()


def test_schema_selects_the_tables_of_one_schema(pg_url, pg_schema):
    assert set(sql_database(pg_url, schema=pg_schema).resources) == {"accounts", "other"}


@pytest.mark.parametrize("backend", ["sqlalchemy", "pyarrow"])
def test_postgres_types_survive_both_backends(pg_url, pg_schema, pipeline, backend):
    pipeline.run(sql_table(pg_url, table="accounts", schema=pg_schema, backend=backend))
    cols = pipeline.default_schema.get_table("accounts")["columns"]
    assert {c: cols[c]["data_type"] for c in ("id", "handle", "balance", "active", "updated_at", "prefs", "avatar")} == {
        "id": "bigint", "handle": "text", "balance": "decimal", "active": "bool",
        "updated_at": "timestamp", "prefs": "json", "avatar": "binary"}
    assert cols["updated_at"]["timezone"] is True
    first = rows(pipeline, "SELECT balance, updated_at, prefs, avatar FROM accounts WHERE id = 1")[0]
    assert first[0] == Decimal("1234.5678")
    assert first[1].astimezone(dt.timezone.utc) == dt.datetime(2024, 5, 1, 8, tzinfo=dt.timezone.utc)
    prefs = first[2] if isinstance(first[2], dict) else json.loads(first[2])
    assert prefs == {"theme": "dark"} and bytes(first[3]) == b"\x01\x02"


def test_incremental_on_timestamptz(pg_url, pg_schema, pipeline):
    def accounts():
        return sql_table(pg_url, table="accounts", schema=pg_schema, write_disposition="merge",
                         incremental=dlt.sources.incremental(
                             "updated_at", initial_value=dt.datetime(2024, 5, 2, tzinfo=dt.timezone.utc)))

    pipeline.run(accounts())
    assert pipeline.last_trace.last_normalize_info.row_counts["accounts"] == 1
    engine = sa.create_engine(pg_url)
    with engine.begin() as con:
        con.execute(sa.text(f"UPDATE {pg_schema}.accounts SET handle = 'ann2',"
                            " updated_at = '2024-06-01 00:00:00+00' WHERE id = 1"))
    engine.dispose()
    pipeline.run(accounts())
    assert rows(pipeline, "SELECT id, handle FROM accounts ORDER BY id") == [(1, "ann2"), (2, "bo")]
