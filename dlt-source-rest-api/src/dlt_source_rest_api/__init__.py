"""dlt-source-rest-api: `dlt.sources.rest_api`, `dlt.sources.helpers.rest_client` and
`dlt.sources.helpers.requests` for dlt-core, registered through the `dlt.plugins` entry point."""

from dlt_source_rest_api.version import __version__

__all__ = ["__version__"]
