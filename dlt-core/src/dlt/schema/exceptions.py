"""Errors raised by schemas and schema contracts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlt.utils.exceptions import DltException


class SchemaError(DltException):
    """A schema, table or column definition is invalid."""


class CannotCoerceNullException(SchemaError):
    """A column that is not nullable got no value (None) in a row: normalize fails before
    anything loads, as in dlt 1.31."""

    def __init__(self, schema_name: str, table_name: str, column_name: str) -> None:
        self.schema_name, self.table_name, self.column_name = schema_name, table_name, column_name
        super().__init__(
            f"Cannot coerce NULL in table '{table_name}' column '{column_name}' which is not"
            f" nullable. Give every row a value for '{column_name}', or drop `nullable: False`"
            " (or the primary or merge key hint) from the column.")


class TableNotFound(KeyError, SchemaError):
    """A table the schema does not have (a `KeyError`, as dlt 1.31's `TableNotFound` is):
    `schema_name` and `table_name` say which."""

    def __init__(self, schema_name: str, table_name: str, known: Iterable[str] = ()) -> None:
        self.schema_name = schema_name
        self.table_name = table_name
        names = ", ".join(known)
        super().__init__(f"In schema `{schema_name}`: Table not found: `{table_name}`."
                         + (f" Its tables are: {names}." if names else " It has no tables yet."))

    def __str__(self) -> str:
        # KeyError's own str() would quote the message
        return str(self.args[0])


class DataValidationError(SchemaError):
    """Data breaks a schema contract: a new table, a new column or a variant under `freeze`.

    The fields say where and why, as in dlt 1.31: `schema_name`, `table_name`, `column_name`
    (None for a new table), `schema_entity` (`tables`, `columns` or `data_type`),
    `contract_mode`, the `table_schema` as it was before, the full `schema_contract` and the
    offending `data_item`.
    """

    def __init__(self, schema_name: str | None, table_name: str, column_name: str | None,
                 schema_entity: str, contract_mode: str, table_schema: Any = None,
                 schema_contract: Any = None, data_item: Any = None,
                 extended_info: str | None = None) -> None:
        self.schema_name = schema_name
        self.table_name = table_name
        self.column_name = column_name
        self.schema_entity = schema_entity
        self.contract_mode = contract_mode
        self.table_schema = table_schema
        self.schema_contract = schema_contract
        self.data_item = data_item
        self.extended_info = extended_info
        what = extended_info or {
            "tables": f"Table '{table_name}' is new.",
            "columns": f"Column '{column_name}' is new in table '{table_name}'.",
            "data_type": f"A value of column '{column_name}' of table '{table_name}' does not fit"
                         " its data type and would need a variant column.",
        }.get(schema_entity, f"Table '{table_name}' would change.")
        shown = repr(data_item)
        if len(shown) > 200:
            shown = shown[:200] + "..."
        schema = f"schema '{schema_name}'" if schema_name else "the schema"
        super().__init__(
            f"{what} The contract of {schema} sets {schema_entity} to '{contract_mode}', so the"
            f" data is rejected (offending item: {shown}). To accept or drop such data, set"
            f" schema_contract={{'{schema_entity}': 'evolve'}} (or 'discard_row' / 'discard_value')"
            " on the source, the resource or run()."
        )
