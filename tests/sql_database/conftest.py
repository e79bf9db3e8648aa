"""Fixtures for the sql_database source: SQLite files in a temp folder, a throwaway PostgreSQL
(started by tests/support/pg_server.py, reached directly, without its Redshift proxy), and
pipelines loading into DuckDB."""

from __future__ import annotations

import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dlt

PG_SERVER_HELPERS = Path(__file__).resolve().parent.parent / "support"


@pytest.fixture
def shop_db(tmp_path: Path) -> str:
    """A SQLite file with customers (PK, NOT NULL name), orders, typed items and a view; its URL."""
    path = tmp_path / "shop.db"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount INTEGER,
                             updated_at DATETIME NOT NULL);
        CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(30) NOT NULL,
                            price NUMERIC(10, 2), ratio FLOAT, active BOOLEAN, born DATE,
                            raw BLOB);
        CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount >= 100;
        INSERT INTO customers VALUES (1, 'Ann', 'DE'), (2, 'Bo', 'SE'), (3, 'Cy', NULL);
        INSERT INTO orders VALUES
            (10, 1, 50, '2024-01-01 00:00:00.000000'), (11, 1, 150, '2024-01-02 00:00:00.000000'),
            (12, 2, 300, '2024-01-03 00:00:00.000000'), (13, 3, 5, '2024-01-04 00:00:00.000000');
        INSERT INTO items VALUES
            (1, 'alpha', '12.50', 0.5, 1, '2000-02-29', X'01'),
            (2, 'beta', '0.99', 1.25, 0, '1999-12-31', NULL),
            (3, 'gamma', NULL, NULL, NULL, NULL, NULL);
        """
    )
    con.commit()
    con.close()
    return f"sqlite:///{path}"


@pytest.fixture(autouse=True)
def run_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in its temp folder: DuckDB files land next to the working directory."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def pipeline(tmp_path: Path) -> Any:
    """A fresh pipeline into a DuckDB file under the test's temp folder."""
    return dlt.pipeline(
        pipeline_name=f"sqldb_{uuid.uuid4().hex[:8]}", destination="duckdb",
        dataset_name="copy", pipelines_dir=str(tmp_path / "pipelines"),
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A running throwaway PostgreSQL on 127.0.0.1 (its `pg_port`, `user`, `password`, ...)."""
    sys.path.insert(0, str(PG_SERVER_HELPERS))
    try:
        from pg_server import start_stand_in
    finally:
        sys.path.remove(str(PG_SERVER_HELPERS))
    server = start_stand_in()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres: Any) -> str:
    """A SQLAlchemy URL (psycopg2) straight to the PostgreSQL server, not through the proxy."""
    return (f"postgresql+psycopg2://{postgres.user}:{postgres.password}@127.0.0.1:"
            f"{postgres.pg_port}/{postgres.database}")
