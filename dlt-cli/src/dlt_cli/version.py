"""The version of the dlt-cli distribution."""

__version__ = "0.1.0"
