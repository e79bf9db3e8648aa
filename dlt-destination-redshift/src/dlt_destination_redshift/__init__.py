"""Redshift destination for dlt, on redshift-connector."""

from dlt_destination_redshift.version import __version__

__all__ = ["__version__"]
