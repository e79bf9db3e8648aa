"""Result rows to Arrow tables (typed by the reflected dlt columns) and DataFrames."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pyarrow as pa


def arrow_type(column: dict[str, Any], tz: str) -> pa.DataType | None:
    """The Arrow type of a dlt column, or None to let Arrow infer it from the values."""
    data_type = column.get("data_type")
    if data_type == "bigint":
        return pa.int64()
    if data_type == "double":
        return pa.float64()
    if data_type == "bool":
        return pa.bool_()
    if data_type in ("text", "json"):
        return pa.string()
    if data_type == "binary":
        return pa.binary()
    if data_type == "date":
        return pa.date32()
    if data_type == "time":
        return pa.time64("us")
    if data_type == "timestamp":
        return pa.timestamp("us", tz=tz if column.get("timezone", True) else None)
    if data_type == "decimal":
        precision, scale = column.get("precision"), column.get("scale", 0)
        if precision is None:
            return None
        return pa.decimal128(precision, scale or 0) if precision <= 38 else pa.decimal256(precision, scale or 0)
    return None


def _prepare(values: list[Any], column: dict[str, Any]) -> list[Any]:
    data_type = column.get("data_type")
    if data_type == "json":
        return [None if v is None or isinstance(v, str) else json.dumps(v, default=str) for v in values]
    if data_type == "binary":
        return [v.tobytes() if isinstance(v, memoryview) else v for v in values]
    if data_type == "double":
        return [float(v) if isinstance(v, Decimal) else v for v in values]
    return values


def column_array(values: list[Any], column: dict[str, Any], tz: str) -> pa.Array:
    """One column as an Arrow array: the reflected type when the values fit it, else inferred
    (and, for values Arrow cannot infer, their text)."""
    target = arrow_type(column, tz)
    values = _prepare(values, column)
    if target is not None:
        try:
            return pa.array(values, type=target)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            pass
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def rows_to_arrow(names: list[str], rows: list[Any], columns: dict[str, Any], tz: str = "UTC") -> pa.Table:
    """A batch of result rows (tuples in `names` order) as one Arrow table."""
    by_column = list(zip(*rows)) if rows else [() for _ in names]
    arrays = [column_array(list(values), columns.get(name, {}), tz)
              for name, values in zip(names, by_column)]
    # a NOT NULL column is a non-nullable field (as in dlt 1.31): the schema learns it from the
    # Arrow data when the reflection gives no type ("minimal")
    fields = [pa.field(name, array.type, nullable=columns.get(name, {}).get("nullable", True))
              for name, array in zip(names, arrays)]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def arrow_to_pandas(table: pa.Table) -> Any:
    """A DataFrame of an Arrow table; integers and bools with NULLs stay nullable, not float."""
    import pandas as pd

    mapping = {pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int32Dtype(), pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=mapping.get)
