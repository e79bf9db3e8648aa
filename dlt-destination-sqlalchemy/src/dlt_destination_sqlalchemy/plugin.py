"""Hook implementations of the `sqlalchemy` plugin: only registration, no SQLAlchemy import."""

from dlt import hookimpl


@hookimpl
def register_destinations(register):
    """Register the sqlalchemy destination factory as `sqlalchemy`; its package imports as
    `dlt.destinations.impl.sqlalchemy` (dlt 1.31's path)."""
    from dlt_destination_sqlalchemy.factory import sqlalchemy

    register("sqlalchemy", sqlalchemy, module="dlt_destination_sqlalchemy")
