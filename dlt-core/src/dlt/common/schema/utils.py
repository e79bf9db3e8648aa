"""`dlt.common.schema.utils`: re-exports of `dlt.schema.utils`."""

from dlt.schema.utils import (
    get_columns_names_with_prop,
    get_first_column_name_with_prop,
    has_column_with_prop,
    has_table_seen_data,
    is_complete_column,
    new_column,
    new_table,
)

__all__ = [
    "get_columns_names_with_prop", "get_first_column_name_with_prop", "has_column_with_prop",
    "has_table_seen_data", "is_complete_column", "new_column", "new_table",
]
