"""Version of dlt-source-filesystem."""

__version__ = "0.1.0"
