"""The version of the dlt-destination-bigquery distribution."""

__version__ = "0.1.0"
