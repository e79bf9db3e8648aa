"""PostgreSQL destination for dlt, loading through binary COPY with psycopg 3."""

from dlt_destination_postgres.version import __version__

__all__ = ["__version__"]
