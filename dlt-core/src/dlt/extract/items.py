"""`dlt.extract.items`: dlt 1.31's import path of the item wrappers; re-exports of `dlt.extract.mark`."""

from dlt.extract.mark import DataItemWithMeta, HintsMeta, TableNameMeta
from dlt.utils.typing import TDataItem, TDataItems

__all__ = ["DataItemWithMeta", "HintsMeta", "TDataItem", "TDataItems", "TableNameMeta"]
