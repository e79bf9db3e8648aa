"""Typed shapes of a rest_api config (`RESTAPIConfig` and its parts), for editors and mypy.

The names are those of `dlt.sources.rest_api.typing` in dlt 1.31, so annotations in 1.31
scripts keep working; values are checked at run time by `rest_api_resources`, not by these types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable, Literal, Optional, TypedDict, Union

from dlt_source_rest_api.rest_client.typing import HTTPMethodBasic  # noqa: F401 - a 1.31 name here too

PaginatorType = Literal["json_link", "json_response", "header_link", "header_cursor", "auto",
                        "single_page", "cursor", "offset", "page_number"]
AuthType = Literal["bearer", "api_key", "http_basic", "oauth2_client_credentials"]
ParamBindType = Literal["resolve", "incremental"]


class PaginatorTypeConfig(TypedDict, total=False):
    """`{"type": <paginator name>}`: the common part of every paginator dict."""

    type: str


class PageNumberPaginatorConfig(PaginatorTypeConfig, total=False):
    """`{"type": "page_number", ...}`: the arguments of `PageNumberPaginator`."""

    base_page: Optional[int]
    page: Optional[int]
    page_param: Optional[str]
    total_path: Optional[str]
    maximum_page: Optional[int]
    stop_after_empty_page: Optional[bool]
    has_more_path: Optional[str]
    page_body_path: Optional[str]


class OffsetPaginatorConfig(PaginatorTypeConfig, total=False):
    """`{"type": "offset", "limit": N, ...}`: the arguments of `OffsetPaginator`."""

    limit: int
    offset: Optional[int]
    offset_param: Optional[str]
    offset_body_path: Optional[str]
    limit_param: Optional[str]
    limit_body_path: Optional[str]
    total_path: Optional[str]
    maximum_offset: Optional[int]
    stop_after_empty_page: Optional[bool]
    has_more_path: Optional[str]


class HeaderLinkPaginatorConfig(PaginatorTypeConfig, total=False):
    """`{"type": "header_link"}`: follow the `Link` header."""

    links_next_key: Optional[str]


class JSONLinkPaginatorConfig(PaginatorTypeConfig, total=False):
    """`{"type": "json_link", "next_url_path": ...}`: follow a URL in the body."""

    next_url_path: Optional[str]


class JSONResponseCursorPaginatorConfig(PaginatorTypeConfig, total=False):
    """`{"type": "cursor", "cursor_path": ..., "cursor_param": ...}`: a cursor from the body."""

    cursor_path: Optional[str]
    cursor_param: Optional[str]
    cursor_body_path: Optional[str]
    stop_after_empty_page: Optional[bool]
    has_more_path: Optional[str]


class HeaderCursorPaginatorConfig(PaginatorTypeConfig, total=False):
    """`{"type": "header_cursor", ...}`: a cursor from a response header."""

    cursor_key: Optional[str]
    cursor_param: Optional[str]


# a name, a dict as above, or a paginator instance
PaginatorConfig = Union[str, PaginatorTypeConfig, Any]


class AuthTypeConfig(TypedDict, total=False):
    """`{"type": <auth name>}`: the common part of every auth dict."""

    type: str


class BearerTokenAuthConfig(AuthTypeConfig, total=False):
    """`{"token": ...}` (the type may be left out): `Authorization: Bearer <token>`."""

    token: str


class ApiKeyAuthConfig(AuthTypeConfig, total=False):
    """`{"type": "api_key", "api_key": ..., "name": ..., "location": "header" | "query"}`."""

    name: Optional[str]
    api_key: str
    location: Optional[str]


class HttpBasicAuthConfig(AuthTypeConfig, total=False):
    """`{"type": "http_basic", "username": ..., "password": ...}`."""

    username: str
    password: str


class OAuth2ClientCredentialsConfig(AuthTypeConfig, total=False):
    """`{"type": "oauth2_client_credentials", "access_token_url": ..., "client_id": ..., ...}`."""

    access_token: Optional[str]
    access_token_url: str
    client_id: str
    client_secret: str
    access_token_request_data: Optional[dict[str, Any]]
    default_token_expiration: Optional[int]
    session: Any


# a name, a dict as above, or an auth instance
AuthConfig = Union[str, AuthTypeConfig, Any]


class ClientConfig(TypedDict, total=False):
    """The `client` section: where the API is and how to talk to it."""

    base_url: str
    headers: Optional[dict[str, str]]
    auth: Optional[AuthConfig]
    paginator: Optional[PaginatorConfig]
    session: Any


class IncrementalRESTArgs(TypedDict, total=False):
    """The arguments of `dlt.sources.incremental`, plus `convert` for the value sent."""

    cursor_path: str
    initial_value: Any
    last_value_func: Any
    primary_key: Any
    end_value: Any
    row_order: Any
    allow_external_schedulers: bool
    lag: Any
    on_cursor_value_missing: Any
    range_start: Any
    range_end: Any
    convert: Optional[Callable[..., Any]]


class IncrementalConfig(IncrementalRESTArgs, total=False):
    """An endpoint's `incremental`: `IncrementalRESTArgs` plus the legacy `start_param` /
    `end_param` query parameters."""

    start_param: Optional[str]
    end_param: Optional[str]


class ParamBindConfig(TypedDict, total=False):
    """A legacy param dict `{"type": "resolve" | "incremental", ...}`."""

    type: ParamBindType


class ResolveParamConfig(ParamBindConfig, total=False):
    """`{"type": "resolve", "resource": <parent>, "field": <field>}`."""

    resource: str
    field: str


class IncrementalParamConfig(ParamBindConfig, IncrementalRESTArgs, total=False):
    """`{"type": "incremental", "cursor_path": ..., ...}` as a param value."""


@dataclass
class ResolvedParam:
    """A value the endpoint takes from its parent's records: sent as `param_name`."""

    param_name: str
    resolve_config: ResolveParamConfig


class ResponseActionDict(TypedDict, total=False):
    """`{"status_code": 404, "content": "...", "action": "ignore" | callable | [callables]}`."""

    status_code: Optional[Union[int, str, list[int]]]
    content: Optional[str]
    action: Optional[Union[str, Callable[..., Any], list[Callable[..., Any]]]]


ResponseAction = Union[ResponseActionDict, Callable[..., Any]]


class Endpoint(TypedDict, total=False):
    """The `endpoint` of a resource: which requests fetch it."""

    path: Optional[str]
    method: Optional[str]
    params: Optional[dict[str, Any]]
    json: Optional[Any]
    data: Optional[Any]
    headers: Optional[dict[str, Any]]
    paginator: Optional[PaginatorConfig]
    data_selector: Optional[str]
    response_actions: Optional[list[ResponseAction]]
    incremental: Optional[IncrementalConfig]
    auth: Optional[AuthConfig]


class ProcessingSteps(TypedDict, total=False):
    """One step of `processing_steps`: exactly one of `filter`, `map` or `yield_map`."""

    filter: Optional[Callable[[Any], bool]]
    map: Optional[Callable[[Any], Any]]
    yield_map: Optional[Callable[[Any], Iterator[Any]]]


class ResourceBase(TypedDict, total=False):
    """The table hints and resource options a config resource may set."""

    table_name: Any
    write_disposition: Any
    primary_key: Any
    merge_key: Any
    columns: Any
    schema_contract: Any
    table_format: Any
    file_format: Any
    nested_hints: Any
    references: Any
    max_table_nesting: Optional[int]
    selected: Optional[bool]
    parallelized: Optional[bool]
    processing_steps: Optional[list[ProcessingSteps]]


class EndpointResourceBase(ResourceBase, total=False):
    """What `resource_defaults` may hold: a resource without its name."""

    endpoint: Optional[Union[str, Endpoint]]
    include_from_parent: Optional[list[str]]


class EndpointResource(EndpointResourceBase, total=False):
    """One resource: its name, endpoint and table hints."""

    name: Any


class RESTAPIConfigBase(TypedDict, total=False):
    """The two sections every config has: `client` and `resources`."""

    client: ClientConfig
    resources: list[Any]


class RESTAPIConfig(RESTAPIConfigBase, total=False):
    """A rest_api source: `client`, `resource_defaults` and `resources`."""

    resource_defaults: Optional[EndpointResourceBase]
