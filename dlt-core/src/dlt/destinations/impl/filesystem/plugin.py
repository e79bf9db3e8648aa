"""Hook implementations of the built-in `filesystem` plugin."""

from dlt.plugins import hookimpl


@hookimpl
def register_destinations(register):
    """Register the local-folder destination as `filesystem`."""
    from dlt.destinations.impl.filesystem.factory import filesystem

    register("filesystem", filesystem)
