"""sql_database and sql_table on SQLite files: tables, views, credentials, types, backends,
adapters and errors, loaded into DuckDB."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa

import dlt
from dlt.sources.credentials import ConnectionStringCredentials
from dlt.sources.sql_database import remove_nullability_adapter, sql_database, sql_table



def rows(pipeline, sql):
    """The rows of a query on the pipeline's dataset."""
    with pipeline.sql_client() as client:
        return [tuple(r) for r in client.execute_sql(sql)]

def test_every_table_is_a_resource_and_views_come_on_request(shop_db):
    assert set(sql_database(shop_db).resources) == {"customers", "orders", "items"}
    assert "big_orders" in sql_database(shop_db, include_views=True).resources


def test_table_names_select_tables_and_an_unknown_one_names_the_database(shop_db):
    assert set(sql_database(shop_db, table_names=["orders"]).resources) == {"orders"}
    with pytest.raises(sa.exc.NoSuchTableError) as missing:
        sql_database(shop_db, table_names=["nope"])
    message = str(missing.value)
    assert "'nope'" in message and "shop.db" in message and "customers" in message


def test_credentials_as_url_object_engine_and_config(shop_db, monkeypatch):
    for credentials in (shop_db, ConnectionStringCredentials(shop_db), sa.create_engine(shop_db)):
        assert len(list(sql_table(credentials, table="customers"))) == 3
    monkeypatch.setenv("SOURCES__SQL_DATABASE__CREDENTIALS", shop_db)
    monkeypatch.setenv("SOURCES__SQL_DATABASE__TABLE_NAMES", '["customers"]')
    assert set(sql_database().resources) == {"customers"}


def test_a_password_never_reaches_an_error_message():
    with pytest.raises(Exception) as failed:
        list(sql_table("postgresql+psycopg2://u:s3cr3t-pw@127.0.0.1:1/db", table="t"))
    assert "s3cr3t-pw" not in str(failed.value)


def test_reflected_primary_key_and_not_null_reach_the_schema(shop_db, pipeline):
    pipeline.run(sql_database(shop_db, table_names=["customers"]))
    columns = pipeline.default_schema.get_table("customers")["columns"]
    assert columns["id"]["primary_key"] is True
    assert columns["name"]["nullable"] is False
    assert rows(pipeline, "SELECT id, name, country FROM customers ORDER BY id") == [
        (1, "Ann", "DE"), (2, "Bo", "SE"), (3, "Cy", None)]


def test_reflection_levels_map_sql_types_to_dlt_types(shop_db):
    def columns(**kw):
        return sql_table(shop_db, table="items", **kw).compute_table_schema()["columns"]

    assert all("data_type" not in c for c in columns(reflection_level="minimal").values())
    full = columns()
    assert {k: v["data_type"] for k, v in full.items()} == {
        "id": "bigint", "name": "text", "price": "decimal", "ratio": "double", "active": "bool",
        "born": "date", "raw": "binary"}
    assert (full["price"]["precision"], full["price"]["scale"]) == (10, 2)
    assert "precision" not in full["name"]
    assert columns(reflection_level="full_with_precision")["name"]["precision"] == 30


def test_full_with_precision_sizes_integers_as_1_31(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'ints.db'}"
    engine = sa.create_engine(url)
    table = sa.Table("ints", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("small", sa.SmallInteger), sa.Column("big", sa.BigInteger))
    table.metadata.create_all(engine)
    engine.dispose()
    columns = sql_table(url, table="ints", reflection_level="full_with_precision").compute_table_schema()["columns"]
    # as 1.31: SMALLINT is a 32-bit integer; INTEGER and BIGINT are bigint without a size
    assert columns["small"]["precision"] == 32
    assert "precision" not in columns["id"] and "precision" not in columns["big"]


def test_a_type_adapter_chooses_or_drops_types(shop_db):
    def adapter(sql_type):
        if isinstance(sql_type, sa.Numeric):
            return sa.Numeric(asdecimal=False)
        return None if isinstance(sql_type, sa.LargeBinary) else sql_type

    cols = sql_table(shop_db, table="items", type_adapter_callback=adapter).compute_table_schema()["columns"]
    assert cols["price"]["data_type"] == "double" and "data_type" not in cols["raw"]


def test_remove_nullability_adapter_and_column_selection(shop_db):
    cols = sql_table(shop_db, table="customers",
                     table_adapter_callback=remove_nullability_adapter).compute_table_schema()["columns"]
    assert cols["name"]["nullable"] is True
    assert list(sql_table(shop_db, table="items", included_columns=["id", "name"])
                .compute_table_schema()["columns"]) == ["id", "name"]
    with pytest.raises(ValueError, match="no_such_column"):
        sql_table(shop_db, table="items", excluded_columns=["no_such_column"])


@pytest.mark.parametrize("backend, item_type", [("pyarrow", pa.Table), ("pandas", pd.DataFrame)])
def test_arrow_backends_yield_typed_batches_of_chunk_size(shop_db, pipeline, backend, item_type):
    batches = list(sql_table(shop_db, table="items", backend=backend, chunk_size=2))
    assert [type(b) for b in batches] == [item_type, item_type] and sum(len(b) for b in batches) == 3
    pipeline.run(sql_table(shop_db, table="items", backend=backend))
    cols = pipeline.default_schema.get_table("items")["columns"]
    assert (cols["price"]["data_type"], cols["price"]["precision"], cols["price"]["scale"]) == ("decimal", 10, 2)
    got = rows(pipeline, "SELECT id, price, ratio, active, born, raw FROM items ORDER BY id")
    assert got[0] == (1, Decimal("12.50"), 0.5, True, dt.date(2000, 2, 29), b"\x01")
    assert got[2] == (3, None, None, None, None, None)


def test_the_arrow_batches_carry_reflected_types(shop_db):
    (table,) = list(sql_table(shop_db, table="items", backend="pyarrow"))
    assert table.schema.field("price").type == pa.decimal128(10, 2)
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("born").type == pa.date32()


def test_the_garbage_collector_runs_between_batches_and_after_reading(shop_db):
    import gc

    enabled_between_batches = [gc.isenabled() for _ in sql_table(shop_db, table="orders",
                                                                  backend="pyarrow", chunk_size=1)]

    assert enabled_between_batches == [True] * 4
    assert gc.isenabled()


def test_sqlalchemy_backend_yields_dicts_in_chunks(shop_db):
    resource = sql_table(shop_db, table="orders", chunk_size=3).add_limit(1)
    assert len(list(resource)) == 3
    first = list(sql_table(shop_db, table="items"))[0]
    assert first["price"] == Decimal("12.50") and first["active"] is True


def test_query_adapter_two_and_four_argument_forms(shop_db):
    def two(query, table):
        return query.where(table.c.amount >= 100)

    seen = {}

    def four(query, table, incremental, engine):
        seen.update(incremental=incremental, engine=engine)
        return sa.text(f"SELECT * FROM {table.fullname} WHERE amount < 100")

    assert sorted(r["id"] for r in sql_table(shop_db, table="orders", query_adapter_callback=two)) == [11, 12]
    assert sorted(r["id"] for r in sql_table(shop_db, table="orders", query_adapter_callback=four)) == [10, 13]
    assert seen["incremental"] is None and isinstance(seen["engine"], sa.engine.Engine)


def test_incremental_is_pushed_into_the_query_and_kept_between_runs(shop_db, pipeline):
    statements = []

    def record(query, table):
        statements.append(str(query))
        return query

    def orders():
        return sql_table(shop_db, table="orders", query_adapter_callback=record,
                         incremental=dlt.sources.incremental(
                             "updated_at", initial_value=dt.datetime(2024, 1, 2), row_order="asc"))

    pipeline.run(orders())
    assert "WHERE orders.updated_at >=" in statements[0] and "ORDER BY orders.updated_at ASC" in statements[0]
    assert [r[0] for r in rows(pipeline, "SELECT id FROM orders ORDER BY id")] == [11, 12, 13]
    pipeline.run(orders())
    assert pipeline.last_trace.last_normalize_info.row_counts.get("orders", 0) == 0


def test_end_value_bounds_the_window(shop_db):
    got = sql_table(shop_db, table="orders", incremental=dlt.sources.incremental(
        "updated_at", initial_value=dt.datetime(2024, 1, 1), end_value=dt.datetime(2024, 1, 3)))
    assert sorted(r["id"] for r in got) == [10, 11]


def test_an_unknown_cursor_column_is_named(shop_db):
    resource = sql_table(shop_db, table="orders", incremental=dlt.sources.incremental("nope", initial_value=1))
    with pytest.raises(Exception, match="'nope'.*'orders'"):
        list(resource)


def test_an_unknown_backend_is_refused(shop_db):
    with pytest.raises(ValueError, match="backend='arrow'"):
        sql_table(shop_db, table="orders", backend="arrow")


def test_connection_string_credentials_to_url_is_a_sqlalchemy_url_that_masks_the_password():
    import sqlalchemy as sa
    from dlt.common.configuration.specs import ConnectionStringCredentials

    credentials = ConnectionStringCredentials(
        "postgresql://loader:s3cr3t@localhost:5432/dlt_data?sslmode=require&connect_timeout=15")
    url = credentials.to_url()
    assert isinstance(url, sa.engine.URL)
    assert str(url) == "postgresql://loader:***@localhost:5432/dlt_data?connect_timeout=15&sslmode=require"
    assert url.render_as_string(hide_password=False).startswith("postgresql://loader:s3cr3t@localhost:5432/")
    sqlite = ConnectionStringCredentials("sqlite:///some.db").to_url()
    assert sa.create_engine(sqlite).url.database == "some.db"
