"""The base classes plugin authors build on: connection nesting, error translation, the one
`begin_load` signature, documented and typed public methods."""

from __future__ import annotations

import inspect
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import pytest

import dlt
from dlt.destinations.base import (
    Destination,
    DestinationTerminalError,
    DestinationTransientError,
    JobClient,
)
from dlt.destinations.impl.duckdb.client import DuckDBJobClient
from dlt.destinations.impl.duckdb.factory import duckdb
from dlt.destinations.sql_client import DBApiCursor, SqlClient
from dlt.destinations.sql_job_client import SqlJobClient
from dlt.destinations.base import DestinationCapabilities


class FileSqlClient(SqlClient):
    """A SQL client written as the guide says: only open_connection and close_connection."""

    destination_name = "sqlite_file"

    def __init__(self, path: Path) -> None:
        super().__init__("main", DestinationCapabilities())
        self.path = path
        self.opened = 0

    def open_connection(self) -> sqlite3.Connection:
        self.opened += 1
        return sqlite3.connect(self.path, isolation_level=None, timeout=0)

    def close_connection(self) -> None:
        self.native_connection.close()


class CountingSqlClient(FileSqlClient):
    """A client written before the base counted levels: it keeps its own `_depth`."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._depth = 0
        self._connection: Any = None

    def open_connection(self) -> sqlite3.Connection:
        self._depth += 1
        if self._connection is None:
            self._connection = super().open_connection()
        return self._connection

    def close_connection(self) -> None:
        self._depth = max(0, self._depth - 1)
        if self._depth == 0 and self._connection is not None:
            self._connection.close()
            self._connection = None

    @property
    def native_connection(self) -> Any:
        return self._connection


@pytest.mark.parametrize("client_class", [FileSqlClient, CountingSqlClient])
def test_nested_with_blocks_share_one_connection(tmp_path: Path, client_class: type) -> None:
    client = client_class(tmp_path / "db.sqlite")
    with client:
        client.execute_sql("CREATE TABLE t (a INTEGER)")
        with client:
            client.execute_sql("INSERT INTO t VALUES (%s)", 1)
        # the inner block ended, the connection stays open
        assert client.execute_sql("SELECT a FROM t") == [(1,)]
    assert client.opened == 1
    assert not client.is_connected
    with pytest.raises(DestinationTerminalError, match="not connected"):
        client.execute_sql("SELECT 1")


def test_a_lock_held_elsewhere_is_a_transient_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (a INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with FileSqlClient(path) as client, pytest.raises(DestinationTransientError) as raised:
            client.execute_sql("INSERT INTO t VALUES (1)")
    finally:
        holder.close()
    assert "database is locked" in str(raised.value)
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)


def test_a_refused_statement_is_a_terminal_error_naming_it(tmp_path: Path) -> None:
    with FileSqlClient(tmp_path / "db.sqlite") as client, pytest.raises(DestinationTerminalError) as raised:
        client.execute_sql("SELECT * FROM missing_table")
    assert "no such table: missing_table" in str(raised.value)
    assert "SELECT * FROM missing_table" in str(raised.value)
    assert not isinstance(raised.value, DestinationTransientError)


def test_a_location_that_cannot_open_fails_on_connect_as_a_destination_error(tmp_path: Path) -> None:
    client = FileSqlClient(tmp_path / "no" / "folder" / "db.sqlite")
    with pytest.raises(DestinationTerminalError, match="unable to open database"):
        client.connect()
    assert not client.is_connected


class LegacyDuckDBJobClient(DuckDBJobClient):
    """A job client written against the old one-argument `begin_load`."""

    def begin_load(self, load_id):  # type: ignore[override]
        super().begin_load(load_id)


class legacy_duckdb(duckdb):  # noqa: N801
    def client(self, context):  # type: ignore[no-untyped-def]
        client = super().client(context)
        legacy = LegacyDuckDBJobClient(context, client.capabilities, client.sql)
        legacy.raise_default_memory_limit = client.raise_default_memory_limit
        return legacy


def test_a_job_client_with_the_old_begin_load_still_loads_with_a_deprecation_warning(
        tmp_path: Path) -> None:
    pipeline = dlt.pipeline("legacy_begin", destination=legacy_duckdb(str(tmp_path / "legacy.duckdb")),
                            dataset_name="data")
    with pytest.warns(DeprecationWarning, match=r"begin_load\(load_id\) is deprecated"):
        pipeline.run([{"id": 1}, {"id": 2}], table_name="rows")
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT id FROM rows ORDER BY id") == [(1,), (2,)]


def test_the_current_begin_load_is_called_without_a_warning(tmp_path: Path) -> None:
    pipeline = dlt.pipeline("new_begin", destination=duckdb(str(tmp_path / "new.duckdb")),
                            dataset_name="data")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        pipeline.run([{"id": 1}], table_name="rows")


def test_begin_load_has_one_signature_in_every_base() -> None:
    signatures = {cls.__name__: list(inspect.signature(cls.begin_load).parameters)
                  for cls in (JobClient, SqlJobClient)}
    assert signatures == {"JobClient": ["self", "load_id", "tables"],
                          "SqlJobClient": ["self", "load_id", "tables"]}


@pytest.mark.parametrize("base", [Destination, JobClient, SqlClient, SqlJobClient, DBApiCursor])
def test_every_public_method_of_the_bases_is_documented_and_typed(base: type) -> None:
    problems = []
    for name, member in vars(base).items():
        if name.startswith("_"):
            continue
        function = member.fget if isinstance(member, property) else member
        function = getattr(function, "__wrapped__", function)
        if not inspect.isfunction(function):
            continue
        if not (function.__doc__ or "").strip():
            problems.append(f"{name}: no docstring")
        if "return" not in function.__annotations__:
            problems.append(f"{name}: no return type")
        untyped = [p for p in inspect.signature(function).parameters.values()
                   if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                   and p.name not in function.__annotations__]
        problems += [f"{name}: parameter {p.name} has no type" for p in untyped]
    assert problems == [], f"{base.__name__}: {problems}"
