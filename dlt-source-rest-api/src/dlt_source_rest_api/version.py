"""The version of the dlt-source-rest-api distribution."""

__version__ = "0.1.0"
