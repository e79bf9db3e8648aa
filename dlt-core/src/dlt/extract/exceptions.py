"""`dlt.extract.exceptions`: dlt 1.31's import path of the errors of extract; re-exports of
`dlt.extract.resource` and `dlt.extract.incremental.exceptions`.

1.31 has a class per kind of mistake in defining a source or a resource; here one class,
`ResourceError`, covers them, and its 1.31 base names (`DltResourceException`,
`DltSourceException`) are that class, so `except` clauses written for 1.31 still catch them.
"""

from dlt.extract.incremental.exceptions import (
    IncrementalCursorInvalidCoercion,
    IncrementalCursorPathHasValueNone,
    IncrementalCursorPathMissing,
    IncrementalError,
    IncrementalPrimaryKeyMissing,
    IncrementalUnboundError,
)
from dlt.extract.resource import ResourceError, ResourceExtractionError

DltResourceException = ResourceError
DltSourceException = ResourceError

__all__ = [
    "DltResourceException", "DltSourceException", "IncrementalCursorInvalidCoercion",
    "IncrementalCursorPathHasValueNone", "IncrementalCursorPathMissing", "IncrementalError",
    "IncrementalPrimaryKeyMissing", "IncrementalUnboundError", "ResourceError", "ResourceExtractionError",
]
