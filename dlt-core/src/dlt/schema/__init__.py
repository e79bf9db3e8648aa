"""Schemas: tables, columns, data types, naming conventions and inference."""

from dlt.schema.exceptions import DataValidationError, SchemaError
from dlt.schema.schema import Schema

__all__ = ["DataValidationError", "Schema", "SchemaError"]
