"""Hook implementations of the built-in `dummy` plugin."""

from dlt.plugins import hookimpl


@hookimpl
def register_destinations(register):
    """Register the test destination as `dummy`."""
    from dlt.destinations.impl.dummy.factory import dummy

    register("dummy", dummy)
