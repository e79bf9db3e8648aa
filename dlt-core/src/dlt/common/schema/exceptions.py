"""`dlt.common.schema.exceptions`: re-exports of `dlt.schema.exceptions` and `dlt.schema.schema`."""

from dlt.schema.exceptions import CannotCoerceNullException, DataValidationError, TableNotFound
from dlt.schema.schema import SchemaError as SchemaException

__all__ = ["CannotCoerceNullException", "DataValidationError", "SchemaException", "TableNotFound"]
