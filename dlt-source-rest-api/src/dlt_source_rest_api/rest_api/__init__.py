"""`dlt.sources.rest_api`: a source built from a declarative description of a REST API."""

from __future__ import annotations

from dlt_source_rest_api.rest_api.config_setup import (
    RestApiConfigError,
    create_auth,
    create_paginator,
    register_auth,
    register_paginator,
)
from dlt_source_rest_api.rest_api.source import rest_api_resources, rest_api_source
from dlt_source_rest_api.rest_api.typing import (
    ClientConfig,
    Endpoint,
    EndpointResource,
    IncrementalConfig,
    RESTAPIConfig,
)

__all__ = [
    "ClientConfig", "Endpoint", "EndpointResource", "IncrementalConfig", "RESTAPIConfig",
    "RestApiConfigError", "create_auth", "create_paginator", "register_auth", "register_paginator",
    "rest_api_resources", "rest_api_source",
]
