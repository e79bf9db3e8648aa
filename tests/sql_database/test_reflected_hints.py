"""The hints reflection gives a table (types, NOT NULL, primary key, precision and scale, naive
timestamps), as dlt 1.31 puts them into the schema and the DuckDB destination: with reflection
deferred to extract time, at "minimal" reflection with each backend, and for nested columns.
The expected values are what dlt 1.31.0 produced for the same tables."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dlt.sources.sql_database import sql_database, sql_table

BACKENDS = ["sqlalchemy", "pyarrow", "pandas"]


@pytest.fixture
def people_db(tmp_path: Path) -> str:
    """A SQLite file with `people`: a primary key, NOT NULL text, decimal and naive DATETIME
    columns, a nullable naive DATETIME and a JSON column; its URL."""
    path = tmp_path / "people.db"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL, country TEXT,
                             balance NUMERIC(10, 2) NOT NULL, seen DATETIME,
                             joined DATETIME NOT NULL, doc JSON);
        INSERT INTO people VALUES
            (1, 'Ann', 'DE', '1.50', '2024-01-01 10:00:00.000000', '2024-01-01 10:00:00.000000',
             '{"a": 1}'),
            (2, 'Bo', NULL, '2.25', NULL, '2024-01-02 10:00:00.000000', NULL);
        """
    )
    con.commit()
    con.close()
    return f"sqlite:///{path}"


def table_columns(pipeline, table: str = "people") -> dict:
    """The table's columns in the pipeline's schema, without dlt's own."""
    columns = pipeline.default_schema.get_table(table)["columns"]
    return {name: column for name, column in columns.items() if not name.startswith("_dlt")}


def not_null_in_duckdb(pipeline, table: str = "people") -> set[str]:
    """The columns DuckDB created NOT NULL, without dlt's own."""
    with pipeline.sql_client() as client:
        described = client.execute_sql(f"DESCRIBE {pipeline.dataset_name}.{table}")
    return {row[0] for row in described if row[2] == "NO" and not row[0].startswith("_dlt")}


def decimal_type_in_duckdb(pipeline, column: str, table: str = "people") -> str:
    with pipeline.sql_client() as client:
        described = client.execute_sql(f"DESCRIBE {pipeline.dataset_name}.{table}")
    return next(row[1] for row in described if row[0] == column)


FULL_HINTS = {
    "id": {"data_type": "bigint", "nullable": True, "primary_key": True},
    "name": {"data_type": "text", "nullable": False},
    "country": {"data_type": "text", "nullable": True},
    "balance": {"data_type": "decimal", "nullable": False, "precision": 10, "scale": 2},
    "seen": {"data_type": "timestamp", "nullable": True, "timezone": False},
    "joined": {"data_type": "timestamp", "nullable": False, "timezone": False},
}


def assert_full_hints(columns: dict) -> None:
    for name, expected in FULL_HINTS.items():
        assert {k: columns[name].get(k) for k in expected} == expected, name


@pytest.mark.parametrize("backend", ["sqlalchemy", "pyarrow"])
def test_deferred_reflection_of_sql_database_puts_the_reflected_hints_into_the_schema(
        people_db, pipeline, backend):
    pipeline.run(sql_database(people_db, table_names=["people"], backend=backend,
                              defer_table_reflect=True))
    columns = table_columns(pipeline)
    assert_full_hints(columns)
    assert columns["doc"]["data_type"] == "json"
    assert not_null_in_duckdb(pipeline) == {"name", "balance", "joined"}
    assert decimal_type_in_duckdb(pipeline, "balance") == "DECIMAL(10,2)"


@pytest.mark.parametrize("backend", BACKENDS)
def test_deferred_reflection_of_sql_table_puts_the_reflected_hints_into_the_schema(
        people_db, pipeline, backend):
    # without the JSON column: dlt 1.31 fails to load JSON read with the pandas backend
    pipeline.run(sql_table(people_db, table="people", backend=backend, defer_table_reflect=True,
                           excluded_columns=["doc"]))
    assert_full_hints(table_columns(pipeline))
    assert not_null_in_duckdb(pipeline) == {"name", "balance", "joined"}
    assert decimal_type_in_duckdb(pipeline, "balance") == "DECIMAL(10,2)"


def test_deferred_reflection_sees_only_the_selected_columns(people_db, pipeline):
    pipeline.run(sql_table(people_db, table="people", defer_table_reflect=True,
                           excluded_columns=["doc", "seen"]))
    assert set(table_columns(pipeline)) == {"id", "name", "country", "balance", "joined"}


def test_the_reflected_primary_key_wins_over_the_one_given_when_reflection_is_deferred(
        people_db, pipeline):
    # dlt 1.31 applies the hints reflected at extract time over those given to sql_table
    pipeline.run(sql_table(people_db, table="people", defer_table_reflect=True,
                           primary_key="name"))
    columns = table_columns(pipeline)
    assert columns["id"].get("primary_key") is True
    assert not columns["name"].get("primary_key")


def test_a_deferred_resource_iterated_directly_yields_only_rows(people_db):
    rows = list(sql_table(people_db, table="people", defer_table_reflect=True))
    assert [row["id"] for row in rows] == [1, 2]


@pytest.mark.parametrize("backend", ["sqlalchemy", "pyarrow"])
def test_minimal_reflection_keeps_not_null_and_the_primary_key(people_db, pipeline, backend):
    pipeline.run(sql_table(people_db, table="people", backend=backend,
                           reflection_level="minimal"))
    columns = table_columns(pipeline)
    assert {name for name, c in columns.items() if c.get("nullable") is False} == {
        "name", "balance", "joined"}
    assert columns["id"]["primary_key"] is True
    assert not_null_in_duckdb(pipeline) == {"name", "balance", "joined"}
    # no type from reflection: the timestamps' time zone is not known
    assert "timezone" not in columns["seen"]


def test_minimal_reflection_keeps_not_null_with_the_pandas_backend(people_db, pipeline):
    pipeline.run(sql_table(people_db, table="people", backend="pandas",
                           reflection_level="minimal", excluded_columns=["doc"]))
    assert not_null_in_duckdb(pipeline) == {"name", "balance", "joined"}


def test_minimal_reflection_leaves_json_columns_to_nesting_with_the_sqlalchemy_backend(
        people_db, pipeline):
    resource = sql_table(people_db, table="people", reflection_level="minimal")
    assert "doc" not in resource.columns
    pipeline.run(resource)
    columns = table_columns(pipeline)
    assert "doc" not in columns and columns["doc__a"]["data_type"] == "bigint"


def test_minimal_reflection_keeps_json_columns_with_the_pyarrow_backend(people_db, pipeline):
    resource = sql_table(people_db, table="people", reflection_level="minimal", backend="pyarrow")
    assert resource.columns["doc"] == {"name": "doc", "nullable": True}
    pipeline.run(resource)
    assert table_columns(pipeline)["doc"]["data_type"] == "json"


@pytest.mark.parametrize("backend", BACKENDS)
def test_naive_datetime_columns_are_reflected_without_a_time_zone(people_db, backend):
    columns = sql_table(people_db, table="people", backend=backend).columns
    assert columns["seen"] == {"name": "seen", "nullable": True, "data_type": "timestamp",
                               "timezone": False}
    assert columns["joined"] == {"name": "joined", "nullable": False, "data_type": "timestamp",
                                 "timezone": False}


def test_resolved_foreign_keys_become_table_references(tmp_path, pipeline):
    path = tmp_path / "family.db"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE parent (id INTEGER PRIMARY KEY);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
        INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1);
        """
    )
    con.commit()
    con.close()
    url = f"sqlite:///{path}"
    pipeline.run(sql_database(url, table_names=["parent", "child"], resolve_foreign_keys=True))
    assert pipeline.default_schema.get_table("child")["references"] == [
        {"referenced_table": "parent", "referenced_columns": ["id"], "columns": ["parent_id"]}]
    assert "references" not in sql_database(url, table_names=["child"]).child.compute_table_schema()
