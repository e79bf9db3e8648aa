"""`SqlClient`: a connection to a SQL destination, scoped to one dataset.

This is what `pipeline.sql_client()` returns: `execute_sql` for statements, `execute_query`
for a cursor, transactions, and fully qualified names for the dataset's tables. Inside
`with client:` the dataset is the connection's default schema, so unqualified table names
resolve to the dataset's tables.

The parts every SQL destination shares live here: `%s` parameters translated to the driver's
placeholder (`to_driver_placeholders`), and `DBApiCursor`, the cursor that `execute_query`
yields, with dlt's reading methods (`fetchmany`, `iter_fetch`, `df`, `arrow`, `iter_df`,
`iter_arrow`) on top of a driver's DB-API cursor.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from dlt.utils.exceptions import DltException
from dlt.destinations.base import (
    DestinationCapabilities,
    DestinationTerminalError,
    DestinationTransientError,
)

import logging

logger = logging.getLogger("dlt")
SQL_LOG_CHARS = 500
"""How much of a statement a DEBUG line shows (INSERT ... VALUES statements can be megabytes)."""


def log_statement(destination: str, sql: str, args: Sequence[Any], elapsed: float,
                  rows: int | None = None) -> None:
    """DEBUG line for one executed statement: its text (cut to `SQL_LOG_CHARS`, secrets redacted
    by the `dlt` logger), the number of parameters (never their values) and the time it took."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    text = " ".join(sql.split())
    if len(text) > SQL_LOG_CHARS:
        text = text[:SQL_LOG_CHARS] + f"... ({len(sql)} chars)"
    params = f", {len(args)} parameters" if args else ""
    affected = f", {rows} rows" if rows is not None and rows >= 0 else ""
    logger.debug("%s sql (%.3fs%s%s): %s", destination, elapsed, params, affected, text)


def to_driver_placeholders(sql: str, placeholder: str, *, backslash_escapes: bool = False) -> str:
    """`sql` with every `%s` parameter marker replaced by `placeholder` and `%%` by `%`.

    dlt's paramstyle is `%s` (DB-API "format") on every destination; drivers that take `?`
    get their own marker. Markers inside quoted strings, quoted identifiers and comments are
    left alone. A query with no `%s` marker outside quotes is returned unchanged, so queries
    written with the driver's own markers (`?` on DuckDB) keep working, `%` stays the modulo
    operator there, and `LIKE 'a%s'` is never touched. `backslash_escapes` is for dialects
    where a backslash escapes a quote inside a string (BigQuery).
    """
    if "%s" not in sql:
        return sql
    out: list[str] = []
    found = False
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"', "`"):
            end = _closing_quote(sql, i, backslash_escapes)
            out.append(sql[i:end])
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif sql.startswith("%s", i):
            out.append(placeholder)
            found = True
            i += 2
        elif sql.startswith("%%", i):
            out.append("%")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out) if found else sql


def _closing_quote(sql: str, start: int, backslash_escapes: bool) -> int:
    """The index just past the quote that closes the one at `start` (doubled quotes escape)."""
    quote = sql[start]
    i = start + 1
    while i < len(sql):
        ch = sql[i]
        if backslash_escapes and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if i + 1 < len(sql) and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return len(sql)


def value_as_text(value: Any) -> Any:
    """A query parameter for drivers without date, decimal or JSON types (SQLite): dates and
    times as ISO 8601 text, decimals as their exact text, dicts and lists as JSON text; other
    values as they are. Use it as a client's `to_driver_value`."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value)
    return value


def rows_to_arrow(rows: Sequence[Sequence[Any]], names: Sequence[str]) -> Any:
    """An Arrow table of `rows` (tuples) with columns `names`; types are inferred per column."""
    import pyarrow as pa

    columns = [pa.array([row[i] for row in rows]) for i in range(len(names))]
    return pa.Table.from_arrays(columns, names=list(names))


def exact_chunks(tables: Iterable[Any], chunk_size: int) -> Iterator[Any]:
    """Arrow tables (or record batches) regrouped into tables of exactly `chunk_size` rows
    (the last one shorter); slices share the buffers, nothing is copied."""
    import pyarrow as pa

    pending: list[Any] = []
    buffered = 0
    for item in tables:
        table = item if isinstance(item, pa.Table) else pa.Table.from_batches([item])
        pending.append(table)
        buffered += table.num_rows
        while buffered >= chunk_size:
            whole = pa.concat_tables(pending)
            yield whole.slice(0, chunk_size)
            rest = whole.slice(chunk_size)
            pending, buffered = [rest], rest.num_rows
    if buffered:
        yield pa.concat_tables(pending)


class DBApiCursor:
    """The cursor `execute_query` yields: a driver's DB-API cursor plus dlt's reading methods.

    `fetchone`, `fetchmany(size)` and `fetchall` continue from the same position, as do the
    chunked readers. `fetchmany()` without a size reads `arraysize` rows (1, as DB-API says).
    `df()`/`arrow()` return the remaining rows as one pandas DataFrame / Arrow table;
    `iter_fetch`, `iter_df` and `iter_arrow` yield chunks of `chunk_size` rows. Drivers with a
    native Arrow reader override `iter_arrow`; the others build Arrow tables from rows.
    """

    arraysize = 1

    def __init__(self, native_cursor: Any) -> None:
        self.native_cursor = native_cursor

    def __getattr__(self, name: str) -> Any:
        # anything else the driver's cursor offers stays reachable
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr(self.native_cursor, name)

    # -- DB-API -----------------------------------------------------------------------------

    @property
    def description(self) -> Any:
        """Column descriptions (the name first in each), or None for statements without rows."""
        return self.native_cursor.description

    @property
    def rowcount(self) -> int:
        """Rows affected by the last statement (-1 when the driver does not know)."""
        count = getattr(self.native_cursor, "rowcount", -1)
        return -1 if count is None else count

    @property
    def columns(self) -> list[str]:
        """The names of the result's columns (empty for statements without rows)."""
        return [d[0] for d in self.description or ()]

    def convert_row(self, row: Any) -> tuple[Any, ...]:
        """A driver row as a tuple; drivers that return values needing decoding override it."""
        return tuple(row)

    def fetchone(self) -> tuple[Any, ...] | None:
        """The next row, or None when the result is exhausted."""
        row = self.native_cursor.fetchone()
        return None if row is None else self.convert_row(row)

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        """Up to `size` more rows (`arraysize`, i.e. 1, when no size is given)."""
        rows = self.native_cursor.fetchmany(self.arraysize if size is None else size)
        return [self.convert_row(r) for r in rows]

    def fetchall(self) -> list[tuple[Any, ...]]:
        """All remaining rows."""
        return [self.convert_row(r) for r in self.native_cursor.fetchall()]

    def close(self) -> None:
        """Close the driver's cursor."""
        close = getattr(self.native_cursor, "close", None)
        if close is not None:
            close()

    # -- dlt's readers ----------------------------------------------------------------------

    def iter_fetch(self, chunk_size: int) -> Iterator[list[tuple[Any, ...]]]:
        """Lists of exactly `chunk_size` rows (the last one shorter) until the result ends."""
        while rows := self.fetchmany(chunk_size):
            yield rows

    def iter_arrow(self, chunk_size: int | None = None) -> Iterator[Any]:
        """Arrow tables of `chunk_size` rows; without a size, one table of all remaining rows
        (with its columns even when there are no rows)."""
        if not chunk_size:
            yield rows_to_arrow(self.fetchall(), self.columns)
            return
        for rows in self.iter_fetch(chunk_size):
            yield rows_to_arrow(rows, self.columns)

    def iter_df(self, chunk_size: int | None = None) -> Iterator[Any]:
        """pandas DataFrames of `chunk_size` rows (made from the Arrow chunks)."""
        from dlt.utils.dependencies import require_pandas

        require_pandas("cursor.df() and iter_df()")
        for table in self.iter_arrow(chunk_size):
            yield table.to_pandas()

    def arrow(self, chunk_size: int | None = None) -> Any:
        """The remaining rows as one Arrow table (the first chunk with a `chunk_size`)."""
        return next(iter(self.iter_arrow(chunk_size)), None)

    def df(self, chunk_size: int | None = None) -> Any:
        """The remaining rows as one pandas DataFrame (the first chunk with a `chunk_size`)."""
        return next(iter(self.iter_df(chunk_size)), None)


class SqlClient:
    """Base of SQL clients: one connection to a SQL database, scoped to one dataset.

    A subclass implements `open_connection()` (return the driver's DB-API connection) and
    `close_connection()`; the base does the rest: nested `with` blocks share one connection
    (`connect`/`disconnect` count them, so `open_connection` runs once for the outermost block),
    `execute_query` runs statements on a DB-API cursor of `native_connection` and turns driver
    exceptions into `DestinationTerminalError` / `DestinationTransientError`
    (`translate_error`), and datasets are schemas found in `information_schema`. Dialects
    without schemas or `information_schema` override the dataset hooks (`has_dataset`,
    `create_dataset`, `drop_dataset`, `table_columns`).
    """

    #: placeholder for query parameters in this driver; `%s` in user queries becomes this
    param = "?"
    #: True where a backslash escapes a quote inside a string literal of the dialect
    backslash_escapes = False
    #: the cursor class `execute_query` yields (subclass `DBApiCursor` for driver quirks)
    cursor_class: type[DBApiCursor] = DBApiCursor
    #: lower-case fragments of driver error messages that a retry may fix (transient errors)
    transient_error_markers: tuple[str, ...] = (
        "lock", "timeout", "timed out", "connection reset", "connection refused",
        "temporarily unavailable", "too many connections", "deadlock", "try again",
    )
    #: the short name of the destination, used in log lines and errors
    destination_name = "sql"

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities) -> None:
        self.dataset_name = dataset_name
        self.capabilities = capabilities
        self._in_transaction = False
        self._connection_depth = 0
        self._base_connection: Any = None

    # -- connection -------------------------------------------------------------------------

    def open_connection(self) -> Any:
        """Open and return the driver's connection. Called once, when the outermost `with`
        block (or `connect()`) starts; implement it in every SQL client."""
        raise NotImplementedError(f"{type(self).__name__} must implement open_connection().")

    def close_connection(self) -> None:
        """Close the connection `open_connection` opened. Called once, when the outermost
        `with` block (or the last `disconnect()`) ends; implement it in every SQL client."""
        raise NotImplementedError(f"{type(self).__name__} must implement close_connection().")

    def connect(self) -> SqlClient:
        """Enter one level of use: the first level calls `open_connection()`, nested levels
        share that connection. Pair every call with `disconnect()` (or use `with client:`)."""
        if self._connection_depth == 0:
            try:
                self._base_connection = self.open_connection()
            except DltException:
                raise
            except Exception as exc:
                # a driver error while connecting (wrong location, credentials, host)
                raise self.translate_error(exc) from exc
        self._connection_depth += 1
        return self

    def disconnect(self) -> None:
        """Leave one level of use; the last level calls `close_connection()`."""
        if self._connection_depth == 0:
            return
        self._connection_depth -= 1
        if self._connection_depth == 0:
            try:
                self.close_connection()
            finally:
                self._base_connection = None
                self._in_transaction = False

    @property
    def is_connected(self) -> bool:
        """True inside a `with client:` block (or between `connect()` and `disconnect()`)."""
        return self._connection_depth > 0

    def __enter__(self) -> SqlClient:
        return self.connect()

    def __exit__(self, *exc: Any) -> None:
        self.disconnect()

    @property
    def native_connection(self) -> Any:
        """The driver's connection that `open_connection` returned (None outside `with`);
        clients that keep the connection themselves override this."""
        return self._base_connection

    # -- errors -----------------------------------------------------------------------------

    def is_transient_error(self, exc: Exception) -> bool:
        """True when retrying may fix `exc`: its message holds one of
        `transient_error_markers` (locks, timeouts, dropped connections). Override for
        drivers with error codes."""
        text = str(exc).lower()
        return any(marker in text for marker in self.transient_error_markers)

    def translate_error(self, exc: Exception, sql: str = "") -> Exception:
        """The dlt error for a driver exception: `DestinationTransientError` when
        `is_transient_error(exc)`, else `DestinationTerminalError`; the statement is named
        (cut to `SQL_LOG_CHARS`). Raise it `from exc` so the driver error stays chained."""
        statement = " ".join(sql.split())[:SQL_LOG_CHARS]
        where = f" in the statement: {statement}" if statement else ""
        error = DestinationTransientError if self.is_transient_error(exc) else DestinationTerminalError
        return error(f"{self.destination_name}: {type(exc).__name__}: {exc}{where}")

    def to_driver_value(self, value: Any) -> Any:
        """A query parameter as the driver binds it (the value itself by default; drivers
        without types for dates, decimals or JSON convert them here)."""
        return value

    # -- statements -------------------------------------------------------------------------

    def execute_sql(self, sql: str, *args: Any) -> list[tuple[Any, ...]] | None:
        """Run one statement; returns the rows of a query, or None."""
        with self.execute_query(sql, *args) as cursor:
            if cursor.description is None:
                return None
            return cursor.fetchall()

    @contextmanager
    def execute_query(self, sql: str, *args: Any) -> Iterator[DBApiCursor]:
        """Run a query with `%s` parameters and yield a `cursor_class` on its result.

        The default runs it on a DB-API cursor of `native_connection`, binding
        `to_driver_value` of each argument; driver exceptions become dlt errors through
        `translate_error`. Clients whose driver is not DB-API override this."""
        connection = self.native_connection
        if connection is None:
            raise DestinationTerminalError(
                f"The {self.destination_name} SQL client is not connected: use it inside"
                " `with pipeline.sql_client() as client:`.")
        cursor = connection.cursor()
        started = time.perf_counter()
        try:
            if args:
                cursor.execute(self.driver_sql(sql, args), [self.to_driver_value(a) for a in args])
            else:
                cursor.execute(sql)
        except Exception as exc:
            cursor.close()
            raise self.translate_error(exc, sql) from exc
        log_statement(self.destination_name, sql, args, time.perf_counter() - started)
        wrapped = self.cursor_class(cursor)
        try:
            yield wrapped
        finally:
            wrapped.close()

    def insert_rows(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one parametrized `INSERT` for many rows (DB-API `executemany`); every value goes
        through `to_driver_value`. `statement` uses the driver's `param` markers."""
        if not rows:
            return
        connection = self.native_connection
        cursor = connection.cursor()
        started = time.perf_counter()
        try:
            cursor.executemany(statement, [[self.to_driver_value(v) for v in row] for row in rows])
        except Exception as exc:
            raise self.translate_error(exc, statement) from exc
        finally:
            cursor.close()
        log_statement(self.destination_name, statement, (), time.perf_counter() - started, len(rows))

    def driver_sql(self, sql: str, args: Sequence[Any]) -> str:
        """`sql` in the driver's paramstyle: `%s` markers become `param` when there are args."""
        if not args or self.param == "%s":
            return sql
        return to_driver_placeholders(sql, self.param, backslash_escapes=self.backslash_escapes)

    def execute_many(self, statements: Sequence[str]) -> None:
        """Run several statements in order."""
        for statement in statements:
            self.execute_sql(statement)

    # -- transactions -----------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """True while a transaction opened by `begin_transaction` is open."""
        return self._in_transaction

    def begin_transaction(self) -> None:
        """Start a transaction."""
        self.execute_sql("BEGIN TRANSACTION")
        self._in_transaction = True

    def commit_transaction(self) -> None:
        """Commit the open transaction."""
        self.execute_sql("COMMIT")
        self._in_transaction = False

    def rollback_transaction(self) -> None:
        """Roll back the open transaction."""
        try:
            self.execute_sql("ROLLBACK")
        finally:
            self._in_transaction = False

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A transaction around a block: committed at the end, rolled back on error."""
        self.begin_transaction()
        try:
            yield
        except BaseException:
            self.rollback_transaction()
            raise
        self.commit_transaction()

    # -- names ------------------------------------------------------------------------------

    def escape_identifier(self, name: str) -> str:
        """Quote an identifier."""
        return '"' + name.replace('"', '""') + '"'

    def qualified_dataset_name(self, dataset_name: str | None = None) -> str:
        """The dataset (schema) name, quoted and qualified as the dialect needs."""
        return self.escape_identifier(dataset_name or self.dataset_name)

    def make_qualified_table_name(self, table_name: str, dataset_name: str | bool | None = None,
                                  quote: bool = True, casefold: bool = True) -> str:
        """`dataset.table`, quoted (and with a catalog where the dialect needs one); with
        `quote=False` the bare `dataset.table`, as dlt 1.31 gives it. A bool in place of
        `dataset_name` is 1.31's positional `quote`. (`casefold` is accepted for 1.31's
        signature: names here are already in the destination's case.)"""
        if isinstance(dataset_name, bool):
            dataset_name, quote = None, dataset_name
        return self.qualified_table_name(table_name, dataset_name, quote)

    def make_qualified_table_name_path(self, table_name: str | None, quote: bool = True,
                                       casefold: bool = True, dataset_name: str | None = None,
                                       catalog: str | None = None) -> list[str]:
        """The parts of a table's qualified name, catalog (where the dialect has one) to table
        (left out when `table_name` is None), as dlt 1.31 gives them."""
        catalog = catalog if catalog is not None else getattr(self, "catalog", "") or None
        parts = [catalog] if catalog else []
        parts.append(dataset_name or self.dataset_name)
        if table_name is not None:
            parts.append(table_name)
        return [self.escape_identifier(part) for part in parts] if quote else parts

    def escape_column_name(self, column_name: str, quote: bool = True, casefold: bool = True) -> str:
        """A column name quoted for this dialect (as it is with `quote=False`)."""
        return self.escape_identifier(column_name) if quote else column_name

    def qualified_table_name(self, table_name: str, dataset_name: str | None, quote: bool) -> str:
        """The name `make_qualified_table_name` gives, once its arguments are read; a dialect
        whose names have more parts (a project, a catalog) overrides this."""
        if not quote:
            return f"{dataset_name or self.dataset_name}.{table_name}"
        return f"{self.qualified_dataset_name(dataset_name)}.{self.escape_identifier(table_name)}"

    def escape_string(self, value: str) -> str:
        """A string literal of the dialect."""
        if self.backslash_escapes:
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + value.replace("'", "''") + "'"

    def literal(self, value: Any) -> str:
        """A SQL literal for a Python value (strings, numbers, booleans, dates, None)."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float, Decimal)):
            return str(value)
        if isinstance(value, dt.datetime):
            return f"TIMESTAMP {self.escape_string(value.isoformat(sep=' '))}"
        if isinstance(value, dt.date):
            return f"DATE {self.escape_string(value.isoformat())}"
        if isinstance(value, dt.time):
            return f"TIME {self.escape_string(value.isoformat())}"
        return self.escape_string(str(value))

    # -- tables -----------------------------------------------------------------------------

    def truncate_tables(self, *tables: str) -> None:
        """Delete every row of the named tables of the dataset (the tables stay)."""
        for table in tables:
            self.execute_sql(f"TRUNCATE TABLE {self.make_qualified_table_name(table)}")

    def drop_tables(self, *tables: str) -> None:
        """Drop the named tables of the dataset when they exist."""
        for table in tables:
            self.execute_sql(f"DROP TABLE IF EXISTS {self.make_qualified_table_name(table)}")

    # -- datasets ---------------------------------------------------------------------------

    def table_columns(self, dataset_name: str | None = None,
                      where: str = "") -> dict[str, dict[str, str]]:
        """The tables of the dataset as table -> column -> database type, read from
        `information_schema.columns`; `where` adds a condition (` AND table_catalog = ...`).
        Databases without `information_schema` override this (SQLite: `pragma_table_info`)."""
        rows = self.execute_sql(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            f" WHERE table_schema = {self.param}" + where,
            dataset_name or self.dataset_name,
        ) or []
        tables: dict[str, dict[str, str]] = {}
        for table, column, data_type in rows:
            tables.setdefault(table, {})[column] = data_type
        return tables

    def has_dataset(self, dataset_name: str | None = None) -> bool:
        """True when the dataset exists (a schema in `information_schema.schemata`)."""
        rows = self.execute_sql(
            f"SELECT 1 FROM information_schema.schemata WHERE schema_name = {self.param}",
            dataset_name or self.dataset_name,
        )
        return bool(rows)

    def create_dataset(self, dataset_name: str | None = None) -> None:
        """Create the dataset (`CREATE SCHEMA IF NOT EXISTS`)."""
        self.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {self.qualified_dataset_name(dataset_name)}")

    def drop_dataset(self, dataset_name: str | None = None) -> None:
        """Drop the dataset and its tables (`DROP SCHEMA ... CASCADE`)."""
        self.execute_sql(f"DROP SCHEMA IF EXISTS {self.qualified_dataset_name(dataset_name)} CASCADE")

    def staging_dataset_name(self) -> str:
        """The dataset where merge jobs are staged."""
        return f"{self.dataset_name}_staging"

    def fully_qualified_dataset_name(self, quote: bool = True, staging: bool = False) -> str:
        """The dataset (or with `staging` its staging dataset) as SQL names it: quoted and
        qualified as `qualified_dataset_name` gives it, or with `quote=False` the bare name."""
        name = self.staging_dataset_name() if staging else self.dataset_name
        return self.qualified_dataset_name(name) if quote else name

    @contextmanager
    def with_alternative_dataset_name(self, dataset_name: str) -> Iterator[SqlClient]:
        """Make `dataset_name` this client's dataset inside the block (qualified names, the
        dataset methods); the connection itself is not changed."""
        current = self.dataset_name
        self.dataset_name = dataset_name
        try:
            yield self
        finally:
            self.dataset_name = current

    @contextmanager
    def with_staging_dataset(self) -> Iterator[SqlClient]:
        """`with client.with_staging_dataset():` makes the staging dataset this client's
        dataset inside the block."""
        with self.with_alternative_dataset_name(self.staging_dataset_name()):
            before, self._staging_active = self._staging_active, True
            try:
                yield self
            finally:
                self._staging_active = before

    _staging_active = False

    @property
    def is_staging_dataset_active(self) -> bool:
        """True inside `with_staging_dataset()`."""
        return self._staging_active
