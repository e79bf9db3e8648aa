"""Hook implementations of the `bigquery` plugin: only registration, no SDK imports."""

from dlt import hookimpl


@hookimpl
def register_destinations(register):
    """Register the bigquery destination factory as `bigquery`."""
    from dlt_destination_bigquery.factory import bigquery

    register("bigquery", bigquery)
