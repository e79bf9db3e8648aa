"""Helpers over table and column schema dicts that sources written for dlt 1.31 import from
`dlt.common.schema.utils`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dlt.schema.typing import TColumnSchema, TTableSchema

def _is_set(column_prop: str, value: Any) -> bool:
    """True when a column's hint `column_prop` has other than its default value (`nullable`
    defaults to True, every other hint to unset / False)."""
    if column_prop == "nullable":
        return value is False
    return value is not None and value is not False


def is_complete_column(column: TColumnSchema) -> bool:
    """True when the column has a name and a data type (a hint-only column has no type yet)."""
    return bool(column.get("name")) and bool(column.get("data_type"))


def get_columns_names_with_prop(table: TTableSchema, column_prop: str,
                                include_incomplete: bool = False) -> list[str]:
    """Names of `table`'s columns whose hint `column_prop` is set to other than its default
    (e.g. `primary_key`, `merge_key`, `nullable` set to False); only typed columns unless
    `include_incomplete`."""
    return [
        name for name, column in table["columns"].items()
        if _is_set(column_prop, column.get(column_prop))
        and (include_incomplete or is_complete_column(column))
    ]


def get_first_column_name_with_prop(table: TTableSchema, column_prop: str,
                                    include_incomplete: bool = False) -> str | None:
    """The first of `get_columns_names_with_prop(...)`, or None."""
    names = get_columns_names_with_prop(table, column_prop, include_incomplete)
    return names[0] if names else None


def has_column_with_prop(table: TTableSchema, column_prop: str, include_incomplete: bool = False) -> bool:
    """True when some column of `table` has the hint `column_prop` set."""
    return bool(get_columns_names_with_prop(table, column_prop, include_incomplete))


def has_table_seen_data(table: TTableSchema) -> bool:
    """True when rows were loaded into `table`'s schema: it has a column with a data type."""
    return any(column.get("data_type") for column in table["columns"].values())


def new_column(column_name: str, data_type: str | None = None, nullable: bool = True,
               precision: int | None = None, scale: int | None = None) -> TColumnSchema:
    """A column schema dict: name, nullable and the data type, precision and scale given."""
    column: dict[str, Any] = {"name": column_name, "nullable": nullable}
    for key, value in (("data_type", data_type), ("precision", precision), ("scale", scale)):
        if value is not None:
            column[key] = value
    return column  # type: ignore[return-value]


def new_table(table_name: str, parent_table_name: str | None = None, write_disposition: str | None = None,
              columns: Sequence[TColumnSchema] | None = None, resource: str | None = None,
              schema_contract: Any = None, table_format: str | None = None,
              file_format: str | None = None) -> TTableSchema:
    """A table schema dict with the given columns and hints (unset ones are left out); a root
    table (no `parent_table_name`) always has a `write_disposition` (default `append`) and a
    `resource` (default: the table's name), as in dlt 1.31."""
    table: dict[str, Any] = {"name": table_name, "columns": {c["name"]: c for c in columns or ()}}
    hints = {"write_disposition": write_disposition, "schema_contract": schema_contract,
             "table_format": table_format, "file_format": file_format, "resource": resource,
             "parent": parent_table_name}
    if parent_table_name is None:
        hints["write_disposition"] = write_disposition or "append"
        hints["resource"] = resource or table_name
    table.update({key: value for key, value in hints.items() if value is not None})
    return table  # type: ignore[return-value]


__all__ = [
    "get_columns_names_with_prop", "get_first_column_name_with_prop", "has_column_with_prop",
    "has_table_seen_data", "is_complete_column", "new_column", "new_table",
]
