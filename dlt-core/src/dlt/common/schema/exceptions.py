"""`dlt.common.schema.exceptions`: re-exports of `dlt.schema.exceptions` and `dlt.schema.schema`."""

from dlt.schema.exceptions import DataValidationError, TableNotFound
from dlt.schema.schema import SchemaError as SchemaException

__all__ = ["DataValidationError", "SchemaException", "TableNotFound"]
