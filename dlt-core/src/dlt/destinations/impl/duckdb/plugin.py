"""Hook implementations of the built-in `duckdb` plugin."""

from dlt.plugins import hookimpl


@hookimpl
def register_destinations(register):
    """Register the embedded DuckDB destination as `duckdb`."""
    from dlt.destinations.impl.duckdb.factory import duckdb

    register("duckdb", duckdb)
