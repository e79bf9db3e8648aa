"""`RedshiftSqlClient`: a redshift-connector connection scoped to one dataset (a schema).

The connection runs in autocommit mode and transactions are explicit (`BEGIN` ... `COMMIT`), so
schema migration outside a package's transaction takes effect at once, as on every other SQL
destination. Every driver error leaves as a dlt error naming host and user (see `errors.py`).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dlt.destinations.base import DestinationCapabilities, DestinationTerminalError
from dlt.destinations.sql_client import SqlClient

from dlt_destination_redshift.credentials import RedshiftCredentials
from dlt_destination_redshift.dialect import RedshiftDialect
from dlt_destination_redshift.errors import connect_error, query_error


class RedshiftCursor:
    """The driver's cursor with binary result columns decoded to `bytes`."""

    def __init__(self, cursor: Any, dialect: RedshiftDialect) -> None:
        self.native_cursor = cursor
        self._dialect = dialect
        description = cursor.description
        self._binary = [i for i, d in enumerate(description or ()) if d[1] in dialect.binary_result_oids]

    @property
    def description(self) -> Any:
        """Column descriptions (name first), or None for statements without results."""
        return self.native_cursor.description

    @property
    def rowcount(self) -> int:
        """Rows affected by the last statement (-1 when unknown)."""
        return self.native_cursor.rowcount

    def _decode(self, row: Any) -> tuple[Any, ...]:
        values = list(row)
        for i in self._binary:
            values[i] = self._dialect.decode_binary(values[i])
        return tuple(values)

    def fetchone(self) -> tuple[Any, ...] | None:
        """The next row, or None."""
        row = self.native_cursor.fetchone()
        return None if row is None else self._decode(row)

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        """Up to `size` more rows."""
        rows = self.native_cursor.fetchmany(size) if size else self.native_cursor.fetchmany()
        return [self._decode(r) for r in rows]

    def fetchall(self) -> list[tuple[Any, ...]]:
        """All remaining rows."""
        return [self._decode(r) for r in self.native_cursor.fetchall()]


class RedshiftSqlClient(SqlClient):
    """SQL on one Redshift dataset through redshift-connector (`%s` placeholders)."""

    param = "%s"

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities,
                 credentials: RedshiftCredentials, dialect: RedshiftDialect) -> None:
        super().__init__(dataset_name, capabilities)
        self.credentials = credentials
        self.dialect = dialect
        self._connection: Any = None
        self._depth = 0

    def __repr__(self) -> str:
        return f"<RedshiftSqlClient {self.credentials.location()} dataset={self.dataset_name}>"

    # -- connection ---------------------------------------------------------------------------

    def open_connection(self) -> Any:
        """Connect (reentrant: nested `with` blocks share one connection)."""
        self._depth += 1
        if self._connection is not None:
            return self._connection
        try:
            self._connection = self._connect()
        except BaseException:
            self._depth -= 1
            raise
        return self._connection

    def _connect(self) -> Any:
        import redshift_connector

        credentials = self.credentials
        try:
            # the driver's own `timeout` is a socket timeout on every later read as well, so a
            # long statement would hit it; a TCP probe bounds only the time to reach the host
            socket.create_connection((credentials.host, credentials.port),
                                     timeout=credentials.connect_timeout).close()
            connection = redshift_connector.connect(**credentials.connect_kwargs())
        except (OSError, redshift_connector.Error) as exc:
            raise connect_error(exc, credentials) from exc
        connection.autocommit = True
        return connection

    def close_connection(self) -> None:
        """Close when the outermost `with` ends."""
        self._depth = max(0, self._depth - 1)
        if self._depth == 0 and self._connection is not None:
            connection, self._connection = self._connection, None
            self._in_transaction = False
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - a broken connection is closed as far as we care
                pass

    @property
    def native_connection(self) -> Any:
        """The underlying `redshift_connector` connection."""
        return self._connection

    # -- statements ---------------------------------------------------------------------------

    @contextmanager
    def execute_query(self, sql: str, *args: Any) -> Iterator[RedshiftCursor]:
        """Run one statement; yields a cursor (`fetchall`, `fetchmany`, `description`)."""
        import redshift_connector

        if self._connection is None:
            raise DestinationTerminalError(
                "The Redshift client is not connected; use it inside `with client:`."
            )
        cursor = self._connection.cursor()
        try:
            try:
                cursor.execute(sql, list(args) if args else None)
            except (OSError, redshift_connector.Error) as exc:
                raise query_error(exc, self.credentials, sql) from exc
            yield RedshiftCursor(cursor, self.dialect)
        finally:
            try:
                cursor.close()
            except Exception:  # noqa: BLE001
                pass

    def execute_many(self, statements: Sequence[str]) -> None:
        """Run several statements in order."""
        for statement in statements:
            self.execute_sql(statement)

    # -- names ----------------------------------------------------------------------------------

    def escape_identifier(self, name: str) -> str:
        """Quote an identifier as Redshift stores it: lower case, at most 127 bytes."""
        return super().escape_identifier(self.dialect.normalize_identifier(name))

    def has_dataset(self, dataset_name: str | None = None) -> bool:
        """True when the schema exists (pg_namespace lists it whatever the privileges)."""
        name = self.dialect.normalize_identifier(dataset_name or self.dataset_name)
        rows = self.execute_sql("SELECT 1 FROM pg_namespace WHERE nspname = %s", name)
        return bool(rows)
