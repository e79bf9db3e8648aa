"""Hook implementations only: the destination module is imported when the plugin loads."""
from dlt import hookimpl


@hookimpl
def register_destinations(register):  # type: ignore[no-untyped-def]
    """Provide `dlt.destinations.sqlite`."""
    from dlt_destination_sqlite.destination import sqlite

    register("sqlite", sqlite)
