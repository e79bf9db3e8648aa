"""`dlt.common.destination.reference`: dlt 1.31's older import path of the destination types;
re-exports of `dlt.common.destination` (the code is in `dlt.destinations.base`)."""

from dlt.common.destination import Destination, DestinationCapabilities, DestinationCapabilitiesContext, JobClient

__all__ = ["Destination", "DestinationCapabilities", "DestinationCapabilitiesContext", "JobClient"]
