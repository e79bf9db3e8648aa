"""`SqlAlchemyJobClient`: schema migration, typed INSERT batches, merge and replace through
SQLAlchemy, on whatever database the engine connects to.

Column types are SQLAlchemy types compiled by the engine's dialect, so the DDL is right for
each backend. Job files are read in record batches and inserted with SQLAlchemy Core
(`table.insert()` with executemany), so every value goes through the dialect's bind processing
(JSON serialized, datetimes as SQLite stores them, ...). Merge and replace strategies are the
shared ones of `SqlJobClient`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from dlt.destinations.base import (
    ClientContext,
    DestinationCapabilities,
    DestinationTerminalError,
    LoadJobTerminalError,
)
from dlt.destinations.job_files import python_value_from_json, read_arrow_file, read_jsonl_file
from dlt.destinations.sql_job_client import SqlJobClient, sized_integer_type
from dlt.schema.typing import TTableSchema

from dlt_destination_sqlalchemy.sql_client import SqlAlchemySqlClient

#: rows inserted per executemany
INSERT_BATCH_ROWS = 10_000


def sqlalchemy_type(column: dict[str, Any]) -> Any:
    """The SQLAlchemy type of a dlt column (precision, scale and timezone hints applied)."""
    data_type = column["data_type"]
    precision = column.get("precision")
    if data_type == "text":
        return sa.String(precision) if precision else sa.Text()
    if data_type == "bigint":
        return (sized_integer_type(column, ((16, sa.SmallInteger), (32, sa.Integer))) or sa.BigInteger)()
    if data_type == "double":
        return sa.Double()
    if data_type == "bool":
        return sa.Boolean()
    if data_type == "timestamp":
        return sa.DateTime(timezone=column.get("timezone", True) is not False)
    if data_type == "date":
        return sa.Date()
    if data_type == "time":
        return sa.Time()
    if data_type == "decimal":
        return sa.Numeric(precision or 38, column.get("scale") if column.get("scale") is not None else (0 if precision else 9))
    if data_type == "wei":
        # dlt 1.31's Numeric(38, 0), the widest exact numeric most databases have
        return sa.Numeric(precision or 38, column.get("scale") or 0)
    if data_type == "json":
        return sa.JSON(none_as_null=True)
    if data_type == "binary":
        return sa.LargeBinary(precision) if precision else sa.LargeBinary()
    raise DestinationTerminalError(f"The sqlalchemy destination has no type for '{data_type}'.")


class SqlAlchemyJobClient(SqlJobClient):
    """Loads a package into one dataset of a SQLAlchemy database in one transaction."""

    destination_name = "sqlalchemy"

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 config: dict[str, Any]) -> None:
        sql = SqlAlchemySqlClient(context.dataset_name, capabilities, config["credentials"],
                                  config.get("engine_args"))
        super().__init__(context, capabilities, sql)
        self.sql: SqlAlchemySqlClient = sql
        self.config = config
        self.create_primary_keys = bool(config.get("create_primary_keys"))
        self.create_unique_indexes = bool(config.get("create_unique_indexes"))

    def __repr__(self) -> str:
        return f"<SqlAlchemyJobClient {self.sql.location()} dataset={self.dataset_name}>"

    @property
    def type_mapping(self) -> dict[str, str]:  # type: ignore[override]
        """dlt data type -> the dialect's type name."""
        return {t: self.to_db_type({"data_type": t}) for t in (
            "text", "bigint", "double", "bool", "timestamp", "date", "time", "decimal", "wei",
            "json", "binary")}

    # -- schema migration -----------------------------------------------------------------------

    def column_type(self, column: dict[str, Any]) -> Any:
        """The SQLAlchemy type of a column on this database. SQLite keeps decimals (and wei) as
        TEXT: its NUMERIC affinity would round them to 15 significant digits. MySQL and MariaDB get
        their own types where the generic ones lose data (see `mysql_type`)."""
        if column["data_type"] in ("decimal", "wei") and self.sql.dialect_name == "sqlite":
            return sa.Text()
        if self.sql.dialect_name == "mysql":
            return mysql_type(column)
        return sqlalchemy_type(column)

    def to_db_type(self, column: dict[str, Any]) -> str:
        """The dialect's DDL type of a column."""
        return str(self.column_type(column).compile(dialect=self.sql.engine.dialect))

    def column_definition(self, column: dict[str, Any]) -> str:
        """`name TYPE [NOT NULL] [UNIQUE]` (UNIQUE with `create_unique_indexes`)."""
        definition = super().column_definition(column)
        if self.create_unique_indexes and column.get("unique"):
            definition += " UNIQUE"
        return definition

    def columns_ddl(self, table: TTableSchema) -> str:
        """The column list, with `PRIMARY KEY (...)` of the `primary_key` columns when
        `create_primary_keys` is on."""
        ddl = super().columns_ddl(table)
        keys = [c["name"] for c in table["columns"].values() if c.get("data_type") and c.get("primary_key")]
        if self.create_primary_keys and keys:
            ddl += f",\n  PRIMARY KEY ({', '.join(self.sql.escape_identifier(k) for k in keys)})"
        return ddl

    def storage_columns(self, dataset_name: str | None = None) -> dict[str, dict[str, str]]:
        """Existing tables and columns of the dataset, from SQLAlchemy's inspector."""
        schema = dataset_name or self.dataset_name
        if not self.sql.has_dataset(schema):
            return {}
        inspector = sa.inspect(self.sql.native_connection)
        tables: dict[str, dict[str, str]] = {}
        for table in inspector.get_table_names(schema=schema):
            tables[table] = {c["name"]: str(c["type"]) for c in inspector.get_columns(table, schema=schema)}
        return tables

    # -- a package's transaction -----------------------------------------------------------

    def begin_load(self, load_id: str, tables: list[str]) -> None:
        """Attach (SQLite) or create the staging dataset before the transaction opens: SQLite
        cannot attach a database inside one."""
        if self._merge_roots(tables) or self._staged_replace_roots(tables):
            staging = self.sql.staging_dataset_name()
            if not self.sql.has_dataset(staging):
                self.sql.create_dataset(staging)
        super().begin_load(load_id, tables)

    def timestamp_literal(self, moment: datetime) -> str:
        """A timestamp literal as the dialect stores timestamps (SQLite: SQLAlchemy's text form;
        MySQL/MariaDB: a UTC `DATETIME(6)`, which has no zone)."""
        if self.sql.dialect_name in ("sqlite", "mysql"):
            value = moment.astimezone(timezone.utc).replace(tzinfo=None)
            text = self.sql.escape_string(value.strftime("%Y-%m-%d %H:%M:%S.%f"))
            return text if self.sql.dialect_name == "sqlite" else f"CAST({text} AS DATETIME(6))"
        return super().timestamp_literal(moment)

    def delete_matched_statement(self, target: str, staged: str, key_sets: list[list[str]]) -> str:
        """DELETE the rows of `target` that match a staged row; MySQL and MariaDB name the
        alias to delete from (`DELETE d FROM t AS d ...`)."""
        statement = super().delete_matched_statement(target, staged, key_sets)
        if self.sql.dialect_name == "mysql":
            return "DELETE d FROM" + statement[len("DELETE FROM"):]
        return statement

    # -- loading ------------------------------------------------------------------------------

    def sa_table(self, table: TTableSchema, qualified_table: str, names: list[str]) -> sa.Table:
        """A SQLAlchemy `Table` of the job's columns, in the dataset (or staging dataset) that
        `qualified_table` names."""
        staging = self.qualified_staging_table(table["name"]) == qualified_table
        schema = self.sql.staging_dataset_name() if staging else self.dataset_name
        columns = [sa.Column(n, self.column_type(table["columns"][n])) for n in names]
        return sa.Table(table["name"], sa.MetaData(), *columns, schema=schema)

    def copy_file(self, path: Path, table: TTableSchema, file_format: str, qualified_table: str) -> None:
        """Insert the rows of a parquet, Arrow IPC or jsonl job file in batches."""
        if file_format in ("parquet", "arrow"):
            names, batches = read_arrow_file(path, file_format, INSERT_BATCH_ROWS)
        elif file_format == "jsonl":
            names, batches = read_jsonl(path, table)
        else:
            raise LoadJobTerminalError(
                path.name, f"The sqlalchemy destination loads parquet, arrow or jsonl job files, not '{file_format}'.")
        unknown = [n for n in names if not table["columns"].get(n, {}).get("data_type")]
        if unknown:
            raise LoadJobTerminalError(
                path.name, f"The columns {', '.join(unknown)} of the job file are not in table"
                f" {table['name']} of the schema.")
        if not names:
            return
        target = self.sa_table(table, qualified_table, names)
        converters = [bind_converter(table["columns"][n], self.sql.dialect_name) for n in names]
        try:
            for batch in batches:
                values = [v if convert is None else [None if x is None else convert(x) for x in v]
                          for convert, v in zip(converters, batch)]
                rows = [dict(zip(names, row)) for row in zip(*values)]
                for start in range(0, len(rows), INSERT_BATCH_ROWS):
                    self.sql.insert_rows(target, rows[start:start + INSERT_BATCH_ROWS])
        except DestinationTerminalError as exc:
            if isinstance(exc, LoadJobTerminalError):
                raise
            raise LoadJobTerminalError(path.name, str(exc)) from exc


def mysql_type(column: dict[str, Any]) -> Any:
    """The MySQL/MariaDB type of a dlt column: `DATETIME(6)` and `TIME(6)` (the plain types drop
    the microseconds), `DOUBLE`, `LONGBLOB` (a plain BLOB holds 64 KB), `LONGTEXT` for text and
    `VARCHAR(128)` for text with the `unique` or `primary_key` hint (TEXT cannot be a key), as
    dlt 1.31 does for unique text."""
    from sqlalchemy.dialects import mysql

    data_type = column["data_type"]
    precision = column.get("precision")
    if data_type == "timestamp":
        return mysql.DATETIME(fsp=min(precision, 6) if precision is not None else 6)
    if data_type == "time":
        return mysql.TIME(fsp=min(precision, 6) if precision is not None else 6)
    if data_type == "double":
        return mysql.DOUBLE()
    if data_type == "text" and not precision:
        if column.get("unique") or column.get("primary_key"):
            return sa.String(128)
        return mysql.LONGTEXT()
    if data_type == "binary" and not precision:
        return mysql.LONGBLOB()
    return sqlalchemy_type(column)


# -- values ---------------------------------------------------------------------------------------


def bind_converter(column: dict[str, Any], dialect_name: str = "") -> Callable[[Any], Any] | None:
    """The function bringing a non-null job file value to what the SQLAlchemy type binds."""
    data_type = column["data_type"]
    if data_type in ("decimal", "wei") and dialect_name == "sqlite":
        return str
    if data_type == "wei":
        # wei values are decimal text in job files; Numeric binds a Decimal
        return lambda v: v if isinstance(v, Decimal) else Decimal(str(v))
    if data_type == "json":
        return lambda v: orjson.loads(v) if isinstance(v, str) else v
    if data_type == "timestamp" and (column.get("timezone", True) is False or dialect_name == "mysql"):
        # naive columns, and MySQL's DATETIME (which has no zone), hold the UTC time
        return lambda v: v.astimezone(timezone.utc).replace(tzinfo=None) if v.tzinfo else v
    if data_type == "double":
        return float
    return None


def _from_jsonl(data_type: str) -> Callable[[Any], Any] | None:
    """dlt's jsonl conversions (`python_value_from_json`), with a JSON value bound as its
    serialized text."""
    if data_type == "json":
        return lambda v: orjson.dumps(v).decode()
    return python_value_from_json(data_type)


def read_jsonl(path: Path, table: TTableSchema) -> tuple[list[str], Iterator[list[list[Any]]]]:
    """Column names and column-wise batches of a jsonl job file, values converted to their types."""
    return read_jsonl_file(path, table, INSERT_BATCH_ROWS, _from_jsonl)
