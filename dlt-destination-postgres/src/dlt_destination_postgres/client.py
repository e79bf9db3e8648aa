"""`PostgresJobClient`: schema migration, binary COPY loading, merge and replace on PostgreSQL.

Parquet and Arrow IPC job files whose columns are all scalars (text, numbers, bool, dates,
times, timestamps, decimals, JSON text) are rendered batch by batch by Arrow's C++ CSV writer and
streamed with `COPY ... FROM STDIN (FORMAT CSV)`: no Python object per value (see
`arrow_copy.py`). Other job files (jsonl, or binary and nested columns) are read in record
batches and streamed with `COPY ... FROM STDIN (FORMAT BINARY)`: psycopg encodes each value with
the binary format of its column's type. CSV jobs (`loader_file_format="csv"`) stream their bytes
with `COPY ... (FORMAT CSV)`. Merge and replace
strategies are the shared ones of `SqlJobClient`, with PostgreSQL's `DELETE ... USING`.

PostGIS geometry columns (`postgres_adapter`, see `geometry.py`) are created as
`geometry(Geometry, <srid>)` once the database is known to have PostGIS, and their values
always travel as text, which PostGIS parses: the Arrow CSV path renders WKB bytes as hex, and a
job that takes the row path with a geometry column is streamed as `COPY ... (FORMAT TEXT)`
(binary COPY would hand PostGIS the bytes of WKT as if they were WKB).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from dlt.destinations.base import (
    ClientContext,
    DestinationCapabilities,
    DestinationTerminalError,
    LoadJobTerminalError,
)
from dlt.destinations.postgres_dialect import PostgresDialectMixin
from dlt.destinations.job_files import python_value_from_json, read_arrow_file, read_jsonl_file
from dlt.destinations.sql_job_client import SqlJobClient, sized_integer_type
from dlt.schema.typing import TTableSchema

from dlt_destination_postgres.arrow_copy import (
    arrow_csv_chunks,
    csv_job_file_chunks,
    open_arrow_job_file,
)
from dlt_destination_postgres.credentials import PostgresCredentials
from dlt_destination_postgres.geometry import (
    GEOMETRY_TYPE,
    POSTGIS_LOOKUP_SQL,
    geometry_column_type,
    geometry_converter,
    geometry_srid,
    is_geometry_column,
    postgis_type_name,
    strip_bytea_prefix,
)
from dlt_destination_postgres.sql_client import JsonText, PostgresSqlClient

#: rows read from a job file at a time
READ_BATCH_ROWS = 50_000

#: dlt data type -> PostgreSQL column type (as dlt 1.31 creates them)
POSTGRES_TYPES: dict[str, str] = {
    "text": "varchar",
    "bigint": "bigint",
    "double": "double precision",
    "bool": "boolean",
    "timestamp": "timestamp with time zone",
    "date": "date",
    "time": "time without time zone",
    "decimal": "numeric(38,9)",
    "wei": "numeric(156,78)",
    "json": "jsonb",
    "binary": "bytea",
}

#: dlt data type -> the type whose binary format COPY writes
COPY_TYPES: dict[str, str] = {
    "text": "text", "bigint": "int8", "double": "float8", "bool": "bool",
    "timestamp": "timestamptz", "date": "date", "time": "time", "decimal": "numeric",
    "wei": "numeric", "json": "jsonb", "binary": "bytea",
}


class PostgresJobClient(PostgresDialectMixin, SqlJobClient):
    """Loads a package into one PostgreSQL dataset (schema) in one transaction."""

    destination_name = "postgres"
    type_mapping = POSTGRES_TYPES

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 config: dict[str, Any]) -> None:
        credentials: PostgresCredentials = config["credentials"]
        sql = PostgresSqlClient(context.dataset_name, capabilities, credentials)
        super().__init__(context, capabilities, sql)
        self.sql: PostgresSqlClient = sql
        self.config = config
        self.create_indexes = bool(config.get("create_indexes", True))
        #: how DDL names PostGIS's type, once `require_postgis` found it
        self.geometry_type_name: str | None = None

    def __repr__(self) -> str:
        return f"<PostgresJobClient {self.sql.credentials.location()} dataset={self.dataset_name}>"

    # -- schema migration -----------------------------------------------------------------------

    def to_db_type(self, column: dict[str, Any]) -> str:
        """The PostgreSQL type of a column, with the precision, scale and timezone hints:
        `numeric(p,s)`, `varchar(n)`, `timestamp (p) without time zone`, `time (p)`; a
        column with the `x-postgres-geometry` hint is `geometry(Geometry, <srid>)`."""
        if is_geometry_column(column):
            return geometry_column_type(column, self.geometry_type_name or GEOMETRY_TYPE)
        data_type = column["data_type"]
        precision = column.get("precision")
        if data_type in ("decimal", "wei") and precision:
            return f"numeric({precision},{column.get('scale') or 0})"
        if data_type == "text" and precision:
            return f"varchar({precision})"
        if data_type == "binary" and precision:
            return "bytea"
        if data_type == "timestamp":
            zone = "with" if column.get("timezone", True) else "without"
            width = f" ({precision})" if precision is not None else ""
            return f"timestamp{width} {zone} time zone"
        if data_type == "time" and precision is not None:
            return f"time ({precision}) without time zone"
        sized = sized_integer_type(column, ((16, "smallint"), (32, "integer")))
        return sized or self.type_mapping[data_type]

    def migration_statements(self, table: TTableSchema, existing: dict[str, str] | None,
                             dataset_name: str | None = None) -> list[str]:
        """CREATE or ALTER statements as the base builds them; when they create a geometry
        column, its SRID must be a number and the database must have PostGIS
        (`require_postgis`), both checked before any statement runs."""
        new_geometry = [c for c in table["columns"].values()
                        if (existing is None or c["name"] not in existing)
                        and c.get("data_type") and is_geometry_column(c)]
        for column in new_geometry:
            geometry_srid(column, table["name"])
        if new_geometry:
            self.require_postgis(table["name"], new_geometry[0]["name"])
        return super().migration_statements(table, existing, dataset_name)

    def require_postgis(self, table: str, column: str) -> str:
        """The name DDL gives PostGIS's `geometry` type (schema-qualified when the extension
        lives off the search_path), looked up once per client; `PostgisNotInstalledError`
        naming `table` and `column` when the database has no PostGIS."""
        if self.geometry_type_name is None:
            (found,) = self.sql.execute_sql(POSTGIS_LOOKUP_SQL)
            credentials = self.sql.credentials
            where = (f"PostgreSQL at {credentials.host}:{credentials.port}"
                     f" (database {credentials.database})")
            self.geometry_type_name = postgis_type_name(
                tuple(found), table, column, where, credentials.database)
        return self.geometry_type_name

    def column_definition(self, column: dict[str, Any]) -> str:
        """`"name" TYPE [NOT NULL] [UNIQUE]`: columns with the `unique` hint (`_dlt_id`) get a
        unique index unless `create_indexes` is off, as in dlt 1.31."""
        definition = super().column_definition(column)
        if self.create_indexes and column.get("unique"):
            definition += " UNIQUE"
        return definition

    # -- loading ------------------------------------------------------------------------------

    def copy_file(self, path: Path, table: TTableSchema, file_format: str, qualified_table: str) -> None:
        """Stream the rows of a job file into `qualified_table` with COPY."""
        if file_format == "csv":
            self.copy_csv(path, table, qualified_table)
            return
        if file_format in ("parquet", "arrow"):
            if self.copy_arrow_as_csv(path, table, file_format, qualified_table):
                return
            names, batches = read_arrow_file(path, file_format, READ_BATCH_ROWS)
        elif file_format == "jsonl":
            names, batches = read_jsonl(path, table)
        else:
            raise LoadJobTerminalError(
                path.name, f"PostgreSQL loads parquet, arrow, jsonl or csv job files, not '{file_format}'.")
        columns = [self.job_column(table, name, path) for name in names]
        if not columns:
            return
        q = self.sql.escape_identifier
        # PostGIS reads geometries from text only: with one, the rows go as COPY's text format
        copy_format = "TEXT" if any(is_geometry_column(c) for c in columns) else "BINARY"
        statement = (f"COPY {qualified_table} ({', '.join(q(c['name']) for c in columns)})"
                     f" FROM STDIN (FORMAT {copy_format})")
        types = [copy_type(c) for c in columns]
        converters = [
            geometry_converter(table["name"], c["name"], path.name) if is_geometry_column(c)
            else copy_converter(c) for c in columns]

        def rows() -> Iterator[Any]:
            for batch in batches:
                values = [v if convert is None else [None if x is None else convert(x) for x in v]
                          for convert, v in zip(converters, batch)]
                yield zip(*values)

        self._copy(lambda: self.sql.copy_rows(statement, types, rows(), table["name"]), path)

    def copy_arrow_as_csv(self, path: Path, table: TTableSchema, file_format: str,
                          qualified_table: str) -> bool:
        """COPY a parquet or Arrow IPC job file as CSV rendered by Arrow; False (nothing done)
        when one of its columns needs the binary path (bytes, nested values, mismatched types)."""
        job = open_arrow_job_file(path, file_format, READ_BATCH_ROWS)
        columns = [self.job_column(table, name, path) for name in job.names]
        if not columns:
            return True
        chunks = arrow_csv_chunks(job, columns)
        if chunks is None:
            return False
        q = self.sql.escape_identifier
        statement = (f"COPY {qualified_table} ({', '.join(q(c['name']) for c in columns)})"
                     " FROM STDIN (FORMAT CSV)")
        self._copy(lambda: self.sql.copy_chunks(statement, chunks, table["name"]), path)
        return True

    def copy_csv(self, path: Path, table: TTableSchema, qualified_table: str) -> None:
        """`COPY ... (FORMAT CSV, HEADER)` with the columns named in the file's header."""
        with open(path, encoding="utf-8", newline="") as file:
            header = next(csv.reader(file), [])
        columns = [self.job_column(table, name, path) for name in header]
        if not columns:
            return
        q = self.sql.escape_identifier
        names = ", ".join(q(c["name"]) for c in columns)
        # csv job files hold binary values as `\x` hex (bytea's text), which PostGIS does not
        # read: such geometry columns lose the prefix on the way
        wkb_columns = {c["name"]: strip_bytea_prefix for c in columns
                       if is_geometry_column(c) and c["data_type"] == "binary"}
        if wkb_columns:
            chunks = csv_job_file_chunks(path, header, wkb_columns, READ_BATCH_ROWS)
            statement = f"COPY {qualified_table} ({names}) FROM STDIN (FORMAT CSV)"
            self._copy(lambda: self.sql.copy_chunks(statement, chunks, table["name"]), path)
            return
        statement = f"COPY {qualified_table} ({names}) FROM STDIN (FORMAT CSV, HEADER true)"
        self._copy(lambda: self.sql.copy_file(statement, path, table["name"]), path)

    def job_column(self, table: TTableSchema, name: str, path: Path) -> dict[str, Any]:
        """The schema column of a job file's column; a column the schema lacks fails the job."""
        column = table["columns"].get(name)
        if not column or not column.get("data_type"):
            raise LoadJobTerminalError(
                path.name, f"The column {name} of the job file is not in table {table['name']} of the schema.")
        return column

    @staticmethod
    def _copy(run: Callable[[], None], path: Path) -> None:
        try:
            run()
        except DestinationTerminalError as exc:
            if isinstance(exc, LoadJobTerminalError):
                raise
            raise LoadJobTerminalError(path.name, str(exc)) from exc


# -- values ---------------------------------------------------------------------------------------


def copy_type(column: dict[str, Any]) -> str:
    """The type whose binary format COPY sends for a column (text for a geometry column)."""
    if is_geometry_column(column):
        return "text"
    if column["data_type"] == "timestamp" and column.get("timezone", True) is False:
        return "timestamp"
    if column["data_type"] == "bigint" and column.get("precision"):
        precision = column["precision"]
        return "int2" if precision <= 16 else "int4" if precision <= 32 else "int8"
    return COPY_TYPES[column["data_type"]]


def _naive_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _json(value: Any) -> Any:
    return JsonText(value) if isinstance(value, str) else value


def copy_converter(column: dict[str, Any]) -> Callable[[Any], Any] | None:
    """The function bringing a non-null job file value to what COPY's dumper takes, or None
    when the value is already right."""
    data_type = column["data_type"]
    if data_type == "json":
        return _json
    if data_type == "timestamp" and column.get("timezone", True) is False:
        return _naive_utc
    if data_type == "double":
        return float
    if data_type == "wei":
        # wei values are decimal text in job files; numeric's binary format takes a Decimal
        return Decimal
    return None


def _from_jsonl(data_type: str) -> Callable[[Any], Any] | None:
    """dlt's jsonl conversions (`python_value_from_json`), with floats for double and, for
    jsonb, the JSON value serialized again."""
    if data_type == "double":
        return float
    if data_type == "json":
        return lambda v: JsonText(orjson.dumps(v).decode())
    return python_value_from_json(data_type)


def read_jsonl(path: Path, table: TTableSchema) -> tuple[list[str], Iterator[list[list[Any]]]]:
    """Column names and column-wise batches of a jsonl job file, values converted to their types."""
    return read_jsonl_file(path, table, READ_BATCH_ROWS, _from_jsonl)
