"""`dlt.common.exceptions`: re-exports of `dlt.utils.exceptions` and the pipeline errors
(`dlt.pipeline.exceptions`).

`TerminalException` / `TransientException` are the mixins of dlt 1.31; every `TerminalError`
and `TransientError` that this dlt raises derives from them.
"""

from dlt.pipeline.exceptions import (
    PipelineException,
    PipelineStateNotAvailable,
    ResourceNameNotAvailable,
    SourceSectionNotAvailable,
)
from dlt.utils.exceptions import (
    DictValidationException,
    DltException,
    MissingDependencyException,
    TerminalError,
    TerminalException,
    TerminalValueError,
    TransientError,
    TransientException,
    ValueErrorWithKnownValues,
)

__all__ = [
    "DictValidationException", "DltException", "MissingDependencyException", "PipelineException",
    "PipelineStateNotAvailable", "ResourceNameNotAvailable", "SourceSectionNotAvailable",
    "TerminalError", "TerminalException", "TerminalValueError", "TransientError",
    "TransientException", "ValueErrorWithKnownValues",
]
