"""The version of the dlt-destination-redshift distribution."""

__version__ = "0.1.0"
