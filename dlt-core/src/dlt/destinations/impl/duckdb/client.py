"""DuckDB SQL client and job client: native parquet/json readers and Arrow scans, one
transaction per package."""

from __future__ import annotations

import logging
import os
import time
import warnings
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
    DestinationUndefinedRelation,
    LoadJobTerminalError,
)
from dlt.destinations.sql_client import (
    SQL_LOG_CHARS,
    DBApiCursor,
    SqlClient,
    exact_chunks,
    log_statement,
)
from dlt.destinations.sql_job_client import SqlJobClient, sized_integer_type
from dlt.destinations.impl.duckdb import insert_memory
from dlt.destinations.impl.duckdb.attached_files import attached_files
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.destinations.impl.duckdb.connection_setup import (
    apply_session_settings,
    prepare_database,
    prepare_external,
)
from dlt.schema.typing import TTableSchema

logger = logging.getLogger("dlt")


def _open_error(database: Path, exc: Exception, read_only: bool = False) -> Exception:
    """The error for a DuckDB file that cannot be opened: a lock held by another process may
    go away (transient); a folder that is not writable or does not exist will not (terminal),
    nor will a database opened read-only that does not exist."""
    text = str(exc)
    if read_only and not database.exists():
        return DestinationTerminalError(
            f"Could not open the DuckDB database {database} read-only: it does not exist"
            " (the credentials set read_only = true, which opens an existing database and never"
            " creates one). Load into it first with read_only = false, or fix the path."
        )
    if "lock" in text.lower():
        return DestinationTransientError(
            f"Could not open the DuckDB database {database}: another process holds a lock on it"
            f" ({text}). Close that process (or its connection) and run again."
        )
    folder = database.parent
    if not folder.is_dir():
        return DestinationTerminalError(
            f"Could not open the DuckDB database {database}: the folder {folder} does not exist."
            " Create it, or point the destination at a path in an existing folder."
        )
    if "read-only" in text.lower() or "permission denied" in text.lower() or not os.access(folder, os.W_OK):
        return DestinationTerminalError(
            f"Could not open the DuckDB database {database}: the folder {folder} is not writable"
            f" ({text}). Point the destination at a writable path, e.g."
            " dlt.destinations.duckdb('/writable/path/file.duckdb'), or make the folder writable."
        )
    return DestinationTerminalError(f"Could not open the DuckDB database {database}: {text}.")

class DuckDBCursor(DBApiCursor):
    """A DuckDB result read through DuckDB's own pandas and Arrow conversion.

    DuckDB 2 reads Arrow from a DB-API result with `to_arrow_table` / `to_arrow_reader`
    (1.x's `fetch_arrow_table` and `fetch_record_batch` are gone); both copy the remaining
    rows, which is what a cursor that may be partly read needs, so their warning about the
    copy is silenced here.
    """

    def close(self) -> None:
        """Nothing to close: a DuckDB result lives on its connection, which the client owns."""

    def iter_arrow(self, chunk_size: int | None = None) -> Iterator[Any]:
        """Arrow tables of exactly `chunk_size` rows (one table of all rows without a size)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            if not chunk_size:
                table = self.native_cursor.to_arrow_table()
            else:
                reader = self.native_cursor.to_arrow_reader(chunk_size)
        if not chunk_size:
            yield table
            return
        yield from exact_chunks(reader, chunk_size)

    def iter_df(self, chunk_size: int | None = None) -> Iterator[Any]:
        """DataFrames of `chunk_size` rows; without a size, DuckDB's own `df()` of all rows."""
        from dlt.utils.dependencies import require_pandas

        require_pandas("cursor.df() and iter_df()")
        if not chunk_size:
            yield self.native_cursor.df()
            return
        for table in self.iter_arrow(chunk_size):
            yield table.to_pandas()


class DuckDBSqlClient(SqlClient):
    """A DuckDB connection; every name is qualified with the database's catalog, and the
    dataset is the connection's default schema (`USE`) once it exists."""

    param = "?"
    destination_name = "duckdb"

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities, database: Any,
                 settings: dict[str, Any] | None = None,
                 credentials: DuckDbCredentials | None = None) -> None:
        super().__init__(dataset_name, capabilities)
        self.database = database
        self.settings = settings or {}
        #: extensions, configs, pragmas and statements applied to the connections (the
        #: defaults: the `UTC` time zone only)
        self.credentials = credentials if credentials is not None else DuckDbCredentials()
        self._connection: Any = None
        self._owns_connection = False
        self._release: Any = None
        self.catalog = ""
        self.small_row_groups = False
        """Attach the database file with small row groups (`attached_files`) when this client
        opens it: set for loads of schemas with wide tables."""
        self.row_group_rows: int | None = None
        """The row group size of the open connection's file when dlt attached it with small
        row groups (None: DuckDB's default)."""

    def open_connection(self) -> Any:
        """Connect (the base `SqlClient` shares the connection between nested `with` blocks).

        A connection dlt opens gets the credentials' extensions, `global_config`, time zone and
        statements; a connection the user passed gets them once (`prepare_external`); every
        connection used gets the pragmas and `local_config`."""
        if self._connection is not None:
            return self._connection
        if isinstance(self.database, duckdb_lib.DuckDBPyConnection):
            prepare_external(self.database, self.credentials)
            self._connection = self.database.cursor()
        else:
            self._connection = self._connect()
            self._owns_connection = True
        try:
            if self._owns_connection:
                prepare_database(self._connection, self.credentials)
            apply_session_settings(self._connection, self.credentials)
        except DestinationTerminalError:
            self.close_connection()
            raise
        if self._owns_connection:
            logger.debug("duckdb: opened database %s%s", self.database,
                         " read-only" if self.credentials.read_only else "")
        self.catalog = self._connection.execute("SELECT current_database()").fetchone()[0]
        self._use_dataset()
        return self._connection

    def _connect(self) -> Any:
        """Open the database file with dlt's connection settings (`custom_user_agent` of the
        credentials' `global_config` too: DuckDB takes it only when connecting)."""
        config = dict(self.settings)
        user_agent = (self.credentials.global_config or {}).get("custom_user_agent")
        if user_agent is not None:
            config["custom_user_agent"] = user_agent
        read_only = bool(self.credentials.read_only)
        path = str(self.database)
        try:
            if path in ("", ":memory:") or path.startswith((":", "md:", "motherduck:")):
                return duckdb_lib.connect(path, read_only=read_only, config=config)
            connection, self._release, self.row_group_rows = attached_files.connect(
                path, config, self.small_row_groups, read_only)
            return connection
        except duckdb_lib.IOException as exc:
            raise _open_error(Path(str(self.database)), exc, read_only) from exc

    def _use_dataset(self) -> None:
        """Make the dataset the default schema, so unqualified table names resolve to it
        (DuckDB refuses `USE` of a schema that does not exist yet: then after `create_dataset`)."""
        if self.has_dataset():
            self._connection.execute(f"USE {self.qualified_dataset_name()}")

    def create_dataset(self, dataset_name: str | None = None) -> None:
        """Create the dataset; the client's own dataset becomes the default schema."""
        super().create_dataset(dataset_name)
        if dataset_name in (None, self.dataset_name):
            self._use_dataset()

    def close_connection(self) -> None:
        """Close the connection (the base calls this when the outermost `with` ends)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._in_transaction = False
        release, self._release, self.row_group_rows = self._release, None, None
        if release is not None:
            release()

    @property
    def native_connection(self) -> Any:
        """The underlying `duckdb` connection."""
        return self._connection

    def is_transient_error(self, exc: Exception) -> bool:
        """Only a lock held by another process may go away; every other DuckDB error stays."""
        return isinstance(exc, duckdb_lib.IOException) and "lock" in str(exc).lower()

    def translate_error(self, exc: Exception, sql: str = "") -> Exception:
        """DuckDB's own message (it already names what failed), transient or terminal; a table,
        view or schema that does not exist is `DestinationUndefinedRelation`."""
        if isinstance(exc, duckdb_lib.CatalogException) and "does not exist" in str(exc):
            return DestinationUndefinedRelation(str(exc))
        error = DestinationTransientError if self.is_transient_error(exc) else DestinationTerminalError
        return error(str(exc))

    @contextmanager
    def execute_query(self, sql: str, *args: Any) -> Iterator[DuckDBCursor]:
        """Run a query with `%s` (or DuckDB's `?`) parameters; yields a cursor on its result."""
        if self._connection is None:
            raise DestinationTerminalError(
                "The DuckDB client is not connected: use it inside `with pipeline.sql_client() as client:`."
            )
        started = time.perf_counter()
        try:
            cursor = self._connection.execute(self.driver_sql(sql, args), list(args) if args else None)
        except duckdb_lib.Error as exc:
            logger.debug("duckdb sql failed after %.3fs: %s: %s", time.perf_counter() - started,
                         " ".join(sql.split())[:SQL_LOG_CHARS], exc)
            raise self.translate_error(exc) from exc
        log_statement("duckdb", sql, args, time.perf_counter() - started)
        yield DuckDBCursor(cursor)

    def qualified_dataset_name(self, dataset_name: str | None = None) -> str:
        """`"catalog"."dataset"`: DuckDB calls a bare name ambiguous when catalog and schema match."""
        if not self.catalog:
            self.catalog = self._catalog_before_connecting()
        return f"{self.escape_identifier(self.catalog)}.{self.escape_identifier(dataset_name or self.dataset_name)}"

    def _catalog_before_connecting(self) -> str:
        """The catalog name without opening the database: DuckDB names a database file's
        catalog after the file name without its extension."""
        if isinstance(self.database, duckdb_lib.DuckDBPyConnection):
            return self.database.cursor().execute("SELECT current_database()").fetchone()[0]
        text = str(self.database)
        if text in ("", ":memory:"):
            return "memory"
        return Path(text).name.split(".")[0]

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


WIDE_TABLE_COLUMNS = 100
"""Columns from which a table's INSERTs run on one DuckDB thread (`DuckDBJobClient._threads_for`)."""


def _typed_column_count(table: TTableSchema) -> int:
    """The columns of `table` that have a data type (the ones its job files and table hold)."""
    return sum(1 for c in table["columns"].values() if c.get("data_type"))


def _timestamp_type(column: dict[str, Any]) -> str:
    """The DuckDB type of a timestamp column, as dlt 1.31 maps it: with a time zone (the
    default) `TIMESTAMP WITH TIME ZONE`, whose precision DuckDB fixes at microseconds;
    with `timezone: False` a naive type of the column's `precision` in fractional digits
    (0: TIMESTAMP_S, up to 3: TIMESTAMP_MS, up to 6 or none: TIMESTAMP, up to 9:
    TIMESTAMP_NS)."""
    precision = column.get("precision")
    if column.get("timezone", True):
        if precision is not None and precision != 6:
            logger.warning(
                "duckdb: column %r has both a time zone and precision %s, which DuckDB cannot hold"
                " together; it is TIMESTAMP WITH TIME ZONE (microseconds). Set timezone to False"
                " for a naive timestamp of that precision.", column.get("name"), precision)
        return "TIMESTAMP WITH TIME ZONE"
    if precision is None:
        return "TIMESTAMP"
    for digits, db_type in ((0, "TIMESTAMP_S"), (3, "TIMESTAMP_MS"), (6, "TIMESTAMP"), (9, "TIMESTAMP_NS")):
        if precision <= digits:
            return db_type
    raise DestinationTerminalError(
        f"duckdb: column {column.get('name')!r} asks for timestamp precision {precision}; DuckDB"
        " holds at most 9 fractional digits (nanoseconds). Set a precision from 0 to 9.")


DUCKDB_INTEGER_WIDTHS = ((8, "TINYINT"), (16, "SMALLINT"), (32, "INTEGER"), (64, "BIGINT"),
                         (128, "HUGEINT"))
"""DuckDB's integer types by their width in bits, narrowest first."""


class DuckDBJobClient(SqlJobClient):
    """Loads parquet and jsonl job files with DuckDB's own readers, Arrow IPC files through
    its Arrow scan."""

    raise_default_memory_limit = False
    """True when the connection has dlt's default cap, which may grow for a load that needs more."""
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
        "wei": "DECIMAL(38,0)",
        "json": "JSON",
        "binary": "BLOB",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._inserted: dict[str, tuple[int, int]] = {}
        """Rows and bytes the current load inserted per table (what its commit must hold)."""
        self._settings_before: dict[str, str] = {}
        """DuckDB settings this load changed -> the SET statement that puts each back."""
        self._merge_tables: dict[str, str] = {}
        """Tables of the load's merge chains -> the temporary table their rows go to in place
        of the staging table (see `prepare_staging_tables`)."""
        # a wide table's rows stay in memory until its row group is full: with small row
        # groups DuckDB writes them out as they come (`attached_files`)
        self.sql.small_row_groups = any(
            _typed_column_count(table) >= WIDE_TABLE_COLUMNS for table in self.schema.tables.values())

    def to_db_type(self, column: dict[str, Any]) -> str:
        """As in dlt 1.31: a `bigint` with a `precision` in bits is the smallest integer that
        holds it (8: TINYINT, 16: SMALLINT, 32: INTEGER, 64: BIGINT, 128: HUGEINT); a timestamp
        is `_timestamp_type`."""
        sized = sized_integer_type(column, DUCKDB_INTEGER_WIDTHS)
        if sized:
            return sized
        if column["data_type"] == "bigint" and (column.get("precision") or 0) > 128:
            raise DestinationTerminalError(
                f"Column {column.get('name')!r} is a bigint of precision {column['precision']}"
                " bits, wider than DuckDB's widest integer (HUGEINT, 128 bits): give it a"
                " precision of at most 128, or make it a decimal or wei column.")
        if column["data_type"] == "timestamp":
            return _timestamp_type(column)
        return super().to_db_type(column)

    def initialize_storage(self) -> None:
        """Create the dataset when missing; refused for read-only credentials, as a load
        starts here (reads never call it)."""
        if self.sql.credentials.read_only:
            raise DestinationTerminalError(
                f"Cannot load into the DuckDB database {self.sql.database}: its credentials set"
                " read_only = true, so dlt only reads it (pipeline.dataset(),"
                " pipeline.sql_client()). To load, set destination.duckdb.credentials.read_only"
                " to false (or pass DuckDbCredentials(..., read_only=False)).")
        super().initialize_storage()

    def catalog_filter(self) -> str:
        """Limit information_schema to this database file."""
        return f" AND table_catalog = '{self.sql.catalog.replace(chr(39), chr(39) * 2)}'"

    def run_jobs(self, jobs: list[Any], paths: list[Path]) -> None:
        """Jobs of one table in one INSERT (its staging table for merge)."""
        table, qualified_table = self.job_target(jobs[0])
        self.copy_files(paths, table, jobs[0].file_format, qualified_table)

    def prepare_staging_tables(self, tables: list[TTableSchema]) -> None:
        """Make and empty the staging tables as dlt 1.31 does; then, for the tables of merge
        chains, a temporary table of the same columns that takes their rows instead. DuckDB
        compresses rows of a table in the database file at commit (and checkpoint) only to
        have the merge read them back; a temporary table lives in memory (spilled to disk
        beyond the memory limit) and is gone with the load: inserting 200k rows took 0.08 s
        instead of 0.41 s, and the commit writes nothing of them. The staging tables of
        merged chains stay empty."""
        super().prepare_staging_tables(tables)
        for table in tables:
            name = table["name"]
            if self.schema.write_disposition(name) != "merge" or name in self._merge_tables:
                continue
            temporary = f"temp.main._dlt_merge_rows_{len(self._merge_tables)}"
            self.sql.execute_sql(f"CREATE OR REPLACE TEMP TABLE {temporary} AS SELECT * FROM"
                                 f" {super().qualified_staging_table(name)} LIMIT 0")
            self._merge_tables[name] = temporary

    @contextmanager
    def _insertion_order_kept(self, keep: bool) -> Iterator[None]:
        """Keep insertion order for the statements of a merge chain (its INSERTs into the
        temporary tables and the merge itself; dlt's connections turn it off, so appends run in
        parallel): a merge table's rows then sit in its row groups in the order they came, so a
        later merge that replaces the rows that came last (an incremental load's updates)
        empties whole row groups, which DuckDB drops at the next checkpoint, instead of
        thinning every row group, which DuckDB's vacuum then rewrites. 200k rows merged into
        200k, half of them replaced: the checkpoint at close took 0.01 s instead of 0.13 s.
        The other tables' INSERTs keep the connection's setting (kept order made a 1M-row
        Arrow INSERT slower: 0.61 s against 0.33 s). After a failed statement the setting goes
        back with the rollback (`abort_load`)."""
        if not keep or "preserve_insertion_order" in self._settings_before or self.sql.execute_sql(
                "SELECT current_setting('preserve_insertion_order')")[0][0]:
            yield
            return
        with self._setting_for("preserve_insertion_order", "true", "false"):
            yield

    def qualified_staging_table(self, table_name: str) -> str:
        """The staging table of `table_name`, or for a merge table of this load its temporary
        table."""
        temporary = self._merge_tables.get(table_name)
        return temporary if temporary is not None else super().qualified_staging_table(table_name)

    def _drop_merge_tables(self) -> None:
        """Drop the load's temporary merge tables (a rollback has dropped them already)."""
        for temporary in self._merge_tables.values():
            try:
                self.sql.execute_sql(f"DROP TABLE IF EXISTS {temporary}")
            except DestinationTerminalError:
                pass
        self._merge_tables = {}

    def is_storage_missing(self) -> bool:
        """True when the database is a file that does not exist yet (it holds nothing to
        restore, and connecting would only create it)."""
        database = self.sql.database
        if not isinstance(database, (str, Path)) or str(database).startswith((":", "md:", "motherduck:")):
            return False
        return not Path(database).exists()

    def copy_file(self, path: Path, table: TTableSchema, file_format: str, qualified_table: str) -> None:
        """INSERT ... BY NAME from read_parquet / read_json: no rows pass through Python."""
        self.copy_files([path], table, file_format, qualified_table)

    def copy_files(self, paths: list[Path], table: TTableSchema, file_format: str, qualified_table: str) -> None:
        """One INSERT for all files: DuckDB reads their row groups in parallel."""
        with self._insertion_order_kept(table["name"] in self._merge_tables):
            self._insert_files(paths, table, file_format, qualified_table)

    def _insert_files(self, paths: list[Path], table: TTableSchema, file_format: str,
                      qualified_table: str) -> None:
        """The INSERT of `copy_files`."""
        if file_format == "arrow":
            threads = self._raise_memory_for(paths, table, file_format)
            with self._threads_for(table, threads):
                self.copy_arrow_files(paths, qualified_table)
            return
        literal = "[" + ", ".join("'" + str(path).replace("'", "''") + "'" for path in paths) + "]"
        # files written before and after a schema change differ in their columns
        union = ", union_by_name = true" if len(paths) > 1 else ""
        if file_format == "parquet":
            reader = f"read_parquet({literal}{union})"
        elif file_format == "jsonl":
            # timestamps read as aware, so the INSERT turns an offset into UTC for naive columns
            columns = {c["name"]: self.type_mapping["timestamp"] if c["data_type"] == "timestamp"
                       else self.to_db_type(c) for c in table["columns"].values() if c.get("data_type")}
            spec = ", ".join(f"'{n.replace(chr(39), chr(39) * 2)}': '{t}'" for n, t in columns.items())
            reader = f"read_json({literal}, format='newline_delimited', columns={{{spec}}}{union})"
        else:
            raise LoadJobTerminalError(paths[0].name, f"DuckDB cannot load the file format '{file_format}'.")
        try:
            threads = self._raise_memory_for(paths, table, file_format)
            with self._threads_for(table, threads):
                self.sql.execute_sql(f"INSERT INTO {qualified_table} BY NAME SELECT * FROM {reader}")
        except DestinationTerminalError as exc:
            raise _job_failed(paths[0], exc) from exc

    def _raise_memory_for(self, paths: list[Path], table: TTableSchema, file_format: str) -> int:
        """Raise DuckDB's memory limit for this load when it is below what an INSERT needs:
        jsonl takes what DuckDB's JSON reader holds (32 MiB buffers, about threads + 2 at
        once), parquet and Arrow files what `insert_memory` estimates for all the rows the
        load inserts into the table so far (wide tables need much more than narrow ones), plus
        what the load's merge rows take in their temporary tables (only over dlt's default cap,
        never over one the user set). The commit writes the rows out and needs the same
        memory, so the limit goes back when the load ends. Returns DuckDB's threads setting."""
        limit, setting = self.sql.execute_sql(
            "SELECT current_setting('memory_limit'), current_setting('threads')")[0]
        threads = int(setting)
        if file_format == "jsonl":
            needed = JSON_BUFFER_MIB * (threads + 2)
        elif not self.raise_default_memory_limit:
            return threads
        else:
            columns = _typed_column_count(table)
            rows, size = insert_memory.job_files_size(paths)
            before = self._inserted.get(table["name"], (0, 0))
            rows, size = self._inserted[table["name"]] = (before[0] + rows, before[1] + size)
            if self.sql.row_group_rows and rows > self.sql.row_group_rows:
                # DuckDB writes each full row group to the file before the commit
                size, rows = size * self.sql.row_group_rows // rows, self.sql.row_group_rows
            # the rows of the load's merge tables stay in their temporary tables until it ends
            held = sum(size for name, (_, size) in self._inserted.items()
                       if name in self._merge_tables)
            needed = insert_memory.bounded(
                insert_memory.table_insert_mib(rows, size, columns, threads)
                + insert_memory.temporary_rows_mib(held))
        if _mebibytes(limit) < needed:
            self._change_setting("memory_limit", f"'{int(needed) + 1}MiB'", f"'{limit}'")
        return threads

    @contextmanager
    def _threads_for(self, table: TTableSchema, threads: int) -> Iterator[None]:
        """One DuckDB thread for an INSERT into a wide table: each thread appends into a
        segment of every column of its own, so a second one doubles the memory the INSERT
        holds and, on hundreds of columns, makes it slower, not faster (225 columns x 50k rows:
        0.14-0.16 s on one thread, 0.26-0.28 s on two). `threads` is DuckDB's setting (read by
        `_raise_memory_for` just before); it goes back after the INSERT."""
        wide = _typed_column_count(table) >= WIDE_TABLE_COLUMNS
        if threads <= 1 or not wide or "threads" in self._settings_before:
            yield
            return
        with self._setting_for("threads", "1", str(threads)):
            yield

    @contextmanager
    def _setting_for(self, name: str, value: str, before: str) -> Iterator[None]:
        """A DuckDB setting changed for the statements of the block (`_change_setting`) and put
        back after them; after a failed statement it goes back with the rollback
        (`abort_load`)."""
        self._change_setting(name, value, before)
        yield
        self._set_back(name)

    def _change_setting(self, name: str, value: str, before: str) -> None:
        """SET a DuckDB setting for this load, remembering what it was the first time."""
        self._settings_before.setdefault(name, f"SET {name} = {before}")
        self.sql.execute_sql(f"SET {name} = {value}")

    def _set_back(self, *names: str) -> None:
        """Put back settings this load changed; after a failed statement that waits for the
        rollback (then `abort_load` calls it again)."""
        for name in names:
            statement = self._settings_before.get(name)
            if statement is None:
                continue
            try:
                self.sql.execute_sql(statement)
                del self._settings_before[name]
            except DestinationTerminalError:
                pass

    def complete_load(self, load_id: str, tables: list[str]) -> None:
        """Commit the package, then drop the temporary merge tables and put back the settings
        its INSERTs changed (a raised memory limit, one thread for a wide table)."""
        try:
            with self._insertion_order_kept(bool(self._merge_tables)):
                super().complete_load(load_id, tables)
        finally:
            self._drop_merge_tables()
            self._inserted = {}
            self._set_back("threads", "memory_limit", "preserve_insertion_order")

    def abort_load(self) -> None:
        """Roll back, then put back the settings the load's INSERTs changed."""
        super().abort_load()
        self._drop_merge_tables()
        self._inserted = {}
        self._set_back("threads", "memory_limit", "preserve_insertion_order")

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
                _unregister_quietly(connection, view)
                raise _job_failed(group[0], exc) from exc
            connection.unregister(view)


def _job_failed(path: Path, exc: Exception) -> LoadJobTerminalError:
    """The terminal error of a job whose INSERT failed, with what to do when DuckDB ran out of
    memory."""
    hint = ""
    if "out of memory" in str(exc).lower():
        hint = " DuckDB hit its memory limit: raise destination.duckdb.memory_limit."
    return LoadJobTerminalError(path.name, f"{exc}{hint}")


def _unregister_quietly(connection: Any, view: str) -> None:
    """Drop a registered Arrow view after a failed statement: in the aborted transaction DuckDB
    refuses it, and that refusal must not hide the statement's own error."""
    try:
        connection.unregister(view)
    except Exception:  # noqa: BLE001 - the INSERT's error is the one to report
        pass
