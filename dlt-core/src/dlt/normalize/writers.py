"""Job writers: buffered per-table writers of parquet, Arrow IPC, csv and jsonl load jobs."""

from __future__ import annotations

import base64
import logging
import os
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from dlt.utils.arrow_ipc import open_ipc_writer, write_batches
from dlt.utils.parquet import open_parquet_writer, write_row_groups
from dlt.normalize.exceptions import IntegerOutOfRange
from dlt.schema.exceptions import CannotCoerceNullException
from dlt.schema.inference import parse_timestamp, round_decimal, to_json_text
from dlt.storage.packages import JobFileName

logger = logging.getLogger("dlt")

DEFAULT_DECIMAL = (38, 9)
ARROW_TABLE_FORMATS = ("parquet", "arrow", "csv")
"""Job file formats written from Arrow tables: parquet, Arrow IPC and csv (for destinations
that list csv among their loader file formats: the filesystem, PostgreSQL's COPY)."""
JSON_LINES_FORMATS = ("jsonl", "typed-jsonl")
"""Job file formats written as JSON lines: `typed-jsonl` is jsonl whose readers restore each
value's type from the table schema (datetimes, dates, times, decimals, bytes)."""
BASE_JOB_FORMATS = ("parquet", "jsonl", "arrow")


def table_job_format(hinted: str | None, default: str) -> str | None:
    """The job format of a table whose `file_format` hint is `hinted`: the hint when every
    destination loads it or it is the run's format, else None (the run's format)."""
    if hinted and (hinted in BASE_JOB_FORMATS or hinted == default):
        return hinted
    return None


def table_file_format_hint(tables: dict[str, Any], table: str) -> str | None:
    """The `file_format` hint of `table`; `parquet` for the tables of a Delta or Iceberg table
    chain, which dlt 1.31 always writes as parquet before its library takes the rows."""
    hinted = tables.get(table, {}).get("file_format")
    root = tables.get(table)
    while root is not None and root.get("parent"):
        root = tables.get(root["parent"])
    if root is not None and root.get("table_format") in ("delta", "iceberg"):
        return "parquet"
    return hinted


def arrow_type(column: dict[str, Any]) -> pa.DataType:
    """The Arrow type that holds values of a column."""
    data_type = column.get("data_type")
    if data_type == "bigint":
        return pa.int64()
    if data_type == "double":
        return pa.float64()
    if data_type == "bool":
        return pa.bool_()
    if data_type == "timestamp":
        return pa.timestamp("us", tz="UTC")
    if data_type == "date":
        return pa.date32()
    if data_type == "time":
        return pa.time64("us")
    if data_type == "decimal":
        return pa.decimal128(column.get("precision") or DEFAULT_DECIMAL[0],
                             column.get("scale") if column.get("scale") is not None else DEFAULT_DECIMAL[1])
    if data_type == "binary":
        return pa.binary()
    return pa.string()


def nan_as_null(table: pa.Table) -> pa.Table:
    """`table` with the NaN values of its float columns as nulls. Rows (dicts) load so, as in
    dlt 1.31, whose extract writes them as JSON, where NaN becomes null: a CSV file's missing
    values (NaN from pandas) load as NULL. Infinities are kept (1.31 turns them into null too,
    losing them). Arrow tables and DataFrames a resource yields keep their NaN, as in 1.31."""
    for index, field in enumerate(table.schema):
        if not pa.types.is_floating(field.type):
            continue
        column = table.column(index)
        if column.null_count == len(column):
            continue
        nan = pc.is_nan(column)  # null where the value is null
        if pc.any(nan).as_py():
            table = table.set_column(index, field, pc.if_else(nan, pa.scalar(None, field.type), column))
    return table


def _timestamp_array(values: list[Any], data_type: pa.DataType) -> pa.Array:
    """Timestamps from datetimes and ISO strings; strings are parsed by Arrow in bulk."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds == {datetime}:
        # the common case, checked at C speed
        return pa.array(values, type=data_type)
    strings = [v for v in values if isinstance(v, str)]
    if not strings:
        return pa.array(values, type=data_type)
    if len(strings) == sum(v is not None for v in values):
        try:
            return pa.array(values, type=pa.string()).cast(data_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pa.array([parse_timestamp(v) if isinstance(v, str) else v for v in values], type=data_type)


def _decimal_array(values: list[Any], data_type: pa.Decimal128Type, name: str) -> pa.Array:
    """Decimals in their column's precision and scale; values with more fraction digits are
    rounded (ties away from zero), as DuckDB rounds 12.345 into DECIMAL(10,2) and dlt 1.31
    loads them, with a warning naming the column `name`."""
    try:
        return pa.array(values, type=data_type)
    except pa.ArrowInvalid:
        scale = data_type.scale
        logger.warning("Decimals of column '%s' with more than %d fraction digits were rounded to"
                       " %d, as the column's type DECIMAL(%d,%d) holds them (as in dlt 1.31); give"
                       " the column a 'scale' hint to keep more digits.", name, scale, scale,
                       data_type.precision, scale)
        rounded = [round_decimal(v if isinstance(v, Decimal) else Decimal(str(v)), scale)
                   if v is not None else None for v in values]
        return pa.array(rounded, type=data_type)


def _array(values: list[Any], field: pa.Field, table_name: str) -> pa.Array:
    """`values` as an array of `field`'s type; an integer beyond a 64-bit column's range raises
    `IntegerOutOfRange` naming the table, the column and the value."""
    try:
        return pa.array(values, type=field.type)
    except OverflowError:
        bad = next((v for v in values if isinstance(v, int) and not -2**63 <= v < 2**63), None)
        if bad is not None and pa.types.is_integer(field.type):
            raise IntegerOutOfRange(table_name, field.name, bad) from None
        raise


def _cast_array(array: pa.Array, data_type: pa.DataType, name: str) -> pa.Array:
    """An array of the Arrow walk in its column's type: nulls, naive timestamps (as UTC) and
    ISO strings (parsed by Arrow, or by dlt's parser where Arrow's refuses one) converted."""
    try:
        return array.cast(data_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if pa.types.is_timestamp(data_type):
            return _timestamp_array(array.to_pylist(), data_type)
        if pa.types.is_decimal(data_type):
            return _decimal_array(array.to_pylist(), data_type, name)
        raise


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return str(value)


class CsvTableWriter:
    """Writes Arrow tables to one csv file with a header row (pyarrow's C++ writer): nulls are
    empty fields, empty strings quoted, binary values `\\x`-prefixed hex as PostgreSQL reads."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import pyarrow.csv as pa_csv

        self._schema = _csv_schema(schema)
        self._writer = pa_csv.CSVWriter(str(path), self._schema)

    def write_table(self, table: pa.Table) -> None:
        """Append the rows of `table`."""
        columns = []
        for field, column in zip(table.schema, table.columns):
            if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
                column = pa.array([None if v is None else "\\x" + v.hex() for v in column.to_pylist()],
                                  type=pa.string())
            columns.append(column)
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self._schema))

    def close(self) -> None:
        """Finish the file."""
        self._writer.close()


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([
        pa.field(f.name, pa.string()) if pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type) else f
        for f in schema
    ])


DEFAULT_ROWS_PER_FILE = 500_000
"""Rows in one job file before the next one starts, unless `data_writer.file_max_items` says."""


def configured_rows_per_file() -> int:
    """`normalize.data_writer.file_max_items` or `data_writer.file_max_items` (dlt 1.31's keys,
    env `DATA_WRITER__FILE_MAX_ITEMS`), else `DEFAULT_ROWS_PER_FILE`."""
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([("normalize", "data_writer", "file_max_items"),
                                   ("data_writer", "file_max_items")])
    try:
        return max(1, int(found[0])) if found is not None else DEFAULT_ROWS_PER_FILE
    except (TypeError, ValueError):
        return DEFAULT_ROWS_PER_FILE


class TableJobWriter:
    """Buffers the rows of one table and writes them as job files of one format.

    A new file starts when the table's columns change or a file reaches `rows_per_file`.
    Rows are written in `file_format`; Arrow data (`write_arrow`) in `arrow_file_format`,
    parquet or arrow. When the two formats differ, the arrays of the Arrow walk go to a
    companion writer of `arrow_file_format` with files of their own, so the few items of a
    page that take the row path do not cut the Arrow files short (each switch between the two
    used to end a file: the parent table of 50k general benchmark rows had 17 job files, now 9:
    one Arrow file per change of its columns and one parquet file of the row path's items).
    """

    def __init__(self, folder: Path, table_name: str, file_format: str, file_prefix: str,
                 buffer_rows: int = 10_000, rows_per_file: int | None = None,
                 arrow_file_format: str = "parquet") -> None:
        self.folder = folder
        self.table_name = table_name
        self.file_format = file_format
        self.arrow_file_format = arrow_file_format
        self.file_prefix = file_prefix
        self.buffer_rows = buffer_rows
        self.rows_per_file = rows_per_file if rows_per_file is not None else configured_rows_per_file()
        self.buffer_rows = min(self.buffer_rows, self.rows_per_file)
        self.rows: list[dict[str, Any]] = []
        self.files: list[Path] = []
        self.row_count = 0
        self._columns_key: tuple[Any, ...] | None = None
        self._table_writer: Any = None
        self._table_format = ""
        self._jsonl: Any = None
        self._file_rows = 0
        self._schema: pa.Schema | None = None
        self._buffered_columns: dict[str, list[Any]] = {}
        self._buffered_count = 0
        self._buffered_tables: list[pa.Table] = []
        self._buffered_table_rows = 0
        self._arrays_writer: TableJobWriter | None = None
        """The companion writer of the Arrow walk's arrays (see the class docstring)."""

    def write(self, rows: list[dict[str, Any]], columns: dict[str, dict[str, Any]]) -> None:
        """Add rows; `columns` is the table's current column schema."""
        if len(rows) > self.buffer_rows:
            # a file holds about `rows_per_file` rows even when one batch brings more
            for start in range(0, len(rows), self.buffer_rows):
                self.write(rows[start:start + self.buffer_rows], columns)
            return
        if self._buffered_columns or self._buffered_tables:
            self.flush(columns)
        self.rows.extend(rows)
        self.row_count += len(rows)
        if len(self.rows) >= self.buffer_rows:
            self.flush(columns)

    def write_columns(self, values: dict[str, list[Any]], count: int,
                      columns: dict[str, dict[str, Any]]) -> None:
        """Add `count` rows given as columns (name -> values: Python lists, or Arrow arrays
        from the Arrow walk); absent columns are null."""
        if values and isinstance(next(iter(values.values())), pa.Array):
            self._write_arrays(values, count, columns)
            return
        if count > self.buffer_rows:
            for start in range(0, count, self.buffer_rows):
                part = {name: column[start:start + self.buffer_rows] for name, column in values.items()}
                self.write_columns(part, min(self.buffer_rows, count - start), columns)
            return
        if self.file_format not in ARROW_TABLE_FORMATS:
            names = list(values)
            self.write([dict(zip(names, row)) for row in zip(*values.values())], columns)
            return
        if self.rows or self._buffered_tables:
            self.flush(columns)
        buffered = self._buffered_columns
        before = self._buffered_count
        for name, column_values in values.items():
            target = buffered.get(name)
            if target is None:
                target = buffered[name] = [None] * before
            target.extend(column_values)
        for name, target in buffered.items():
            if name not in values:
                target.extend([None] * count)
        self._buffered_count = before + count
        self.row_count += count
        if self._buffered_count >= self.buffer_rows:
            self.flush(columns)

    def _write_arrays(self, values: dict[str, pa.Array], count: int,
                      columns: dict[str, dict[str, Any]]) -> None:
        """Add `count` rows given as Arrow arrays: cast to their columns' Arrow types and
        buffered as tables, written in the writer's Arrow format (`arrow_file_format`)."""
        if self.file_format not in ARROW_TABLE_FORMATS:
            self.write_columns({name: array.to_pylist() for name, array in values.items()}, count, columns)
            return
        if self.arrow_file_format != self.file_format:
            if self.rows and not self.files:
                # the table's first rows took the row path: their file comes first, so the
                # loader (which loads the format of a table's first file first) keeps them first
                self.flush(columns)
            self._companion()._write_arrays(values, count, columns)
            self.row_count += count
            return
        if count > self.buffer_rows:
            # a file holds about `rows_per_file` rows even when one page brings more
            for start in range(0, count, self.buffer_rows):
                part = {name: array.slice(start, self.buffer_rows) for name, array in values.items()}
                self._write_arrays(part, min(self.buffer_rows, count - start), columns)
            return
        if self.rows or self._buffered_columns:
            self.flush(columns)
        typed = [c for c in columns.values() if c.get("data_type")]
        fields = [pa.field(column["name"], arrow_type(column)) for column in typed]
        arrays = []
        for field in fields:
            array = values.get(field.name)
            if array is None:
                arrays.append(pa.nulls(count, field.type))
            elif array.type != field.type:
                arrays.append(_cast_array(array, field.type, field.name))
            else:
                arrays.append(array)
        table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
        if self._buffered_tables and not table.schema.equals(self._buffered_tables[0].schema):
            self._flush_tables(columns)
        self._buffered_tables.append(table)
        self._buffered_table_rows += count
        self.row_count += count
        if self._buffered_table_rows >= self.buffer_rows:
            self._flush_tables(columns)

    def _flush_tables(self, columns: dict[str, dict[str, Any]]) -> None:
        """Write the buffered Arrow tables as one batch group."""
        tables, count = self._buffered_tables, self._buffered_table_rows
        self._buffered_tables, self._buffered_table_rows = [], 0
        if not tables:
            return
        self._start_batch(columns)
        table = nan_as_null(pa.concat_tables(tables) if len(tables) > 1 else tables[0])
        self._check_not_null(table, [c for c in columns.values() if c.get("data_type")])
        self._append_table(table, self.arrow_file_format)
        self._file_rows += count

    def link_file(self, source: Path, num_rows: int) -> None:
        """Use an existing parquet or Arrow IPC file as a job, in the format its suffix names:
        hard-linked (no copy) where possible."""
        self._close_file()
        path = self._next_path(source.suffix.lstrip("."))
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)
        self.files.append(path)
        self.row_count += num_rows

    def write_arrow(self, table: pa.Table) -> None:
        """Write an Arrow table as it is (the Arrow pass-through path) in `arrow_file_format`;
        tables of one schema share a file."""
        if self._table_writer is not None and (not table.schema.equals(self._schema)
                                               or self._file_rows >= self.rows_per_file):
            self._close_file()
        # rows written after this start their own file
        self._columns_key = None
        self._append_table(table, self.arrow_file_format)
        self._file_rows += table.num_rows
        self.row_count += table.num_rows

    def _companion(self) -> TableJobWriter:
        """The writer of the Arrow walk's arrays in `arrow_file_format`: its files join this
        writer's list (so their names stay unique) and its rows are counted here."""
        if self._arrays_writer is None:
            companion = TableJobWriter(self.folder, self.table_name, self.arrow_file_format,
                                       self.file_prefix, self.buffer_rows, self.rows_per_file,
                                       self.arrow_file_format)
            companion.files = self.files
            self._arrays_writer = companion
        return self._arrays_writer

    def _next_path(self, file_format: str) -> Path:
        name = JobFileName(self.table_name, f"{self.file_prefix}{len(self.files)}", 0, file_format)
        return self.folder / str(name)

    def flush(self, columns: dict[str, dict[str, Any]]) -> None:
        """Write the buffered rows (or buffered columns or tables)."""
        if self._buffered_tables:
            self._flush_tables(columns)
        if self._buffered_columns:
            self._flush_columns(columns)
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self._start_batch(columns)
        typed = [c for c in columns.values() if c.get("data_type")]
        if self.file_format in ARROW_TABLE_FORMATS:
            self._write_rows_as_table(rows, typed)
        else:
            self._write_jsonl(rows, typed)
        self._file_rows += len(rows)

    def _flush_columns(self, columns: dict[str, dict[str, Any]]) -> None:
        """Write the buffered columns as one row group or batch (the columnar path)."""
        values, count = self._buffered_columns, self._buffered_count
        self._buffered_columns, self._buffered_count = {}, 0
        self._start_batch(columns)
        typed = [c for c in columns.values() if c.get("data_type")]
        fields = [pa.field(column["name"], arrow_type(column)) for column in typed]
        arrays = []
        for column, field in zip(typed, fields):
            column_values = values.get(column["name"])
            if column_values is None:
                arrays.append(pa.nulls(count, field.type))
            elif column["data_type"] == "timestamp":
                arrays.append(_timestamp_array(column_values, field.type))
            elif column["data_type"] == "decimal":
                arrays.append(_decimal_array(column_values, field.type, field.name))
            else:
                arrays.append(_array(column_values, field, self.table_name))
        table = nan_as_null(pa.Table.from_arrays(arrays, schema=pa.schema(fields)))
        self._check_not_null(table, typed)
        self._append_table(table, self.file_format)
        self._file_rows += count

    def _start_batch(self, columns: dict[str, dict[str, Any]]) -> None:
        """Close the current file when the columns changed or it is full."""
        key = tuple((name, c.get("data_type"), c.get("precision"), c.get("scale"))
                    for name, c in columns.items() if c.get("data_type"))
        if key != self._columns_key or self._file_rows >= self.rows_per_file:
            self._close_file()
            self._columns_key = key

    def _write_rows_as_table(self, rows: list[dict[str, Any]], typed: list[dict[str, Any]]) -> None:
        fields = [pa.field(column["name"], arrow_type(column)) for column in typed]
        schema = pa.schema(fields)
        # plain columns convert in one C++ pass; json and timestamp columns need Python help
        special = {c["name"] for c in typed if c["data_type"] in ("json", "timestamp", "decimal")}
        plain = pa.schema([f for f in fields if f.name not in special])
        try:
            table = pa.Table.from_pylist(rows, schema=plain) if len(plain) else None
        except OverflowError:
            # name the column and value (an int beyond 64 bits in a bigint column)
            for field in plain:
                _array([row.get(field.name) for row in rows], field, self.table_name)
            raise
        arrays = []
        for column, field in zip(typed, fields):
            name = column["name"]
            if name not in special:
                arrays.append(table.column(name))
                continue
            values = [row.get(name) for row in rows]
            if column["data_type"] == "json":
                arrays.append(pa.array([None if v is None else to_json_text(v) for v in values], type=field.type))
            elif column["data_type"] == "decimal":
                arrays.append(_decimal_array(values, field.type, name))
            else:
                arrays.append(_timestamp_array(values, field.type))
        table = nan_as_null(pa.Table.from_arrays(arrays, schema=schema))
        self._check_not_null(table, typed)
        self._append_table(table, self.file_format)

    def _check_not_null(self, table: pa.Table, typed: list[dict[str, Any]]) -> None:
        """Raise `CannotCoerceNullException` when a column that is not nullable (a hint, a
        primary or merge key) has a null in `table`: normalize fails before anything loads,
        as in dlt 1.31. dlt's own columns always have values and are not looked at."""
        for column in typed:
            name = column["name"]
            if column.get("nullable", True) or name.startswith("_dlt"):
                continue
            if name not in table.column_names or table.column(name).null_count:
                raise CannotCoerceNullException("", self.table_name, name)

    def _append_table(self, table: pa.Table, file_format: str) -> None:
        """Add a table to the open parquet or Arrow IPC file as its own row group(s) or
        batch(es): a buffer's worth of rows, small enough that neither this writer nor a loader
        reading it holds much at a time."""
        if self._table_writer is not None and (file_format != self._table_format
                                               or not table.schema.equals(self._schema)):
            # a file holds one schema: Arrow tables buffered before a new column arrived, and
            # rows typed after it, go to files of their own
            self._close_file()
        if self._table_writer is None:
            path = self._next_path(file_format)
            self.files.append(path)
            open_writer = {"arrow": open_ipc_writer, "csv": CsvTableWriter}.get(file_format, open_parquet_writer)
            self._table_writer = open_writer(path, table.schema)
            self._table_format = file_format
            self._schema = table.schema
        if file_format == "arrow":
            write_batches(self._table_writer, table)
        elif file_format == "csv":
            self._table_writer.write_table(table)
        else:
            write_row_groups(self._table_writer, table)

    def _write_jsonl(self, rows: list[dict[str, Any]], typed: list[dict[str, Any]]) -> None:
        if self._jsonl is None:
            path = self._next_path(self.file_format if self.file_format in JSON_LINES_FORMATS else "jsonl")
            self.files.append(path)
            self._jsonl = open(path, "wb")  # noqa: SIM115 - closed in _close_file
        names = [c["name"] for c in typed]
        for column in typed:
            name = column["name"]
            if not column.get("nullable", True) and not name.startswith("_dlt") and any(
                    row.get(name) is None for row in rows):
                raise CannotCoerceNullException("", self.table_name, name)
        dumps = orjson.dumps
        option = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
        write = self._jsonl.write
        for row in rows:
            write(dumps({n: row[n] for n in names if n in row}, default=_json_default, option=option))

    def _close_file(self) -> None:
        if self._table_writer is not None:
            self._table_writer.close()
            self._table_writer = None
        if self._jsonl is not None:
            self._jsonl.close()
            self._jsonl = None
        self._file_rows = 0

    def close(self, columns: dict[str, dict[str, Any]]) -> list[Path]:
        """Flush and close; returns the job files written."""
        self.flush(columns)
        self._close_file()
        if self._arrays_writer is not None:
            self._arrays_writer.close(columns)
        return self.files


