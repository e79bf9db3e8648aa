"""The Arrow pass-through: Arrow tables and DataFrames are normalized as columns, never rows."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dlt.schema import Schema
from dlt.schema.inference import to_json_text
from dlt.schema.typing import LOAD_ID_COLUMN


def data_type_of(arrow_type: pa.DataType) -> dict[str, Any]:
    """The column schema fields (data type, precision, scale) for an Arrow type."""
    if pa.types.is_boolean(arrow_type):
        return {"data_type": "bool"}
    if pa.types.is_integer(arrow_type):
        return {"data_type": "bigint"}
    if pa.types.is_floating(arrow_type):
        return {"data_type": "double"}
    if pa.types.is_decimal(arrow_type):
        return {"data_type": "decimal", "precision": arrow_type.precision, "scale": arrow_type.scale}
    if pa.types.is_timestamp(arrow_type):
        return {"data_type": "timestamp"}
    if pa.types.is_date(arrow_type):
        return {"data_type": "date"}
    if pa.types.is_time(arrow_type):
        return {"data_type": "time"}
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type) or pa.types.is_fixed_size_binary(arrow_type):
        return {"data_type": "binary"}
    if pa.types.is_nested(arrow_type):
        return {"data_type": "json"}
    return {"data_type": "text"}


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
    if schema.settings.get("add_dlt_load_id"):
        return True
    existing = schema.tables.get(table_name, {}).get("columns", {})
    for field in arrow_schema:
        if schema.naming.normalize_path(field.name) != field.name:
            return True
        spec = data_type_of(field.type)
        if spec["data_type"] == "json" or (spec["data_type"] == "timestamp" and field.type.tz is None):
            return True
        known = existing.get(field.name, {}).get("data_type")
        if known and known != spec["data_type"]:
            return True
    return False


def record_arrow_columns(schema: Schema, table_name: str, arrow_schema: pa.Schema) -> None:
    """Add the columns of Arrow data that loads unchanged to the dlt schema."""
    for field in arrow_schema:
        known = schema.tables.get(table_name, {}).get("columns", {}).get(field.name, {})
        column = {"name": field.name, "nullable": field.nullable, **data_type_of(field.type)}
        if known.get("data_type"):
            column = {**column, **{k: v for k, v in known.items() if v is not None}}
        schema.update_column(table_name, column)


def normalize_arrow_table(schema: Schema, table_name: str, table: pa.Table, load_id: str) -> pa.Table:
    """Rename columns by the naming convention, record their types, cast to storable types."""
    naming = schema.naming
    add_load_id = bool(schema.settings.get("add_dlt_load_id"))
    names: list[str] = []
    arrays = []
    existing = schema.tables.get(table_name, {}).get("columns", {})
    for field, column in zip(table.schema, table.columns):
        name = naming.normalize_path(field.name)
        spec = data_type_of(field.type)
        if spec["data_type"] == "json":
            column = pa.array([None if v is None else to_json_text(v) for v in column.to_pylist()],
                              type=pa.string())
        elif spec["data_type"] == "timestamp" and field.type.tz is None:
            column = pc.assume_timezone(column, "UTC") if field.type.unit else column
        known = existing.get(name, {})
        column_schema = {"name": name, "nullable": field.nullable, **spec}
        if known.get("data_type"):
            column_schema = {**column_schema, **{k: v for k, v in known.items() if v is not None}}
            column_schema["data_type"] = known["data_type"]
        schema.update_column(table_name, column_schema)
        names.append(name)
        arrays.append(column)
    if add_load_id and LOAD_ID_COLUMN not in names:
        names.append(LOAD_ID_COLUMN)
        arrays.append(pa.array([load_id] * table.num_rows, type=pa.string()))
        schema.update_column(table_name, {"name": LOAD_ID_COLUMN, "data_type": "text", "nullable": False})
    return pa.Table.from_arrays(arrays, names=names)
