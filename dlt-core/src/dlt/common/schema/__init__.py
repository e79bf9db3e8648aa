"""`dlt.common.schema` as dlt 1.31 users import it: re-exports only.

The real code: `dlt.schema.schema` (`Schema`), `dlt.schema.exceptions` (`DataValidationError`),
`dlt.schema.typing` (the type names).
"""

from dlt.common.schema import typing
from dlt.schema.exceptions import DataValidationError
from dlt.schema.schema import Schema
from dlt.schema.typing import (
    TColumnHint,
    TColumnSchema,
    TColumnType,
    TDataType,
    TSchemaContract,
    TSchemaTables,
    TStoredSchema,
    TTableSchema,
    TTableSchemaColumns,
    TWriteDisposition,
)

__all__ = [
    "DataValidationError", "Schema", "TColumnHint", "TColumnSchema", "TColumnType", "TDataType",
    "TSchemaContract", "TSchemaTables", "TStoredSchema", "TTableSchema", "TTableSchemaColumns",
    "TWriteDisposition", "typing",
]
