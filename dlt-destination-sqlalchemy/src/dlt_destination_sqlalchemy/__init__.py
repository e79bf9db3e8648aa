"""SQLAlchemy destination for dlt: any database SQLAlchemy connects to."""

from dlt_destination_sqlalchemy.version import __version__

__all__ = ["__version__"]
