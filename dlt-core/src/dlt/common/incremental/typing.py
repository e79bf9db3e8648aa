"""`dlt.common.incremental.typing`: re-exports of `dlt.extract.incremental.typing` and the
incremental's state type."""

from dlt.extract.incremental import IncrementalColumnState
from dlt.extract.incremental.typing import (
    IncrementalArgs,
    LastValueFunc,
    OnCursorValueMissing,
    TCursorValue,
    TIncrementalRange,
)

__all__ = ["IncrementalArgs", "IncrementalColumnState", "LastValueFunc", "OnCursorValueMissing",
           "TCursorValue", "TIncrementalRange"]
