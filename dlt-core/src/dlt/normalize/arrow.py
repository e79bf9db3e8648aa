"""The Arrow pass-through: Arrow tables and DataFrames are normalized as columns, never rows.

As in dlt 1.31, Arrow data gets no `_dlt_load_id` / `_dlt_id` columns unless
`normalize.parquet_normalizer.add_dlt_load_id` / `add_dlt_id` are set
(`NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID=true`).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dlt.schema import Schema
from dlt.schema.inference import to_json_text
from dlt.schema.typing import ID_COLUMN, LOAD_ID_COLUMN
from dlt.utils.arrow_ipc import arrow_file_batches
from dlt.normalize.writers import arrow_type

LINEAGE_SECTION = ("normalize", "parquet_normalizer")
"""Where the options for dlt columns on Arrow data live in configuration, as in dlt."""


logger = logging.getLogger("dlt")


@dataclass(frozen=True)
class LineageOptions:
    """Which dlt columns Arrow data gets in normalize."""

    add_dlt_load_id: bool = False
    add_dlt_id: bool = False

    @property
    def any(self) -> bool:
        """True when at least one column is added."""
        return self.add_dlt_load_id or self.add_dlt_id


def _config_flag(name: str) -> bool | None:
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([LINEAGE_SECTION + (name,)])
    if found is None:
        return None
    value = found[0]
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def lineage_options(schema: Schema) -> LineageOptions:
    """The dlt column options for Arrow data: configuration, else the schema's settings."""
    settings = schema.settings
    load_id = _config_flag("add_dlt_load_id")
    row_id = _config_flag("add_dlt_id")
    return LineageOptions(
        add_dlt_load_id=bool(settings.get("add_dlt_load_id")) if load_id is None else load_id,
        add_dlt_id=bool(settings.get("add_dlt_id")) if row_id is None else row_id,
    )


def new_row_ids(count: int) -> pa.Array:
    """`count` unique `_dlt_id` values: a random prefix and a counter, made without Python rows."""
    prefix = os.urandom(6).hex()
    if count == 0:
        return pa.array([], pa.string())
    counter = pc.cumulative_sum(pc.fill_null(pa.nulls(count, pa.int64()), 1))
    return pc.binary_join_element_wise(prefix, pc.cast(counter, pa.string()), "")


DEFAULT_TIMESTAMP_PRECISION = 6
"""Fractional digits of a timestamp or time column without a `precision` hint (microseconds):
the most parquet job files and the destinations hold."""

_UNIT_DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}


def data_type_of(arrow_type: pa.DataType) -> dict[str, Any]:
    """The column schema fields (data type, precision, scale) for an Arrow type, as dlt 1.31
    infers them: an integer narrower than 64 bits keeps its width as `precision` (bits), a
    timestamp or time in seconds or milliseconds gets precision 0 or 3 (finer units load as
    microseconds, the default, which is left out), a fixed-size binary its byte width.
    Unlike 1.31, an unsigned integer gets twice its width, so every value fits (1.31 gives
    `uint32` precision 32: an INTEGER column that overflows above 2**31)."""
    if pa.types.is_boolean(arrow_type):
        return {"data_type": "bool"}
    if pa.types.is_integer(arrow_type):
        bits = arrow_type.bit_width * (2 if pa.types.is_unsigned_integer(arrow_type) else 1)
        return {"data_type": "bigint"} if bits >= 64 else {"data_type": "bigint", "precision": bits}
    if pa.types.is_floating(arrow_type):
        return {"data_type": "double"}
    if pa.types.is_decimal(arrow_type):
        return {"data_type": "decimal", "precision": arrow_type.precision, "scale": arrow_type.scale}
    if pa.types.is_timestamp(arrow_type) or pa.types.is_time(arrow_type):
        spec: dict[str, Any] = {"data_type": "timestamp" if pa.types.is_timestamp(arrow_type) else "time"}
        digits = min(_UNIT_DIGITS.get(arrow_type.unit, DEFAULT_TIMESTAMP_PRECISION),
                     DEFAULT_TIMESTAMP_PRECISION)
        if digits != DEFAULT_TIMESTAMP_PRECISION:
            spec["precision"] = digits
        return spec
    if pa.types.is_date(arrow_type):
        return {"data_type": "date"}
    if pa.types.is_fixed_size_binary(arrow_type):
        return {"data_type": "binary", "precision": arrow_type.byte_width}
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return {"data_type": "binary"}
    if pa.types.is_nested(arrow_type):
        return {"data_type": "json"}
    return {"data_type": "text"}


def warn_of_nanoseconds(schema: Schema, table_name: str, item_file: Path, arrow_schema: pa.Schema) -> None:
    """Warn, per column, when nanosecond timestamps of an Arrow file go into a column of
    microseconds (no `precision` above 6) and some of them have digits below a microsecond:
    the destination keeps microseconds at most there, so those digits are lost."""
    columns = schema.tables.get(table_name, {}).get("columns", {})
    for field in arrow_schema:
        if not (pa.types.is_timestamp(field.type) and field.type.unit == "ns"):
            continue
        name = schema.naming.normalize_path(field.name)
        precision = columns.get(name, {}).get("precision") or DEFAULT_TIMESTAMP_PRECISION
        if precision > DEFAULT_TIMESTAMP_PRECISION:
            continue
        if any(_not_whole_microseconds(batch.column(0))
               for batch in arrow_file_batches(item_file, [field.name])):
            logger.warning(
                "Column %r of table %r has timestamps with nanoseconds; they load with their digits"
                " below a microsecond lost. To keep them on DuckDB, hint the column"
                " {'data_type': 'timestamp', 'timezone': False, 'precision': 9} (TIMESTAMP_NS).",
                name, table_name)


def _not_whole_microseconds(array: pa.Array) -> bool:
    nanos = array.cast(pa.int64())
    return bool(pc.any(pc.not_equal(pc.multiply(pc.divide(nanos, 1000), 1000), nanos)).as_py())


def to_arrow_table(item: Any) -> pa.Table:
    """An Arrow table from a Table, RecordBatch or pandas/polars DataFrame."""
    if isinstance(item, pa.Table):
        return item
    if isinstance(item, pa.RecordBatch):
        return pa.Table.from_batches([item])
    module = type(item).__module__
    if module.startswith("pandas"):
        return pa.Table.from_pandas(item, preserve_index=False)
    if module.startswith("polars"):
        return item.to_arrow()
    raise TypeError(f"{type(item).__name__} is not Arrow data")


def needs_rewrite(schema: Schema, table_name: str, arrow_schema: pa.Schema) -> bool:
    """True when Arrow data must be rewritten to load: renamed columns, nested values, naive
    timestamps, or a `_dlt_load_id` to add. Otherwise its parquet file loads as it is."""
    if lineage_options(schema).any:
        return True
    existing = schema.tables.get(table_name, {}).get("columns", {})
    for field in arrow_schema:
        if schema.naming.normalize_path(field.name) != field.name or pa.types.is_null(field.type):
            return True
        spec = data_type_of(field.type)
        if spec["data_type"] == "json" or (spec["data_type"] == "timestamp" and field.type.tz is None):
            return True
        known = existing.get(field.name, {}).get("data_type")
        if known and known != spec["data_type"]:
            return True
    return False


def column_over_hints(column: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    """The schema of an Arrow column (`column`, from its field) with what the table schema
    already says of it (`known`): a typed column keeps its type and hints; a column that only
    hints declared (no data type, e.g. `nullable: False` from a reflected table at "minimal")
    keeps those hints over the field's, with the field's data type."""
    hints = {k: v for k, v in known.items() if v is not None}
    if not known.get("data_type"):
        hints.pop("data_type", None)
        hints.setdefault("data_type", column["data_type"])
    return {**column, **hints}


def record_arrow_columns(schema: Schema, table_name: str, arrow_schema: pa.Schema) -> None:
    """Add the columns of Arrow data that loads unchanged to the dlt schema."""
    for field in arrow_schema:
        known = schema.tables.get(table_name, {}).get("columns", {}).get(field.name, {})
        column = {"name": field.name, "nullable": field.nullable, **data_type_of(field.type)}
        if not known:
            column.update(schema.default_hints_for(field.name))
        schema.update_column(table_name, column_over_hints(column, known))


def normalize_arrow_table(schema: Schema, table_name: str, table: pa.Table, load_id: str) -> pa.Table:
    """Rename columns by the naming convention, record their types, cast to storable types."""
    naming = schema.naming
    options = lineage_options(schema)
    names: list[str] = []
    arrays = []
    existing = schema.tables.get(table_name, {}).get("columns", {})
    for field, column in zip(table.schema, table.columns):
        name = naming.normalize_path(field.name)
        if pa.types.is_null(field.type):
            known = existing.get(name, {})
            if not known.get("data_type"):
                # as dlt 1.31: a column of only nulls has no type yet, so it is left out
                # until data gives it one
                continue
            column = pa.nulls(table.num_rows, arrow_type(known))
            field = pa.field(field.name, column.type)
        spec = data_type_of(field.type)
        if spec["data_type"] == "json":
            column = pa.array([None if v is None else to_json_text(v) for v in column.to_pylist()],
                              type=pa.string())
        elif spec["data_type"] == "timestamp" and field.type.tz is None:
            column = pc.assume_timezone(column, "UTC") if field.type.unit else column
        column_schema = {"name": name, "nullable": field.nullable, **spec}
        if name not in existing:
            column_schema.update(schema.default_hints_for(name))
        schema.update_column(table_name, column_over_hints(column_schema, existing.get(name, {})))
        names.append(name)
        arrays.append(column)
    if options.add_dlt_load_id and LOAD_ID_COLUMN not in names:
        names.append(LOAD_ID_COLUMN)
        arrays.append(pa.repeat(pa.scalar(load_id, pa.string()), table.num_rows))
        schema.update_column(table_name, {"name": LOAD_ID_COLUMN, "data_type": "text", "nullable": False})
    if options.add_dlt_id and ID_COLUMN not in names:
        names.append(ID_COLUMN)
        arrays.append(new_row_ids(table.num_rows))
        schema.update_column(table_name, {"name": ID_COLUMN, "data_type": "text", "nullable": False,
                                          "unique": True, "row_key": True})
    return pa.Table.from_arrays(arrays, names=names)
