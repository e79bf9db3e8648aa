"""`PostgresSqlClient`: a psycopg 3 connection scoped to one dataset (a PostgreSQL schema).

The connection runs in autocommit mode and transactions are explicit (`BEGIN` ... `COMMIT`), so
schema migration outside a package's transaction takes effect at once. The dataset is first on
the `search_path`, so unqualified names in `pipeline.sql_client()` queries resolve to it, as in
dlt 1.31. Parameters are `%s`, psycopg's own paramstyle. Every driver error leaves as a dlt
error naming host, database and user (see `errors.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dlt.destinations.base import DestinationCapabilities, DestinationTerminalError
from dlt.destinations.postgres_dialect import HAS_SCHEMA_SQL, search_path_sql
from dlt.destinations.sql_client import DBApiCursor, SqlClient
from dlt.schema.naming import shorten_to_bytes

from dlt_destination_postgres.credentials import PostgresCredentials
from dlt_destination_postgres.errors import connect_error, query_error

#: PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1)
MAX_IDENTIFIER_BYTES = 63


class JsonText(str):
    """JSON already serialized (read from a job file): written to jsonb as it is."""


def _json_dumps(value: Any) -> str:
    if isinstance(value, JsonText):
        return str(value)
    import orjson

    return orjson.dumps(value, default=str).decode()


class PostgresCursor(DBApiCursor):
    """psycopg's cursor; dlt's readers (`iter_fetch`, `df`, `arrow`, ...) come from `DBApiCursor`."""

    def fetchall(self) -> list[tuple[Any, ...]]:
        """All remaining rows (none for a statement without results)."""
        if self.native_cursor.description is None:
            return []
        return super().fetchall()


class PostgresSqlClient(SqlClient):
    """SQL on one PostgreSQL dataset through psycopg 3 (`%s` placeholders)."""

    param = "%s"

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities,
                 credentials: PostgresCredentials) -> None:
        super().__init__(dataset_name, capabilities)
        self.credentials = credentials
        self._connection: Any = None

    def __repr__(self) -> str:
        return f"<PostgresSqlClient {self.credentials.location()} dataset={self.dataset_name}>"

    # -- connection ---------------------------------------------------------------------------

    def open_connection(self) -> Any:
        """Connect; the base `SqlClient` calls this once for nested `with` blocks."""
        self._connection = self._connect()
        return self._connection

    def _connect(self) -> Any:
        import psycopg
        from psycopg.types.json import set_json_dumps

        try:
            connection = psycopg.connect(**self.credentials.connect_kwargs(), autocommit=True)
        except psycopg.Error as exc:
            raise connect_error(exc, self.credentials) from None
        set_json_dumps(_json_dumps, connection)
        statement = search_path_sql(self.escape_identifier(self.dataset_name))
        try:
            connection.execute(statement)
        except psycopg.Error as exc:
            connection.close()
            raise query_error(exc, self.credentials, statement) from exc
        return connection

    def close_connection(self) -> None:
        """Close; the base `SqlClient` calls this when the outermost `with` ends."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            self._in_transaction = False
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - a broken connection is closed as far as we care
                pass

    @property
    def native_connection(self) -> Any:
        """The underlying `psycopg.Connection` (None outside `with`)."""
        return self._connection

    def _require_connection(self) -> Any:
        if self._connection is None:
            raise DestinationTerminalError(
                "The PostgreSQL client is not connected; use it inside `with client:`.")
        return self._connection

    # -- statements ---------------------------------------------------------------------------

    @contextmanager
    def execute_query(self, sql: str, *args: Any) -> Iterator[PostgresCursor]:
        """Run one statement with `%s` parameters; yields a `DBApiCursor` on its result."""
        import psycopg

        cursor = self._require_connection().cursor()
        try:
            try:
                cursor.execute(sql, list(args) if args else None)
            except psycopg.Error as exc:
                raise query_error(exc, self.credentials, sql) from exc
            yield PostgresCursor(cursor)
        finally:
            try:
                cursor.close()
            except Exception:  # noqa: BLE001
                pass

    def copy_rows(self, statement: str, types: list[str], rows: Any, table: str) -> None:
        """`COPY ... FROM STDIN (FORMAT BINARY)` of `rows` (tuples) with the PostgreSQL
        `types` of the columns; a value the column cannot hold fails naming `table`."""
        import psycopg

        cursor = self._require_connection().cursor()
        try:
            with cursor.copy(statement) as copy:
                copy.set_types(types)
                write_row = copy.write_row
                for batch in rows:
                    for row in batch:
                        write_row(row)
        except psycopg.Error as exc:
            raise query_error(exc, self.credentials, statement, table) from exc
        finally:
            cursor.close()

    def copy_chunks(self, statement: str, chunks: Any, table: str) -> None:
        """`COPY ... FROM STDIN` of an iterable of byte strings in the statement's format; a
        value the column cannot hold fails naming `table`."""
        import psycopg

        cursor = self._require_connection().cursor()
        try:
            with cursor.copy(statement) as copy:
                for chunk in chunks:
                    copy.write(chunk)
        except psycopg.Error as exc:
            raise query_error(exc, self.credentials, statement, table) from exc
        finally:
            cursor.close()

    def copy_file(self, statement: str, path: Any, table: str, block_size: int = 1 << 20) -> None:
        """`COPY ... FROM STDIN` streaming the bytes of a file (CSV jobs) to the server."""
        import psycopg

        cursor = self._require_connection().cursor()
        try:
            with cursor.copy(statement) as copy, open(path, "rb") as file:
                while block := file.read(block_size):
                    copy.write(block)
        except psycopg.Error as exc:
            raise query_error(exc, self.credentials, statement, table) from exc
        finally:
            cursor.close()

    # -- names ----------------------------------------------------------------------------------

    def escape_identifier(self, name: str) -> str:
        """Quote an identifier, shortened to PostgreSQL's 63 byte limit the way dlt does."""
        return super().escape_identifier(shorten_to_bytes(name, MAX_IDENTIFIER_BYTES))

    def has_dataset(self, dataset_name: str | None = None) -> bool:
        """True when the schema exists (pg_namespace lists it whatever the privileges)."""
        rows = self.execute_sql(HAS_SCHEMA_SQL, shorten_to_bytes(dataset_name or self.dataset_name,
                                                       MAX_IDENTIFIER_BYTES))
        return bool(rows)
