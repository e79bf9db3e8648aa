"""`dlt.common.data_types`: re-export of the data type names in `dlt.schema.typing`."""

from dlt.schema.typing import TDataType

__all__ = ["TDataType"]
