"""The `filesystem` source of dlt: file listings of fsspec filesystems and readers for them.

Importable as `dlt.sources.filesystem` when this distribution is installed. fsspec, pandas and
pyarrow are imported only when files are listed or read, so `import dlt` stays fast.
"""

from dlt_source_filesystem.files import FileItem, FileItemDict, fsspec_filesystem, glob_files
from dlt_source_filesystem.source import (
    filesystem,
    read_csv,
    read_csv_duckdb,
    read_jsonl,
    read_parquet,
    readers,
)
from dlt_source_filesystem.version import __version__

__all__ = [
    "FileItem",
    "FileItemDict",
    "__version__",
    "filesystem",
    "fsspec_filesystem",
    "glob_files",
    "read_csv",
    "read_csv_duckdb",
    "read_jsonl",
    "read_parquet",
    "readers",
]
