"""`pipeline.dataset()` / `dlt.dataset()` on DuckDB and the filesystem destination: tables as
relations, relation operations, SQL strings, row counts and load ids."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

import dlt


def users():
    for i in range(1, 13):
        yield {"id": i, "name": f"user{i:02d}", "city": "berlin" if i % 3 == 0 else "paris",
               "orders": [{"order_id": i * 100 + j, "total": j * 10} for j in range(i % 3)]}


@pytest.fixture(params=["duckdb", "filesystem"])
def loaded(request, tmp_path):
    if request.param == "duckdb":
        destination = dlt.destinations.duckdb(str(tmp_path / "ds.duckdb"))
    else:
        destination = dlt.destinations.filesystem(str(tmp_path / "bucket"))
    pipeline = dlt.pipeline(pipeline_name="ds_test", destination=destination, dataset_name="shop")
    info = pipeline.run(users(), table_name="users")
    return pipeline, info


def test_tables_are_reachable_three_ways(loaded):
    pipeline, _ = loaded
    ds = pipeline.dataset()
    assert ds.dataset_name == "shop"
    for name in ("users", "users__orders", "_dlt_loads"):
        assert name in ds.tables
    for relation in (ds.users, ds["users"], ds.table("users")):
        assert sorted(relation.select("id").fetchall()) == [(i,) for i in range(1, 13)]


def test_unknown_tables_raise_key_value_and_attribute_errors(loaded):
    ds = loaded[0].dataset()
    with pytest.raises(KeyError):
        ds["nope"]
    with pytest.raises(ValueError, match="not in dataset shop"):
        ds.table("nope")
    with pytest.raises(AttributeError):
        ds.nope  # noqa: B018


def test_table_columns_follow_the_schema(loaded):
    ds = loaded[0].dataset()
    frame = ds.users.df()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["id", "name", "city", "_dlt_load_id", "_dlt_id"]
    assert ds.users.columns == ["id", "name", "city", "_dlt_load_id", "_dlt_id"]
    table = ds["users__orders"].arrow()
    assert isinstance(table, pa.Table) and table.num_rows == 12


def test_limit_head_select_and_order_by(loaded):
    users_rel = loaded[0].dataset().users
    assert len(users_rel.limit(4).fetchall()) == 4
    assert len(users_rel.head().fetchall()) == 5
    assert users_rel.select("name", "id").order_by("id").limit(2).fetchall() == [("user01", 1), ("user02", 2)]
    assert users_rel[["id", "city"]].order_by("id", "desc").fetchone() == (12, "berlin")
    with pytest.raises(KeyError):
        users_rel[["no_such_column"]]
    with pytest.raises(ValueError, match="sort order"):
        users_rel.order_by("id", "up")


def test_where_with_operators_and_raw_sql(loaded):
    users_rel = loaded[0].dataset().users.select("id").order_by("id")
    assert users_rel.where("id", "in", [7, 2, 5]).fetchall() == [(2,), (5,), (7,)]
    assert users_rel.where("id", "not_in", list(range(3, 13))).fetchall() == [(1,), (2,)]
    assert users_rel.where("id", "gte", 11).fetchall() == [(11,), (12,)]
    assert users_rel.where("name", "eq", "user03").fetchall() == [(3,)]
    assert users_rel.where("city = 'berlin'").where("id", "lt", 7).fetchall() == [(3,), (6,)]
    with pytest.raises(ValueError, match="not an operator"):
        users_rel.where("id", "like", 1)


def test_max_min_and_fetchscalar(loaded):
    users_rel = loaded[0].dataset().users
    assert users_rel.select("id").max().fetchscalar() == 12
    assert users_rel.where("city", "eq", "berlin").select("id").min().fetchscalar() == 3
    # an aggregate over a limited, ordered relation aggregates the limited rows
    assert users_rel.select("id").order_by("id", "desc").limit(3).min().fetchscalar() == 10
    with pytest.raises(ValueError, match="exactly one selected column"):
        users_rel.max()
    with pytest.raises(ValueError, match="one row with one column"):
        users_rel.select("id").fetchscalar()


def test_join_along_the_nested_table_reference(loaded):
    ds = loaded[0].dataset()
    joined = (ds["users"].join("users__orders", alias="o").select("id", "o__order_id", "o__total")
              .order_by("o__order_id").fetchall())
    expected = sorted(((i, i * 100 + j, j * 10) for i in range(1, 13) for j in range(i % 3)),
                      key=lambda r: r[1])
    assert joined == expected
    # and the other way round, with a left join keeping nothing extra (every order has a user)
    back = ds["users__orders"].join("users", kind="left").select("order_id", "users__name").order_by("order_id")
    assert back.fetchone() == (100, "user01")
    with pytest.raises(ValueError, match="join kind"):
        ds.users.join("users__orders", kind="sideways")


def test_relations_are_immutable(loaded):
    base = loaded[0].dataset().users
    base.limit(1)
    base.select("id")
    base.where("id", "eq", 1)
    assert len(base.fetchall()) == 12


def test_chunked_reads_of_a_chained_relation(loaded):
    chain = loaded[0].dataset().users.select("id", "name").order_by("id").limit(10)
    assert [len(c) for c in chain.iter_fetch(chunk_size=4)] == [4, 4, 2]
    assert [len(f) for f in chain.iter_df(chunk_size=4)] == [4, 4, 2]
    assert [t.num_rows for t in chain.iter_arrow(chunk_size=4)] == [4, 4, 2]


def test_sql_strings_resolve_unqualified_tables(loaded):
    ds = loaded[0].dataset()
    rel = ds("SELECT city, count(*) AS n FROM users GROUP BY city ORDER BY city")
    assert rel.fetchall() == [("berlin", 4), ("paris", 8)]
    assert ds.query("SELECT city, count(*) AS n FROM users GROUP BY city").columns == ["city", "n"]
    # a SQL relation can be refined further
    assert rel.where("n", "gt", 5).select("city").fetchall() == [("paris",)]


def test_row_counts_and_its_options(loaded):
    pipeline, info = loaded
    ds = pipeline.dataset()
    assert list(ds.row_counts().df().columns) == ["table_name", "row_count"]
    assert dict(ds.row_counts().fetchall()) == {"users": 12, "users__orders": 12}
    assert ds.row_counts(table_names=["users"]).fetchall() == [("users", 12)]
    with_dlt = dict(ds.row_counts(dlt_tables=True).fetchall())
    assert with_dlt["_dlt_loads"] == 1
    by_load = dict(ds.row_counts(load_id=info.loads_ids[0]).fetchall())
    assert by_load == {"users": 12}
    assert dict(ds.row_counts(load_id="no-such-load").fetchall()) == {"users": 0}


def test_load_ids_and_latest_load_id(loaded):
    pipeline, info = loaded
    second = pipeline.run([{"id": 99, "name": "late", "city": "rome"}], table_name="users")
    ds = pipeline.dataset()
    assert ds.load_ids() == [info.loads_ids[0], second.loads_ids[0]]
    assert ds.latest_load_id() == second.loads_ids[0]


def test_with_dataset_keeps_one_connection(loaded):
    ds = loaded[0].dataset()
    with ds:
        connection = ds.sql_client.native_connection
        assert len(ds.users.fetchall()) == 12
        assert ds.sql_client.native_connection is connection
        assert len(ds["users__orders"].fetchall()) == 12
    assert ds.sql_client.native_connection is None


def test_dataset_with_an_explicit_schema_name(loaded):
    pipeline, _ = loaded
    ds = pipeline.dataset(schema=pipeline.default_schema_name)
    assert ds.schema.name == pipeline.default_schema_name
    assert "users" in ds.tables


def test_standalone_dataset_reads_the_schema_stored_in_duckdb(tmp_path):
    path = str(tmp_path / "alone.duckdb")
    pipeline = dlt.pipeline(pipeline_name="alone", destination=dlt.destinations.duckdb(path), dataset_name="solo")
    pipeline.run([{"a": 1}, {"a": 2}], table_name="things")
    ds = dlt.dataset(dlt.destinations.duckdb(path), "solo")
    assert ds.schema.name == pipeline.default_schema_name
    assert sorted(ds.things.select("a").fetchall()) == [(1,), (2,)]


def test_relation_to_sql_is_quoted_and_qualified(tmp_path):
    path = str(tmp_path / "q.duckdb")
    pipeline = dlt.pipeline(pipeline_name="q", destination=dlt.destinations.duckdb(path), dataset_name="d")
    pipeline.run([{"a": 1}], table_name="t")
    sql = pipeline.dataset().t.select("a").where("a", "eq", "x'y").limit(3).to_sql()
    assert sql == """SELECT "t"."a" AS "a" FROM "q"."d"."t" AS "t" WHERE "t"."a" = 'x''y' LIMIT 3"""


def test_filesystem_parquet_and_jsonl_files_of_one_table_read_as_one_view(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="fs_mixed", dataset_name="mixed",
                            destination=dlt.destinations.filesystem(str(tmp_path / "bucket")))
    pipeline.run([{"id": 1, "label": "a"}], table_name="items")
    pipeline.run([{"id": 2, "label": "b"}], table_name="items", loader_file_format="parquet")
    ds = pipeline.dataset()
    assert ds.items.select("id", "label").order_by("id").fetchall() == [(1, "a"), (2, "b")]
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM items WHERE id > %s", 0) == [(2,)]
        assert client.execute_sql("SELECT count(*) FROM _dlt_version") == [(1,)]


def test_a_sql_querys_columns_have_data_types_and_named_columns_keep_their_schema(loaded):
    pipeline, _ = loaded
    query = pipeline.dataset()(
        "SELECT id, name, CAST(id AS DOUBLE) / 2 AS half, count(*) AS n, CAST(id AS VARCHAR) AS label"
        " FROM users GROUP BY id, name")
    schema = query.columns_schema
    assert schema["id"] == pipeline.default_schema.tables["users"]["columns"]["id"]
    assert schema["name"]["nullable"] is True and schema["name"]["data_type"] == "text"
    assert {name: schema[name] for name in ("half", "n", "label")} == {
        "half": {"name": "half", "data_type": "double"}, "n": {"name": "n", "data_type": "bigint"},
        "label": {"name": "label", "data_type": "text"}}


def test_a_computed_column_of_a_table_relation_has_its_data_type(loaded):
    pipeline, _ = loaded
    assert pipeline.dataset().users.select("id").max().columns_schema == {
        "max": {"name": "max", "data_type": "bigint"}}
