"""`LoadJobInfo`: one job file of a load package, as hooks and load info see it.

The class lives in `dlt.storage.load_package` with the package info it belongs to.
"""

from dlt.storage.load_package import LoadJobInfo

__all__ = ["LoadJobInfo"]
