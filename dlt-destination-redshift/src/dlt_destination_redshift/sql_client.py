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
from dlt.destinations.postgres_dialect import HAS_SCHEMA_SQL, search_path_sql
from dlt.destinations.sql_client import DBApiCursor, SqlClient

from dlt_destination_redshift.credentials import RedshiftCredentials
from dlt_destination_redshift.dialect import RedshiftDialect
from dlt_destination_redshift.errors import connect_error, query_error


class RedshiftCursor(DBApiCursor):
    """The driver's cursor with binary result columns decoded to `bytes`; dlt's readers
    (`iter_fetch`, `df`, `arrow`, ...) come from `DBApiCursor`."""

    def __init__(self, cursor: Any, dialect: RedshiftDialect) -> None:
        super().__init__(cursor)
        self._dialect = dialect
        description = cursor.description
        self._binary = [i for i, d in enumerate(description or ()) if d[1] in dialect.binary_result_oids]

    def convert_row(self, row: Any) -> tuple[Any, ...]:
        """A row as a tuple, binary values as `bytes`."""
        values = list(row)
        for i in self._binary:
            values[i] = self._dialect.decode_binary(values[i])
        return tuple(values)

    def fetchall(self) -> list[tuple[Any, ...]]:
        """All remaining rows (none for a statement without results)."""
        if self.native_cursor.description is None:
            return []
        return super().fetchall()


class RedshiftSqlClient(SqlClient):
    """SQL on one Redshift dataset through redshift-connector (`%s` placeholders); the
    dataset is first on the connection's `search_path`, so unqualified names resolve to it."""

    param = "%s"

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities,
                 credentials: RedshiftCredentials, dialect: RedshiftDialect) -> None:
        super().__init__(dataset_name, capabilities)
        self.credentials = credentials
        self.dialect = dialect
        self._connection: Any = None

    def __repr__(self) -> str:
        return f"<RedshiftSqlClient {self.credentials.location()} dataset={self.dataset_name}>"

    # -- connection ---------------------------------------------------------------------------

    def open_connection(self) -> Any:
        """Connect (the base `SqlClient` shares the connection between nested `with` blocks)."""
        if self._connection is None:
            self._connection = self._connect()
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
        # a schema that does not exist yet is skipped by the search path until it is created
        search_path = search_path_sql(self.escape_identifier(self.dataset_name))
        try:
            cursor = connection.cursor()
            cursor.execute(search_path)
            cursor.close()
        except (OSError, redshift_connector.Error) as exc:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - the error that matters is the one raised below
                pass
            raise query_error(exc, credentials, search_path) from exc
        return connection

    def close_connection(self) -> None:
        """Close the connection (the base calls this when the outermost `with` ends)."""
        if self._connection is not None:
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
        """Run one statement with `%s` parameters; yields a `DBApiCursor` on its result."""
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
        rows = self.execute_sql(HAS_SCHEMA_SQL, name)
        return bool(rows)
