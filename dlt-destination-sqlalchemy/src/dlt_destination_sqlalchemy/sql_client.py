"""`SqlAlchemySqlClient`: one SQLAlchemy connection scoped to a dataset.

The connection runs with `AUTOCOMMIT` isolation and transactions are explicit (`BEGIN` ...
`COMMIT`), as on every other SQL destination of dlt. Queries run as written with the driver's
DB-API (`exec_driver_sql`); dlt's `%s` markers become the driver's paramstyle (`?` on SQLite).

SQLite has no schemas: as in dlt 1.31 a dataset other than `main` is the database file
`<db>__<dataset>.db` next to the main file, attached to the connection under the dataset's
name (`ATTACH DATABASE`), and an in-memory database attaches in-memory datasets.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dlt.configuration.specs import ConnectionStringCredentials
from dlt.destinations.base import (
    DestinationCapabilities,
    DestinationError,
    DestinationTerminalError,
    DestinationTransientError,
    DestinationUndefinedRelation,
)
from dlt.destinations import postgres_dialect
from dlt.destinations.sql_client import DBApiCursor, SqlClient

#: DB-API paramstyles and the marker dlt's `%s` becomes
PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
#: MySQL/MariaDB error codes a retry may fix: too many connections, cannot connect (socket,
#: host), server gone away, lost connection, lock wait timeout, deadlock
MYSQL_TRANSIENT_CODES = frozenset({1040, 1205, 1213, 2002, 2003, 2006, 2013})
#: MySQL/MariaDB error codes of a table or database that does not exist
MYSQL_UNDEFINED_RELATION_CODES = frozenset({1146, 1049})
#: SQLSTATEs of an undefined table or schema: PostgreSQL's, and ANSI's base table not found
UNDEFINED_RELATION_SQLSTATES = postgres_dialect.UNDEFINED_RELATION_SQLSTATES | {"42S02"}


class SqlAlchemyCursor(DBApiCursor):
    """A `CursorResult` with DB-API's `description` and dlt's readers."""

    @property
    def description(self) -> Any:
        """Column descriptions, or None for statements without rows."""
        if not self.native_cursor.returns_rows:
            return None
        return [(name, None, None, None, None, None, None) for name in self.native_cursor.keys()]

    def fetchall(self) -> list[tuple[Any, ...]]:
        """All remaining rows (none for a statement without results)."""
        if not self.native_cursor.returns_rows:
            return []
        return super().fetchall()


class SqlAlchemySqlClient(SqlClient):
    """SQL on one dataset of a database SQLAlchemy connects to."""

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities, credentials: Any,
                 engine_args: dict[str, Any] | None = None) -> None:
        super().__init__(dataset_name, capabilities)
        self.credentials = credentials
        self.engine_args = dict(engine_args or {})
        self._engine: Any = None
        self._owns_engine = False
        self._connection: Any = None

    def __repr__(self) -> str:
        return f"<SqlAlchemySqlClient {self.location()} dataset={self.dataset_name}>"

    # -- engine and connection ------------------------------------------------------------------

    @property
    def engine(self) -> Any:
        """The SQLAlchemy Engine (made from the URL on first use, or the one given)."""
        if self._engine is None:
            import sqlalchemy as sa

            credentials = self.credentials
            if isinstance(credentials, ConnectionStringCredentials):
                credentials = credentials.to_native_representation()
            if isinstance(credentials, str):
                try:
                    self._engine = sa.create_engine(credentials, **self.engine_args)
                except Exception as exc:  # noqa: BLE001 - unknown dialects, bad URLs
                    raise DestinationTerminalError(
                        f"SQLAlchemy cannot make an engine for {self.location()}: {_text(exc, self)}."
                        " Check the URL in destination.sqlalchemy.credentials"
                        " (DESTINATION__SQLALCHEMY__CREDENTIALS) and that its driver is installed."
                    ) from None
                self._owns_engine = True
            else:
                self._engine = credentials
        return self._engine

    @property
    def dialect_name(self) -> str:
        """`sqlite`, `mysql`, `postgresql`, ..."""
        return str(self.engine.dialect.name)

    @property
    def param(self) -> str:  # type: ignore[override]
        """The driver's placeholder for dlt's `%s`."""
        style = self.engine.dialect.paramstyle
        if style not in PLACEHOLDERS:
            raise DestinationTerminalError(
                f"The {self.dialect_name} driver uses the '{style}' paramstyle; dlt's sqlalchemy"
                " destination supports drivers with qmark, format or pyformat parameters.")
        return PLACEHOLDERS[style]

    def location(self) -> str:
        """The database without the password, for messages."""
        credentials = self.credentials
        if isinstance(credentials, ConnectionStringCredentials):
            return str(credentials)
        if isinstance(credentials, str):
            return str(ConnectionStringCredentials(credentials)) if "://" in credentials else credentials
        url = getattr(credentials, "url", None)
        return url.render_as_string(hide_password=True) if url is not None else repr(credentials)

    def open_connection(self) -> Any:
        """Connect; the base `SqlClient` calls this once for nested `with` blocks."""
        try:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except Exception as exc:
            raise self._error(exc, "connecting") from None
        self._connection = connection
        if self.dialect_name == "sqlite":
            for name in (self.dataset_name, self.staging_dataset_name()):
                if self._sqlite_file_exists(name):
                    self._sqlite_attach(name)
        return connection

    def close_connection(self) -> None:
        """Close when the outermost `with` ends (an engine made here is disposed); the base
        `SqlClient` counts the nesting."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            self._in_transaction = False
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - a broken connection is closed as far as we care
                pass
            if self._owns_engine and self._engine is not None:
                self._engine.dispose()
                self._engine = None

    @property
    def native_connection(self) -> Any:
        """The SQLAlchemy `Connection` (None outside `with`)."""
        return self._connection

    def _require_connection(self) -> Any:
        if self._connection is None:
            raise DestinationTerminalError(
                "The SQLAlchemy client is not connected; use it inside `with client:`.")
        return self._connection

    # -- statements -------------------------------------------------------------------------------

    @contextmanager
    def execute_query(self, sql: str, *args: Any) -> Iterator[SqlAlchemyCursor]:
        """Run one statement with `%s` parameters; yields a `DBApiCursor` on its result."""
        connection = self._require_connection()
        try:
            if args:
                result = connection.exec_driver_sql(self.driver_sql(sql, args), tuple(args))
            else:
                result = connection.exec_driver_sql(sql)
        except Exception as exc:
            raise self._error(exc, f"running `{_abbreviate(sql)}`") from exc
        try:
            yield SqlAlchemyCursor(result)
        finally:
            result.close()

    def insert_rows(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """INSERT `rows` into the SQLAlchemy `table` (typed binds, executemany)."""
        try:
            self._require_connection().execute(table.insert(), rows)
        except Exception as exc:
            raise self._error(exc, f"inserting into table {table.name}") from exc

    def _error(self, exc: BaseException, doing: str) -> DestinationError:
        import sqlalchemy as sa

        backend = self.dialect_name if self._engine is not None else "database"
        text = f"The sqlalchemy destination ({backend} at {self.location()}) failed {doing}: {_text(exc, self)}."
        code = _driver_error_code(exc)
        if self._engine is not None and self.dialect_name == "mysql" and code in MYSQL_TRANSIENT_CODES:
            return DestinationTransientError(f"{text} A retry may help.")
        if isinstance(exc, sa.exc.OperationalError) and getattr(exc, "connection_invalidated", False):
            return DestinationTransientError(f"{text} A retry may help.")
        if isinstance(exc, (sa.exc.DisconnectionError, sa.exc.TimeoutError)):
            return DestinationTransientError(f"{text} A retry may help.")
        if isinstance(exc, sa.exc.OperationalError) and "locked" in str(exc).lower():
            return DestinationTransientError(f"{text} A retry may help.")
        error = DestinationUndefinedRelation if _is_undefined_relation(exc, code) else DestinationTerminalError
        return error(f"{text} Retrying will not help until this is fixed.")

    # -- transactions -------------------------------------------------------------------------------

    def begin_transaction(self) -> None:
        """Start a transaction (`BEGIN`)."""
        self.execute_sql("BEGIN")
        self._in_transaction = True

    # -- names ---------------------------------------------------------------------------------------

    def escape_identifier(self, name: str) -> str:
        """Quote an identifier in the dialect's quotes (backticks on MySQL)."""
        return self.engine.dialect.identifier_preparer.quote_identifier(name)

    # -- datasets -----------------------------------------------------------------------------------

    def _sqlite_database(self) -> str | None:
        """The main database file, or None for an in-memory database."""
        database = self.engine.url.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return database

    def sqlite_dataset_file(self, dataset_name: str) -> str | None:
        """`<db>__<dataset>.db` next to the main file (None for in-memory databases)."""
        database = self._sqlite_database()
        if database is None:
            return None
        path = Path(database)
        return str(path.with_name(f"{path.stem}__{dataset_name}{path.suffix}"))

    def _sqlite_file_exists(self, dataset_name: str) -> bool:
        if dataset_name in ("main", "temp"):
            return False
        file = self.sqlite_dataset_file(dataset_name)
        return file is not None and os.path.isfile(file)

    def _sqlite_attached(self) -> set[str]:
        rows = self.execute_sql("PRAGMA database_list") or []
        return {row[1] for row in rows}

    def _sqlite_attach(self, dataset_name: str) -> None:
        if dataset_name in self._sqlite_attached():
            return
        file = self.sqlite_dataset_file(dataset_name) or ":memory:"
        self.execute_sql(f"ATTACH DATABASE {self.escape_string(file)} AS {self.escape_identifier(dataset_name)}")

    def has_dataset(self, dataset_name: str | None = None) -> bool:
        """True when the dataset exists (on SQLite: is attached or has its file)."""
        name = dataset_name or self.dataset_name
        if self.dialect_name == "sqlite":
            if name == "main" or name in self._sqlite_attached():
                return True
            if self._sqlite_file_exists(name):
                self._sqlite_attach(name)
                return True
            return False
        import sqlalchemy as sa

        return name in sa.inspect(self._require_connection()).get_schema_names()

    def create_dataset(self, dataset_name: str | None = None) -> None:
        """Create the schema (on SQLite: attach the dataset's file, creating it)."""
        name = dataset_name or self.dataset_name
        if self.dialect_name == "sqlite":
            if name != "main":
                self._sqlite_attach(name)
            return
        super().create_dataset(name)

    def drop_dataset(self, dataset_name: str | None = None) -> None:
        """Drop the schema and its tables (on SQLite: detach and delete the dataset's file)."""
        name = dataset_name or self.dataset_name
        if self.dialect_name != "sqlite":
            super().drop_dataset(name)
            return
        if name == "main":
            for (table,) in self.execute_sql("SELECT name FROM main.sqlite_master WHERE type = 'table'") or []:
                self.execute_sql(f"DROP TABLE {self.make_qualified_table_name(table, 'main')}")
            return
        if name in self._sqlite_attached():
            self.execute_sql(f"DETACH DATABASE {self.escape_identifier(name)}")
        file = self.sqlite_dataset_file(name)
        if file is not None and os.path.isfile(file):
            os.remove(file)

    def truncate_tables(self, *tables: str) -> None:
        """Delete every row of the named tables (SQLite has no TRUNCATE)."""
        for table in tables:
            self.execute_sql(f"DELETE FROM {self.make_qualified_table_name(table)}")


def _driver_error_code(exc: BaseException) -> int | None:
    """The numeric error code of a DB-API error (pymysql's first argument), if any."""
    orig = getattr(exc, "orig", exc)
    args = getattr(orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _is_undefined_relation(exc: BaseException, code: int | None) -> bool:
    """True when the driver says a statement named a table, view or schema that does not exist."""
    orig = getattr(exc, "orig", exc)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in MYSQL_UNDEFINED_RELATION_CODES or sqlstate in UNDEFINED_RELATION_SQLSTATES:
        return True
    return "no such table" in str(orig).lower()  # SQLite


def _abbreviate(sql: str, limit: int = 300) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[:limit] + " ..."


def _text(exc: BaseException, client: SqlAlchemySqlClient) -> str:
    """The driver's message without SQLAlchemy's statement echo and without the password."""
    orig = getattr(exc, "orig", None)
    text = " ".join(str(orig if orig is not None else exc).split())
    credentials = client.credentials
    password = None
    if isinstance(credentials, ConnectionStringCredentials):
        password = credentials.password
    elif isinstance(credentials, str) and "://" in credentials:
        password = ConnectionStringCredentials(credentials).password
    elif getattr(credentials, "url", None) is not None:
        password = credentials.url.password
    if password:
        text = text.replace(str(password), "***")
    return text
