"""`RedshiftJobClient`: schema migration, INSERT batches, merge and replace on Redshift.

Job files (parquet, or jsonl) are read in record batches and written with multi-row
`INSERT ... VALUES` statements whose bind parameters and size stay under Redshift's limits
(16 MB a statement, 32767 parameters). Full batches share one statement text, so the driver's
statement cache holds a handful of statements however much data a package has. Merges stage the
package's rows in `<dataset>_staging` and move them with `DELETE ... USING` + `INSERT` inside the
package's transaction.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
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
from dlt.destinations.sql_job_client import SqlJobClient, sized_integer_type
from dlt.schema.typing import TTableSchema

from dlt_destination_redshift.credentials import RedshiftCredentials
from dlt_destination_redshift.dialect import REDSHIFT, RedshiftDialect
from dlt_destination_redshift.sql_client import RedshiftSqlClient
from dlt_destination_redshift.staging import copy_from_s3_sql

#: rows read from a job file at a time
READ_BATCH_ROWS = 10_000
#: bytes counted per bind parameter on top of its value (length word, type, separators)
PARAMETER_OVERHEAD = 8


class RedshiftJobClient(PostgresDialectMixin, SqlJobClient):
    """Loads a package into one Redshift dataset in one transaction; merges use the
    `DELETE ... USING` statements shared with PostgreSQL (`dlt.destinations.postgres_dialect`)."""

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 config: dict[str, Any], dialect: RedshiftDialect = REDSHIFT) -> None:
        credentials = RedshiftCredentials.parse(config["credentials"])
        sql = RedshiftSqlClient(context.dataset_name, capabilities, credentials, dialect)
        super().__init__(context, capabilities, sql)
        self.sql: RedshiftSqlClient = sql
        self.dialect = dialect
        self.config = config
        self.type_mapping = dict(dialect.type_mapping)
        self.max_statement_bytes = min(capabilities.max_query_length, dialect.max_statement_bytes)

    def __repr__(self) -> str:
        return f"<RedshiftJobClient {self.sql.credentials.location()} dataset={self.dataset_name}>"

    # -- schema migration -----------------------------------------------------------------------

    def to_db_type(self, column: dict[str, Any]) -> str:
        """The Redshift type of a column; decimals with a precision become NUMERIC(p,s), and a
        bigint with a precision in bits the smallest integer that holds it (16: SMALLINT, 32:
        INTEGER), as in dlt 1.31; a wei column is NUMERIC(38,0) unless it has a precision."""
        if column["data_type"] in ("decimal", "wei") and column.get("precision"):
            return f"NUMERIC({column['precision']},{column.get('scale') or 0})"
        sized = sized_integer_type(column, ((16, "SMALLINT"), (32, "INTEGER")))
        return sized or self.type_mapping[column["data_type"]]

    def storage_columns(self, dataset_name: str | None = None) -> dict[str, dict[str, str]]:
        """Existing tables and columns, named as in the schema (the server folds and shortens)."""
        schema_name = self.dialect.normalize_identifier(dataset_name or self.dataset_name)
        rows = self.sql.execute_sql(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = %s", schema_name,
        ) or []
        normalize = self.dialect.normalize_identifier
        table_names = {normalize(name): name for name in self.schema.tables}
        tables: dict[str, dict[str, str]] = {}
        for db_table, db_column, data_type in rows:
            table = table_names.get(db_table, db_table)
            columns = self.schema.tables.get(table, {}).get("columns", {})
            column_names = {normalize(name): name for name in columns}
            tables.setdefault(table, {})[column_names.get(db_column, db_column)] = data_type
        return tables

    def table_options(self, table: TTableSchema) -> str:
        """`DISTKEY(...)` / `COMPOUND SORTKEY(...)` table attributes from `cluster` and `sort`
        column hints, after a CREATE TABLE's column list."""
        if not self.dialect.table_attributes:
            return ""
        columns = [c for c in table["columns"].values() if c.get("data_type")]
        q = self.sql.escape_identifier
        clauses = []
        dist = [c["name"] for c in columns if c.get("cluster")]
        if dist:  # Redshift distributes on one column
            clauses.append(f"DISTSTYLE KEY DISTKEY({q(dist[0])})")
        sort = [c["name"] for c in columns if c.get("sort")]
        if sort:
            clauses.append(f"COMPOUND SORTKEY({', '.join(q(n) for n in sort)})")
        return (" " + " ".join(clauses)) if clauses else ""

    # -- loading ------------------------------------------------------------------------------

    def copy_file(self, path: Path, table: TTableSchema, file_format: str, qualified_table: str) -> None:
        """Insert the rows of a parquet or jsonl job file with multi-row INSERT batches."""
        if file_format == "parquet":
            names, batches = read_parquet(path)
        elif file_format == "jsonl":
            names, batches = read_jsonl(path, table)
        else:
            raise LoadJobTerminalError(
                path.name, f"Redshift loads parquet or jsonl job files, not '{file_format}'."
            )
        columns = table["columns"]
        unknown = [n for n in names if not columns.get(n, {}).get("data_type")]
        if unknown:
            raise LoadJobTerminalError(
                path.name, f"The columns {', '.join(unknown)} of the job file are not in table"
                f" {table['name']} of the schema.")
        typed = [columns[n] for n in names]
        try:
            for statement, params in self.insert_batches(qualified_table, typed, batches, path.name):
                self.sql.execute_sql(statement, *params)
        except DestinationTerminalError as exc:
            if isinstance(exc, LoadJobTerminalError):
                raise
            raise LoadJobTerminalError(path.name, str(exc)) from exc

    def insert_batches(self, qualified_table: str, columns: list[dict[str, Any]],
                       batches: Iterator[list[tuple[Any, ...]]], job_name: str = "",
                       ) -> Iterator[tuple[str, list[Any]]]:
        """(statement, parameters) of multi-row INSERTs holding every row of `batches`.

        A statement holds at most `max_bind_parameters` parameters and, text and values
        together, at most `max_statement_bytes`; a row that alone is larger fails the job.
        """
        if not columns:
            return
        q = self.sql.escape_identifier
        header = f"INSERT INTO {qualified_table} ({', '.join(q(c['name']) for c in columns)}) VALUES "
        row_sql = "(" + ", ".join(placeholder(c["data_type"]) for c in columns) + ")"
        converters = [converter(c["data_type"]) for c in columns]
        max_rows = max(1, self.dialect.max_bind_parameters // len(columns))
        per_row_text = len(row_sql) + 2
        budget = self.max_statement_bytes - len(header.encode("utf-8"))
        rows: list[Any] = []
        n_rows = 0
        used = 0
        for batch in batches:
            for row in batch:
                values = [convert(v) for convert, v in zip(converters, row)]
                size = per_row_text + sum(value_size(v) for v in values)
                if size > budget:
                    raise LoadJobTerminalError(
                        job_name, f"A row for {qualified_table} is {size:,} bytes, more than"
                        f" Redshift's {self.max_statement_bytes:,} byte statement limit allows.")
                if n_rows and (n_rows == max_rows or used + size > budget):
                    yield header + ", ".join([row_sql] * n_rows), rows
                    rows, n_rows, used = [], 0, 0
                rows.extend(values)
                n_rows += 1
                used += size
        if n_rows:
            yield header + ", ".join([row_sql] * n_rows), rows

    def copy_from_s3(self, table: TTableSchema, s3_url: str, file_format: str,
                     qualified_table: str | None = None) -> None:
        """Load a staged file from S3 with COPY (needs `staging_iam_role`)."""
        iam_role = self.config.get("staging_iam_role")
        if not iam_role:
            raise DestinationTerminalError(
                "Loading from S3 needs an IAM role Redshift may assume: set"
                " destination.redshift.staging_iam_role (DESTINATION__REDSHIFT__STAGING_IAM_ROLE)."
            )
        columns = [c["name"] for c in table["columns"].values() if c.get("data_type")]
        self.sql.execute_sql(copy_from_s3_sql(
            qualified_table or self.sql.make_qualified_table_name(table["name"]),
            [self.sql.escape_identifier(c) for c in columns], table, s3_url, file_format, iam_role,
        ))

    # -- merge ----------------------------------------------------------------------------------

    destination_name = "redshift"


# -- values ---------------------------------------------------------------------------------------


def placeholder(data_type: str) -> str:
    """The bind placeholder of a column: JSON text parsed into SUPER, hex text into VARBYTE."""
    if data_type == "json":
        return "JSON_PARSE(%s)"
    if data_type == "binary":
        return "FROM_HEX(%s)"
    return "%s"


def _json_text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value, default=str).decode()


def _hex(value: Any) -> Any:
    if value is None:
        return None
    return bytes(value).hex()


def _float(value: Any) -> Any:
    return None if value is None else float(value)


def _same(value: Any) -> Any:
    return value


def converter(data_type: str) -> Any:
    """The function turning a job file value into the bind parameter of its column."""
    return {"json": _json_text, "binary": _hex, "double": _float}.get(data_type, _same)


def value_size(value: Any) -> int:
    """Bytes a bind parameter takes on the wire (close enough to keep statements in budget)."""
    if value is None:
        return PARAMETER_OVERHEAD
    if isinstance(value, str):
        return len(value.encode("utf-8")) + PARAMETER_OVERHEAD
    return 40 + PARAMETER_OVERHEAD


# -- job files ------------------------------------------------------------------------------------


def read_parquet(path: Path) -> tuple[list[str], Iterator[list[tuple[Any, ...]]]]:
    """Column names and row batches of a parquet job file."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    names = list(parquet.schema_arrow.names)

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        for record_batch in parquet.iter_batches(batch_size=READ_BATCH_ROWS):
            columns = [record_batch.column(i).to_pylist() for i in range(record_batch.num_columns)]
            yield list(zip(*columns))

    return names, batches()


def _from_jsonl(data_type: str) -> Any:
    def timestamp(v: Any) -> Any:
        return datetime.fromisoformat(v.replace("Z", "+00:00")) if isinstance(v, str) else v

    def parse(kind: Any) -> Any:
        return lambda v: kind.fromisoformat(v) if isinstance(v, str) else v

    return {
        "timestamp": timestamp,
        "date": parse(date),
        "time": parse(time),
        "decimal": lambda v: Decimal(str(v)) if v is not None else None,
        "wei": lambda v: Decimal(str(v)) if v is not None else None,
        "binary": lambda v: base64.b64decode(v) if isinstance(v, str) else v,
    }.get(data_type, _same)


def read_jsonl(path: Path, table: TTableSchema) -> tuple[list[str], Iterator[list[tuple[Any, ...]]]]:
    """Column names and row batches of a jsonl job file, values converted to their types."""
    columns = table["columns"]
    names: list[str] = []
    with open(path, "rb") as file:
        for line in file:
            if line.strip():
                for name in orjson.loads(line):
                    if name not in names:
                        names.append(name)
    parse = [_from_jsonl(columns.get(n, {}).get("data_type", "text")) for n in names]

    def batches() -> Iterator[list[tuple[Any, ...]]]:
        batch: list[tuple[Any, ...]] = []
        with open(path, "rb") as file:
            for line in file:
                if not line.strip():
                    continue
                record = orjson.loads(line)
                batch.append(tuple(p(record.get(n)) for p, n in zip(parse, names)))
                if len(batch) >= READ_BATCH_ROWS:
                    yield batch
                    batch = []
        if batch:
            yield batch

    return names, batches()


__all__: Sequence[str] = ["RedshiftJobClient", "placeholder", "read_jsonl", "read_parquet"]
