"""The version of the dlt-destination-postgres distribution."""

__version__ = "0.1.0"
