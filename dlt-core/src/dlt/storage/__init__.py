"""On-disk storage of a pipeline: load packages and their job states."""

from dlt.storage.packages import JobFileName, PackageStorage, new_load_id

__all__ = ["JobFileName", "PackageStorage", "new_load_id"]
