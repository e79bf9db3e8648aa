"""`dlt.extract.exceptions`: dlt 1.31's import path of the errors of extract; re-exports of
`dlt.extract.errors`, `dlt.extract.resource` and `dlt.extract.incremental.exceptions`.

`ResourceError` is the base of every mistake in defining or using a source or resource; the
1.31 classes for the mistakes that this dlt tells apart are its subclasses, and 1.31's base
names (`DltResourceException`, `DltSourceException`) are `ResourceError` itself, so `except`
clauses written for 1.31 still catch them.
"""

from dlt.extract.errors import (
    CurrentSourceSchemaNotAvailable,
    DataItemRequiredForDynamicTableHints,
    InvalidResourceDataType,
    InvalidResourceDataTypeBasic,
    InvalidResourceDataTypeIsNone,
    InvalidStepFunctionArguments,
    InvalidTransformerGeneratorFunction,
    ParametrizedResourceUnbound,
    PipeNotBoundToData,
    ResourceError,
    ResourceNameMissing,
    ResourceNotATransformer,
    ResourcesNotFoundError,
)
from dlt.extract.incremental.exceptions import (
    IncrementalCursorInvalidCoercion,
    IncrementalCursorPathHasValueNone,
    IncrementalCursorPathMissing,
    IncrementalError,
    IncrementalPrimaryKeyMissing,
    IncrementalUnboundError,
)
from dlt.extract.resource import ResourceExtractionError

DltResourceException = ResourceError
DltSourceException = ResourceError

__all__ = [
    "CurrentSourceSchemaNotAvailable",
    "DataItemRequiredForDynamicTableHints", "DltResourceException", "DltSourceException",
    "IncrementalCursorInvalidCoercion", "IncrementalCursorPathHasValueNone",
    "IncrementalCursorPathMissing", "IncrementalError", "IncrementalPrimaryKeyMissing",
    "IncrementalUnboundError", "InvalidResourceDataType", "InvalidResourceDataTypeBasic",
    "InvalidResourceDataTypeIsNone",
    "InvalidStepFunctionArguments", "InvalidTransformerGeneratorFunction",
    "ParametrizedResourceUnbound", "PipeNotBoundToData", "ResourceError", "ResourceExtractionError",
    "ResourceNameMissing", "ResourceNotATransformer", "ResourcesNotFoundError",
]
