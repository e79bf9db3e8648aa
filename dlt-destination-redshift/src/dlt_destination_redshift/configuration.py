"""`dlt.destinations.impl.redshift.configuration` (dlt 1.31's path): the credentials class."""

from dlt_destination_redshift.credentials import RedshiftCredentials

__all__ = ["RedshiftCredentials"]
