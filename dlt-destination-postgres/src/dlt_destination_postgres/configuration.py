"""`dlt.destinations.impl.postgres.configuration` (dlt 1.31's path): the credentials class."""

from dlt_destination_postgres.credentials import PostgresCredentials

__all__ = ["PostgresCredentials"]
