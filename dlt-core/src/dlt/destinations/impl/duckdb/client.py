"""DuckDB SQL client and job client: native parquet/json readers and Arrow scans, one
transaction per package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb as duckdb_lib

from dlt.utils.arrow_ipc import arrow_file_schema, batch_reader
from dlt.destinations.base import (
    DestinationCapabilities,
    DestinationTerminalError,
    DestinationTransientError,
    LoadJobTerminalError,
)
from dlt.destinations.sql_client import SqlClient
from dlt.destinations.sql_job_client import SqlJobClient
from dlt.schema.typing import TTableSchema


class DuckDBSqlClient(SqlClient):
    """A DuckDB connection; every name is qualified with the database's catalog."""

    param = "?"

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities, database: Any,
                 settings: dict[str, Any] | None = None) -> None:
        super().__init__(dataset_name, capabilities)
        self.database = database
        self.settings = settings or {}
        self._connection: Any = None
        self._owns_connection = False
        self._depth = 0
        self.catalog = ""

    def open_connection(self) -> Any:
        """Connect (reentrant: nested `with` blocks share one connection)."""
        self._depth += 1
        if self._connection is not None:
            return self._connection
        if isinstance(self.database, duckdb_lib.DuckDBPyConnection):
            self._connection = self.database.cursor()
        else:
            try:
                self._connection = duckdb_lib.connect(str(self.database), config=dict(self.settings))
            except duckdb_lib.IOException as exc:
                raise DestinationTransientError(
                    f"Could not open the DuckDB database {self.database}: {exc}. Another process"
                    " may hold it open; close it and run again."
                ) from exc
            self._owns_connection = True
        self.catalog = self._connection.execute("SELECT current_database()").fetchone()[0]
        return self._connection

    def close_connection(self) -> None:
        """Close when the outermost `with` ends."""
        self._depth = max(0, self._depth - 1)
        if self._depth == 0 and self._connection is not None:
            self._connection.close()
            self._connection = None
            self._in_transaction = False

    @property
    def native_connection(self) -> Any:
        """The underlying `duckdb` connection."""
        return self._connection

    @contextmanager
    def execute_query(self, sql: str, *args: Any) -> Iterator[Any]:
        """Run a query; yields the DuckDB connection acting as cursor."""
        if self._connection is None:
            raise DestinationTerminalError("The DuckDB client is not connected; use it inside `with`.")
        try:
            cursor = self._connection.execute(sql, list(args) if args else None)
        except duckdb_lib.Error as exc:
            raise _translate(exc) from exc
        yield cursor

    def qualified_dataset_name(self, dataset_name: str | None = None) -> str:
        """`"catalog"."dataset"`: DuckDB calls a bare name ambiguous when catalog and schema match."""
        return f"{self.escape_identifier(self.catalog)}.{self.escape_identifier(dataset_name or self.dataset_name)}"

    def has_dataset(self, dataset_name: str | None = None) -> bool:
        """True when the schema exists in this database."""
        rows = self.execute_sql(
            "SELECT 1 FROM information_schema.schemata WHERE catalog_name = ? AND schema_name = ?",
            self.catalog, dataset_name or self.dataset_name,
        )
        return bool(rows)


JSON_BUFFER_MIB = 32
"""DuckDB's JSON reader reads in 32 MiB buffers and holds about threads + 2 of them at once
(measured with DuckDB 2.0: below that, a jsonl INSERT of several files runs out of memory)."""

_UNITS = {"bytes": 1 / 1024 ** 2, "kib": 1 / 1024, "mib": 1, "gib": 1024, "tib": 1024 ** 2,
          "kb": 1000 / 1024 ** 2, "mb": 1000 ** 2 / 1024 ** 2, "gb": 1000 ** 3 / 1024 ** 2}


def _mebibytes(setting: str) -> float:
    """A DuckDB memory setting such as '91.5 MiB' in MiB (unreadable: treated as unlimited)."""
    number, _, unit = setting.strip().partition(" ")
    try:
        return float(number) * _UNITS[unit.strip().lower() or "bytes"]
    except (ValueError, KeyError):
        return float("inf")


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, (duckdb_lib.IOException,)) and "lock" in str(exc).lower():
        return DestinationTransientError(str(exc))
    return DestinationTerminalError(str(exc))


class DuckDBJobClient(SqlJobClient):
    """Loads parquet and jsonl job files with DuckDB's own readers, Arrow IPC files through
    its Arrow scan."""

    _restore_memory_limit: str | None = None
    destination_name = "duckdb"

    type_mapping = {
        "text": "VARCHAR",
        "bigint": "BIGINT",
        "double": "DOUBLE",
        "bool": "BOOLEAN",
        "timestamp": "TIMESTAMP WITH TIME ZONE",
        "date": "DATE",
        "time": "TIME",
        "decimal": "DECIMAL(38,9)",
        "json": "JSON",
        "binary": "BLOB",
    }

    def catalog_filter(self) -> str:
        """Limit information_schema to this database file."""
        return f" AND table_catalog = '{self.sql.catalog.replace(chr(39), chr(39) * 2)}'"

    def run_jobs(self, jobs: list[Any], paths: list[Path]) -> None:
        """Jobs of one table in one INSERT (its staging table for merge)."""
        table, qualified_table = self.job_target(jobs[0])
        self.copy_files(paths, table, jobs[0].file_format, qualified_table)

    def copy_file(self, path: Path, table: TTableSchema, file_format: str, qualified_table: str) -> None:
        """INSERT ... BY NAME from read_parquet / read_json: no rows pass through Python."""
        self.copy_files([path], table, file_format, qualified_table)

    def copy_files(self, paths: list[Path], table: TTableSchema, file_format: str, qualified_table: str) -> None:
        """One INSERT for all files: DuckDB reads their row groups in parallel."""
        if file_format == "arrow":
            self.copy_arrow_files(paths, qualified_table)
            return
        literal = "[" + ", ".join("'" + str(path).replace("'", "''") + "'" for path in paths) + "]"
        # files written before and after a schema change differ in their columns
        union = ", union_by_name = true" if len(paths) > 1 else ""
        if file_format == "parquet":
            reader = f"read_parquet({literal}{union})"
        elif file_format == "jsonl":
            columns = {c["name"]: self.to_db_type(c) for c in table["columns"].values() if c.get("data_type")}
            spec = ", ".join(f"'{n.replace(chr(39), chr(39) * 2)}': '{t}'" for n, t in columns.items())
            reader = f"read_json({literal}, format='newline_delimited', columns={{{spec}}}{union})"
        else:
            raise LoadJobTerminalError(paths[0].name, f"DuckDB cannot load the file format '{file_format}'.")
        try:
            with self._memory_for_json(file_format == "jsonl"):
                self.sql.execute_sql(f"INSERT INTO {qualified_table} BY NAME SELECT * FROM {reader}")
        except DestinationTerminalError as exc:
            hint = ""
            if "out of memory" in str(exc).lower():
                hint = " DuckDB hit its memory limit: raise destination.duckdb.memory_limit."
            raise LoadJobTerminalError(paths[0].name, f"{exc}{hint}") from exc

    @contextmanager
    def _memory_for_json(self, reading_json: bool) -> Iterator[None]:
        """Raise DuckDB's memory limit for a jsonl INSERT when it is below what the JSON reader
        takes (32 MiB buffers, about threads + 2 of them at once), and set it back after."""
        if not reading_json:
            yield
            return
        limit, threads = self.sql.execute_sql(
            "SELECT current_setting('memory_limit'), current_setting('threads')")[0]
        needed = JSON_BUFFER_MIB * (int(threads) + 2)
        if _mebibytes(limit) >= needed:
            yield
            return
        self.sql.execute_sql(f"SET memory_limit = '{needed}MiB'")
        self._restore_memory_limit = f"SET memory_limit = '{limit}'"
        try:
            yield
        finally:
            self._set_memory_limit_back()

    def _set_memory_limit_back(self) -> None:
        """Put the memory limit back; after a failed statement that waits for the rollback."""
        if self._restore_memory_limit is None:
            return
        try:
            self.sql.execute_sql(self._restore_memory_limit)
            self._restore_memory_limit = None
        except DestinationTerminalError:
            pass

    def abort_load(self) -> None:
        """Roll back, then put back a memory limit a failed jsonl INSERT had raised."""
        super().abort_load()
        self._set_memory_limit_back()

    def copy_arrow_files(self, paths: list[Path], qualified_table: str) -> None:
        """INSERT ... BY NAME from a stream of the files' record batches, one INSERT per
        schema: DuckDB scans Arrow memory directly, and memory holds a few batches at a time."""
        by_schema: dict[Any, list[Path]] = {}
        for path in paths:
            by_schema.setdefault(arrow_file_schema(path), []).append(path)
        connection = self.sql.native_connection
        for number, group in enumerate(by_schema.values()):
            view = f"_dlt_arrow_job_{number}"
            connection.register(view, batch_reader(group))
            try:
                self.sql.execute_sql(f"INSERT INTO {qualified_table} BY NAME SELECT * FROM {view}")
            except DestinationTerminalError as exc:
                raise LoadJobTerminalError(group[0].name, str(exc)) from exc
            finally:
                connection.unregister(view)
