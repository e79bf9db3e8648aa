"""Hook implementations of the `redshift` plugin: only registration, no SDK imports."""

from dlt import hookimpl


@hookimpl
def register_destinations(register):
    """Register the redshift destination factory as `redshift`."""
    from dlt_destination_redshift.factory import redshift

    register("redshift", redshift)
