"""BigQuery destination for dlt, on google-cloud-bigquery."""

from dlt_destination_bigquery.version import __version__

__all__ = ["__version__"]
