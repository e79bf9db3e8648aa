"""Hook implementations of the `filesystem_source` plugin: only registration, no fsspec import."""

from dlt import hookimpl


@hookimpl
def register_sources(register):
    """Register the `filesystem` (readers) source and the `dlt.sources.filesystem` import path."""
    from dlt_source_filesystem.source import readers

    register("filesystem", readers, module="dlt_source_filesystem")
