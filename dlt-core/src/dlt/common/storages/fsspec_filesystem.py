"""`dlt.common.storages.fsspec_filesystem`: re-exports of the filesystem source plugin's file
helpers, `dlt.sources.filesystem` (importing this without `dlt-source-filesystem` installed
raises an ImportError naming the `pip install` that provides it)."""

from dlt.sources.filesystem import FileItem, FileItemDict, fsspec_filesystem, glob_files

__all__ = ["FileItem", "FileItemDict", "fsspec_filesystem", "glob_files"]
