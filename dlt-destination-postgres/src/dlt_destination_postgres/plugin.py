"""Hook implementations of the `postgres` plugin: only registration, no driver imports."""

from dlt import hookimpl


@hookimpl
def register_destinations(register):
    """Register the postgres destination factory as `postgres`; its package imports as
    `dlt.destinations.impl.postgres` (dlt 1.31's path)."""
    from dlt_destination_postgres.factory import postgres

    register("postgres", postgres, module="dlt_destination_postgres")
