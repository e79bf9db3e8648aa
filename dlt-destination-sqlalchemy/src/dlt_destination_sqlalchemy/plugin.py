"""Hook implementations of the `sqlalchemy` plugin: only registration, no SQLAlchemy import."""

from dlt import hookimpl


@hookimpl
def register_destinations(register):
    """Register the sqlalchemy destination factory as `sqlalchemy`."""
    from dlt_destination_sqlalchemy.factory import sqlalchemy

    register("sqlalchemy", sqlalchemy)
