"""Hook implementations of the `filesystem_source` plugin: only registration, no fsspec import."""

from dlt import hookimpl


@hookimpl
def register_sources(register):
    """Register the `filesystem` (readers) source and the `dlt.sources.filesystem` import path."""
    from dlt_source_filesystem.source import readers

    register("filesystem", readers, module="dlt_source_filesystem")


@hookimpl
def register_init_templates(register):
    """Register what `dlt init filesystem DESTINATION` writes (see `init_template.py`)."""
    from dlt_source_filesystem.init_template import TEMPLATE

    register("filesystem", TEMPLATE)
