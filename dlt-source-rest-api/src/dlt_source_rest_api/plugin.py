"""Hook implementations of the `rest_api` plugin: only registration, nothing heavy imported."""

from __future__ import annotations

from typing import Any

from dlt import hookimpl


def rest_api_source(*args: Any, **kwargs: Any) -> Any:
    """The rest_api source (`dlt_source_rest_api.rest_api.rest_api_source`), imported on first call
    so that loading the plugin does not import `requests`."""
    from dlt_source_rest_api.rest_api import rest_api_source as source

    return source(*args, **kwargs)


@hookimpl
def register_sources(register):
    """Register the `rest_api` source and the import paths `dlt.sources.rest_api`,
    `dlt.sources.helpers.rest_client` and `dlt.sources.helpers.requests`."""
    register("rest_api", rest_api_source, module="dlt_source_rest_api.rest_api")
    register("helpers.rest_client", module="dlt_source_rest_api.rest_client")
    register("helpers.requests", module="dlt_source_rest_api.requests")


@hookimpl
def register_init_templates(register):
    """Register what `dlt init rest_api DESTINATION` writes (see `init_template.py`)."""
    from dlt_source_rest_api.init_template import TEMPLATE

    register("rest_api", TEMPLATE)
