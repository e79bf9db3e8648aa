"""Hook implementations of the built-in `destination` plugin (custom `@dlt.destination` sinks)."""

from dlt.plugins import hookimpl


@hookimpl
def register_destinations(register):
    """Register the sink factory as `destination`, the type name dlt 1.31 gives it."""
    from dlt.destinations.impl.sink.factory import destination

    register("destination", destination)
