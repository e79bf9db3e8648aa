"""Hook implementations of the `sql_database` plugin: only registration, no SQLAlchemy import."""

from dlt import hookimpl


@hookimpl
def register_sources(register):
    """Register `sql_database` and make `dlt.sources.sql_database` import this package."""
    from dlt_source_sql_database.source import sql_database

    register("sql_database", sql_database, module="dlt_source_sql_database")
