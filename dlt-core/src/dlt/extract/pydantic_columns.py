"""Columns from a pydantic model given as the `columns` hint of a resource."""

from __future__ import annotations

import types
import typing
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

_TYPES: dict[Any, str] = {
    str: "text", int: "bigint", float: "double", bool: "bool", datetime: "timestamp",
    date: "date", time: "time", Decimal: "decimal", bytes: "binary", dict: "json", list: "json",
}


def _data_type(annotation: Any) -> tuple[str | None, bool]:
    nullable = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        annotation = args[0] if len(args) == 1 else Any
        origin = typing.get_origin(annotation)
    if origin in (list, dict, tuple, set):
        return "json", nullable
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return "json", nullable
    return _TYPES.get(annotation), nullable


def columns_from_model(model: Any) -> dict[str, dict[str, Any]]:
    """Map each field of a pydantic model to a column with data type and nullability."""
    columns: dict[str, dict[str, Any]] = {}
    for name, field in model.model_fields.items():
        data_type, nullable = _data_type(field.annotation)
        column: dict[str, Any] = {"name": field.alias or name, "nullable": nullable}
        if data_type:
            column["data_type"] = data_type
        columns[column["name"]] = column
    return columns
