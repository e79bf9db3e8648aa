"""Hook implementations of the `redshift` plugin: only registration, no SDK imports."""

from dlt import hookimpl


@hookimpl
def register_destinations(register):
    """Register the redshift destination factory as `redshift`; its package imports as
    `dlt.destinations.impl.redshift` (dlt 1.31's path)."""
    from dlt_destination_redshift.factory import redshift

    register("redshift", redshift, module="dlt_destination_redshift")
