"""`dlt.common.destination`: re-exports of `dlt.destinations.base`."""

from dlt.destinations.base import Destination, DestinationCapabilities, JobClient
from dlt.schema.typing import TFileFormat as TLoaderFileFormat

DestinationCapabilitiesContext = DestinationCapabilities
"""dlt 1.31's name for the capabilities object."""

__all__ = ["Destination", "DestinationCapabilities", "DestinationCapabilitiesContext", "JobClient", "TLoaderFileFormat"]
