"""`dlt.common.schema`, as dlt 1.31 users import it: re-exports only.

The real code lives in `dlt.schema` (`dlt/schema/schema.py`, `dlt/schema/exceptions.py`).
"""

from dlt.schema import Schema
from dlt.schema.exceptions import DataValidationError

__all__ = ["Schema", "DataValidationError"]
