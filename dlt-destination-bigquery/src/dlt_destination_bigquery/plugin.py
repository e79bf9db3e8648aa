"""Hook implementations of the `bigquery` plugin: only registration, no SDK imports."""

from dlt import hookimpl


@hookimpl
def register_destinations(register):
    """Register the bigquery destination factory as `bigquery`; its package imports as
    `dlt.destinations.impl.bigquery` (dlt 1.31's path)."""
    from dlt_destination_bigquery.factory import bigquery

    register("bigquery", bigquery, module="dlt_destination_bigquery")
