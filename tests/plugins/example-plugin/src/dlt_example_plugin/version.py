"""The version of the dlt-example-plugin distribution."""

__version__ = "0.1.0"
