"""Schemas: tables, columns, data types, naming conventions and inference."""

from dlt.schema.schema import Schema, SchemaError

__all__ = ["Schema", "SchemaError"]
