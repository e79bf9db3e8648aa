"""Errors about data that does not fit the schema (exposed as `dlt.common.schema.exceptions`)."""

from __future__ import annotations

from typing import Any

from dlt.schema.schema import SchemaError


class DataValidationError(SchemaError):
    """An item violates the schema contract (`contract_mode`) on `schema_entity`.

    The fields are dlt 1.31's: `schema_name`, `table_name`, `column_name`, `schema_entity`
    (`tables`, `columns` or `data_type`), `contract_mode` (`freeze`, ...), `table_schema`,
    `schema_contract` and the offending `data_item`.
    """

    def __init__(self, schema_name: str | None, table_name: str, column_name: str | None,
                 schema_entity: str, contract_mode: str, table_schema: Any,
                 schema_contract: Any, data_item: Any = None, extended_info: str | None = None) -> None:
        self.schema_name = schema_name
        self.table_name = table_name
        self.column_name = column_name
        self.schema_entity = schema_entity
        self.contract_mode = contract_mode
        self.table_schema = table_schema
        self.schema_contract = schema_contract
        self.data_item = data_item
        where = f"table `{table_name}`" + (f", column `{column_name}`" if column_name else "")
        what = {
            "tables": "a new table",
            "columns": "a new column",
            "data_type": "a value of another data type",
        }.get(schema_entity, f"a change of {schema_entity}")
        message = (
            f"In schema `{schema_name}`, {where}: the contract on `{schema_entity}` is"
            f" `{contract_mode}`, but the data has {what}."
        )
        if extended_info:
            message += f" {extended_info}"
        message += " Change schema_contract on the source, resource or run() to allow it."
        super().__init__(message)
