"""`dlt.sources.rest_api`: a source built from a declarative description of a REST API."""

from __future__ import annotations

from dlt_source_rest_api.rest_api.config_setup import (
    AUTH_MAP,
    PAGINATOR_MAP,
    RestApiConfigError,
    create_auth,
    create_paginator,
    get_auth_class,
    get_paginator_class,
    register_auth,
    register_paginator,
)
from dlt_source_rest_api.rest_api.source import (
    build_resource_dependency_graph,
    create_resources,
    rest_api,
    rest_api_resources,
    rest_api_source,
)
from dlt_source_rest_api.rest_api.typing import (
    AuthConfig,
    ClientConfig,
    Endpoint,
    EndpointResource,
    EndpointResourceBase,
    IncrementalConfig,
    IncrementalParamConfig,
    ParamBindType,
    ProcessingSteps,
    ResolvedParam,
    ResolveParamConfig,
    RESTAPIConfig,
)
from dlt_source_rest_api.rest_api.utils import check_connection
from dlt_source_rest_api.rest_client import RESTClient
from dlt_source_rest_api.rest_client.auth import (
    APIKeyAuth,
    AuthConfigBase,
    BearerTokenAuth,
    HttpBasicAuth,
    OAuth2ClientCredentials,
)
from dlt_source_rest_api.rest_client.paginators import BasePaginator
from dlt_source_rest_api.rest_client.typing import HTTPMethodBasic

__all__ = [
    "APIKeyAuth", "AUTH_MAP", "AuthConfig", "AuthConfigBase", "BasePaginator", "BearerTokenAuth",
    "ClientConfig", "Endpoint", "EndpointResource", "EndpointResourceBase", "HTTPMethodBasic",
    "HttpBasicAuth", "IncrementalConfig", "IncrementalParamConfig", "OAuth2ClientCredentials",
    "PAGINATOR_MAP", "ParamBindType", "ProcessingSteps", "RESTAPIConfig", "RESTClient",
    "ResolveParamConfig", "ResolvedParam", "RestApiConfigError", "build_resource_dependency_graph",
    "check_connection", "create_auth", "create_paginator", "create_resources", "get_auth_class",
    "get_paginator_class", "register_auth", "register_paginator", "rest_api", "rest_api_resources",
    "rest_api_source",
]
