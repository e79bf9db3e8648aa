"""Version of dlt-source-sql-database."""

__version__ = "0.1.0"
