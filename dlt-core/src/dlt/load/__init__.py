"""Load: run load jobs of normalized packages against a destination."""

from dlt.load.jobs import LoadJobInfo
from dlt.load.loader import LoadClientError, Loader, PackageLoadInfo

__all__ = ["LoadClientError", "LoadJobInfo", "Loader", "PackageLoadInfo"]
