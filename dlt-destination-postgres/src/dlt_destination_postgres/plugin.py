"""Hook implementations of the `postgres` plugin: only registration, no driver imports."""

from dlt import hookimpl


@hookimpl
def register_destinations(register):
    """Register the postgres destination factory as `postgres`."""
    from dlt_destination_postgres.factory import postgres

    register("postgres", postgres)
