"""The version of the dlt-destination-sqlalchemy distribution."""

__version__ = "0.1.0"
