"""What lands in PostgreSQL: column types from dlt's hints, every job file format, indexes,
and reading back through `sql_client()` and `dataset()` with dlt 1.31's semantics."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

import dlt

TYPED_ROW = {
    "n": 2**62, "f": 1.25, "price": Decimal("12.345"), "label": "short", "ok": True,
    "seen": dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone.utc),
    "seen_local": dt.datetime(2024, 7, 30, 10, 0, 0, 123000, tzinfo=dt.timezone.utc),
    "day": dt.date(2024, 2, 29), "at": dt.time(12, 30, 1, 500000),
    "doc": {"a": [1, 2], "b": None, "s": "x'y"}, "blob": b"\x00\xff\\x",
}
TYPED_COLUMNS = {
    "price": {"data_type": "decimal", "precision": 12, "scale": 3},
    "label": {"data_type": "text", "precision": 10},
    "seen_local": {"data_type": "timestamp", "timezone": False, "precision": 3},
    "doc": {"data_type": "json"},
}


def column_types(connection: Any, schema: str, table: str) -> dict[str, tuple[Any, ...]]:
    rows = connection.execute(
        "SELECT column_name, data_type, numeric_precision, numeric_scale,"
        " character_maximum_length, datetime_precision FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = %s", (schema, table)).fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.mark.parametrize("file_format", ["parquet", "jsonl", "csv"])
def test_every_type_round_trips_in_every_job_format(pipeline: Any, pg_connection: Any,
                                                    file_format: str) -> None:
    pipeline.run([TYPED_ROW], table_name="typed", columns=TYPED_COLUMNS, loader_file_format=file_format)
    jobs = pipeline.last_trace.last_load_info.load_packages[0].jobs["completed_jobs"]
    assert {j.file_format for j in jobs if j.table_name == "typed"} == {file_format}
    with pipeline.sql_client() as client:
        (row,) = client.execute_sql(f"SELECT {', '.join(TYPED_ROW)} FROM typed")
    loaded = dict(zip(TYPED_ROW, row))
    expected = {**TYPED_ROW, "seen_local": dt.datetime(2024, 7, 30, 10, 0, 0, 123000)}
    assert loaded == expected


def test_column_types_follow_the_hints(pipeline: Any, pg_connection: Any) -> None:
    pipeline.run([TYPED_ROW], table_name="typed", columns=TYPED_COLUMNS)
    types = column_types(pg_connection, pipeline.dataset_name, "typed")
    assert {name: t[0] for name, t in types.items() if name in TYPED_ROW} == {
        "n": "bigint", "f": "double precision", "price": "numeric", "label": "character varying",
        "ok": "boolean", "seen": "timestamp with time zone",
        "seen_local": "timestamp without time zone", "day": "date", "at": "time without time zone",
        "doc": "jsonb", "blob": "bytea",
    }
    assert types["price"][1:3] == (12, 3)
    assert types["label"][3] == 10
    assert types["seen_local"][4] == 3


def test_arrow_tables_load_through_binary_copy(pipeline: Any) -> None:
    table = pa.table({"id": pa.array(range(10_000), pa.int64()),
                      "name": pa.array([None if i % 7 == 0 else f"n{i}" for i in range(10_000)])})
    info = pipeline.run(table, table_name="arrow_rows")
    (job,) = info.load_packages[0].jobs["completed_jobs"][:1]
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*), count(name), sum(id) FROM arrow_rows")[0] == (
            10_000, 10_000 - 1429, sum(range(10_000)))
    assert job.file_format in ("arrow", "parquet")


def test_unique_index_on_dlt_id_unless_create_indexes_is_off(postgres_url: str, dataset_name: str,
                                                             pg_connection: Any, tmp_path: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def indexes(pipeline_name: str, dataset: str) -> list[str]:
        pipeline = dlt.pipeline(pipeline_name=pipeline_name, destination=dlt.destinations.postgres(postgres_url),
                                dataset_name=dataset, pipelines_dir=str(tmp_path))
        pipeline.run([{"x": 1}], table_name="plain")
        return [r[0] for r in pg_connection.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = 'plain'", (dataset,))]

    assert any("UNIQUE" in d and "(_dlt_id)" in d for d in indexes("with_indexes", dataset_name))
    monkeypatch.setenv("DESTINATION__POSTGRES__CREATE_INDEXES", "false")
    other = dataset_name + "_noidx"
    try:
        assert indexes("without_indexes", other) == []
    finally:
        pg_connection.execute(f"DROP SCHEMA IF EXISTS {other} CASCADE")


def test_sql_client_has_the_dataset_on_the_search_path_and_takes_percent_s(pipeline: Any) -> None:
    pipeline.run([{"id": 1, "v": "a%"}, {"id": 2, "v": "b"}], table_name="items")
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT v FROM items WHERE id = %s", 2) == [("b",)]
        assert client.execute_sql("SELECT count(*) FROM items WHERE v LIKE 'a%%' AND id > %s", 0) == [(1,)]
        assert client.execute_sql("SELECT count(*) FROM items WHERE v LIKE 'a%'") == [(1,)]
        qualified = client.make_qualified_table_name("items")
        assert qualified == f'"{pipeline.dataset_name}"."items"'
        with client.execute_query("SELECT id FROM items ORDER BY id") as cursor:
            assert cursor.df()["id"].tolist() == [1, 2]


def test_dataset_reads_tables_and_sql(pipeline: Any) -> None:
    pipeline.run([{"id": i, "tags": ["a", "b"]} for i in range(5)], table_name="items")
    dataset = pipeline.dataset()
    assert dataset.items.df()["id"].sort_values().tolist() == [0, 1, 2, 3, 4]
    assert dataset["items"].select("id").where("id", "in", [1, 2]).order_by("id").fetchall() == [(1,), (2,)]
    assert dataset("SELECT count(*) FROM items__tags").fetchall() == [(10,)]
    counts = dataset.row_counts().fetchall()
    assert dict(counts)["items"] == 5


@pytest.mark.parametrize("strategy", ["truncate-and-insert", "insert-from-staging", "staging-optimized"])
def test_replace_strategies_replace_rows_and_nested_rows(pipeline: Any, strategy: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__REPLACE_STRATEGY", strategy)
    pipeline.run([{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": ["c"]}], table_name="items",
                 write_disposition="replace")
    pipeline.run([{"id": 3, "tags": ["z"]}], table_name="items", write_disposition="replace")
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT id FROM items") == [(3,)]
        assert client.execute_sql("SELECT value FROM items__tags") == [("z",)]


def test_long_table_names_are_shortened_to_63_bytes(pipeline: Any, pg_connection: Any) -> None:
    name = "a_table_name_much_longer_than_what_postgresql_keeps_in_its_catalog_of_relations"
    pipeline.run([{"id": 1}], table_name=name)
    pipeline.run([{"id": 2}], table_name=name)
    tables = [r[0] for r in pg_connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
        " AND table_name NOT LIKE '\\_dlt%%'", (pipeline.dataset_name,))]
    assert len(tables) == 1 and len(tables[0].encode()) <= 63
    with pipeline.sql_client() as client:
        assert client.execute_sql(f'SELECT count(*) FROM "{tables[0]}"') == [(2,)]


def test_state_restores_from_the_destination_into_a_new_working_dir(postgres_url: str, dataset_name: str,
                                                                     tmp_path: Any) -> None:
    @dlt.resource(name="ticks")
    def ticks(upto: int, t: Any = dlt.sources.incremental("t", initial_value=0)) -> Any:
        yield [{"t": i} for i in range(1, upto + 1)]

    def new_pipeline(folder: str) -> Any:
        return dlt.pipeline(pipeline_name="restore", destination=dlt.destinations.postgres(postgres_url),
                            dataset_name=dataset_name, pipelines_dir=str(tmp_path / folder))

    new_pipeline("first").run(ticks(3))
    fresh = new_pipeline("second")
    fresh.run(ticks(5))
    with fresh.sql_client() as client:
        assert [r[0] for r in client.execute_sql("SELECT t FROM ticks ORDER BY t")] == [1, 2, 3, 4, 5]
    assert os.path.isdir(tmp_path / "second")
