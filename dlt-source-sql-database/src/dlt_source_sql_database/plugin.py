"""Hook implementations of the `sql_database` plugin: only registration, no SQLAlchemy import."""

from dlt import hookimpl


@hookimpl
def register_sources(register):
    """Register `sql_database` and make `dlt.sources.sql_database` import this package."""
    from dlt_source_sql_database.source import sql_database

    register("sql_database", sql_database, module="dlt_source_sql_database")


@hookimpl
def register_init_templates(register):
    """Register what `dlt init sql_database DESTINATION` writes (see `init_template.py`)."""
    from dlt_source_sql_database.init_template import TEMPLATE

    register("sql_database", TEMPLATE)
