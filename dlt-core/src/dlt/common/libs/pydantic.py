"""`dlt.common.libs.pydantic`, as dlt 1.31 users import it (`DltConfig`).

A re-export: the real code is in `dlt.extract.pydantic_columns`.
"""

from dlt.extract.pydantic_columns import DltConfig, ModelValidator, columns_from_model

pydantic_to_table_schema_columns = columns_from_model
"""dlt 1.31's name for the columns a pydantic model describes."""

__all__ = ["DltConfig", "ModelValidator", "columns_from_model", "pydantic_to_table_schema_columns"]
