"""Checks of a normalized package's schema that stop a load that cannot succeed, before it runs."""

from __future__ import annotations

from collections.abc import Iterable

from dlt.schema.schema import Schema, SchemaError


class UnboundColumnException(SchemaError):
    """Key or non-nullable columns of a table received no data in a load (dlt 1.31's name).

    Typically a `primary_key`, `merge_key` or `columns` hint names a column that is not in the
    data. The package stays pending until the hint is fixed or the package is aborted.
    """

    def __init__(self, schema_name: str, table_name: str, columns: list[tuple[str, str]]) -> None:
        self.schema_name = schema_name
        self.table_name = table_name
        self.columns = [name for name, _ in columns]
        listed = "\n".join(f"  - {name} (marked as {why} and must have values)" for name, why in columns)
        super().__init__(
            f"In schema `{schema_name}`: the following columns of table `{table_name}` did not receive"
            f" any data during this load:\n{listed}\nThis happens when a `primary_key`, `merge_key`"
            " or `columns` hint names a column that is not in the data. Fix the hint (or the data),"
            " then discard this package, which was extracted with the old hint, with"
            " `pipeline.abort_packages()`, and run again"
        )


def unbound_columns(schema: Schema, table_name: str) -> list[tuple[str, str]]:
    """Columns of `table_name` that must have values but have no data type: no value was seen."""
    found = []
    for name, column in schema.tables[table_name]["columns"].items():
        if column.get("data_type"):
            continue
        if column.get("primary_key"):
            found.append((name, "non-nullable primary key"))
        elif column.get("merge_key"):
            found.append((name, "merge key"))
        elif column.get("nullable") is False:
            found.append((name, "non-nullable"))
    return found


def check_bound_columns(schema: Schema, tables: Iterable[str]) -> None:
    """Raise `UnboundColumnException` for the first of `tables` with a key column that got no data."""
    for table_name in tables:
        if table_name in schema.tables:
            columns = unbound_columns(schema, table_name)
            if columns:
                raise UnboundColumnException(schema.name, table_name, columns)
