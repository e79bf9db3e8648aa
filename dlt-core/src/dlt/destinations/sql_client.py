"""`SqlClient`: a connection to a SQL destination, scoped to one dataset.

This is what `pipeline.sql_client()` returns: `execute_sql` for statements, `execute_query`
for a cursor, transactions, and fully qualified names for the dataset's tables.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from dlt.destinations.base import DestinationCapabilities


class SqlClient:
    """Base of SQL clients; subclasses open the connection and name the dialect's details."""

    #: placeholder for query parameters in this driver
    param = "?"

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities) -> None:
        self.dataset_name = dataset_name
        self.capabilities = capabilities
        self._in_transaction = False

    # -- connection -------------------------------------------------------------------------

    def open_connection(self) -> Any:
        """Open the connection (called by `__enter__`)."""
        raise NotImplementedError

    def close_connection(self) -> None:
        """Close the connection (called by `__exit__`)."""
        raise NotImplementedError

    def __enter__(self) -> SqlClient:
        self.open_connection()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close_connection()

    # -- statements -------------------------------------------------------------------------

    def execute_sql(self, sql: str, *args: Any) -> list[tuple[Any, ...]] | None:
        """Run one statement; returns the rows of a query, or None."""
        with self.execute_query(sql, *args) as cursor:
            if cursor.description is None:
                return None
            return cursor.fetchall()

    @contextmanager
    def execute_query(self, sql: str, *args: Any) -> Iterator[Any]:
        """Run a query and yield the driver's cursor (`fetchall`, `fetchmany`, `description`)."""
        raise NotImplementedError
        yield  # pragma: no cover

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

    def make_qualified_table_name(self, table_name: str, dataset_name: str | None = None) -> str:
        """`dataset.table`, quoted (and with a catalog where the dialect needs one)."""
        return f"{self.qualified_dataset_name(dataset_name)}.{self.escape_identifier(table_name)}"

    # -- datasets ---------------------------------------------------------------------------

    def has_dataset(self, dataset_name: str | None = None) -> bool:
        """True when the dataset exists."""
        rows = self.execute_sql(
            f"SELECT 1 FROM information_schema.schemata WHERE schema_name = {self.param}",
            dataset_name or self.dataset_name,
        )
        return bool(rows)

    def create_dataset(self, dataset_name: str | None = None) -> None:
        """Create the dataset."""
        self.execute_sql(f"CREATE SCHEMA IF NOT EXISTS {self.qualified_dataset_name(dataset_name)}")

    def drop_dataset(self, dataset_name: str | None = None) -> None:
        """Drop the dataset and its tables."""
        self.execute_sql(f"DROP SCHEMA IF EXISTS {self.qualified_dataset_name(dataset_name)} CASCADE")

    def staging_dataset_name(self) -> str:
        """The dataset where merge jobs are staged."""
        return f"{self.dataset_name}_staging"
