"""`dlt.common.destination.exceptions`: re-exports, under dlt 1.31's names, of the errors of
`dlt.destinations.base` and `dlt.plugins.errors`."""

from dlt.destinations.base import (
    DestinationError as DestinationException,
    DestinationLoadingViaStagingNotSupported,
    DestinationTerminalError as DestinationTerminalException,
    DestinationTransientError as DestinationTransientException,
    DestinationUndefinedRelation as DestinationUndefinedEntity,
    LoadJobTerminalError,
    SqlClientNotAvailable,
)
from dlt.pipeline.load_info import FailedJobsError as DestinationHasFailedJobs
from dlt.plugins.errors import UnknownProvisionError as UnknownDestinationModule

__all__ = [
    "DestinationException", "DestinationHasFailedJobs", "DestinationLoadingViaStagingNotSupported",
    "DestinationTerminalException", "DestinationTransientException", "DestinationUndefinedEntity",
    "LoadJobTerminalError", "SqlClientNotAvailable", "UnknownDestinationModule",
]
