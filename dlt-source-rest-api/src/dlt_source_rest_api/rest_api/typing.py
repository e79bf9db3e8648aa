"""Typed shapes of a rest_api config (`RESTAPIConfig` and its parts), for editors and mypy."""

from __future__ import annotations

from typing import Any, Callable, Optional, TypedDict, Union


class PaginatorConfig(TypedDict, total=False):
    """`{"type": "json_link" | "header_link" | "offset" | ..., **paginator arguments}`."""

    type: str


class AuthConfig(TypedDict, total=False):
    """`{"type": "bearer" | "api_key" | "http_basic" | "oauth2_client_credentials" | <registered>, ...}`."""

    type: str


class ClientConfig(TypedDict, total=False):
    """The `client` section: where the API is and how to talk to it."""

    base_url: str
    headers: dict[str, str]
    auth: Any
    paginator: Any
    session: Any


class IncrementalConfig(TypedDict, total=False):
    """An endpoint's `incremental`: the arguments of `dlt.sources.incremental` plus the legacy
    `start_param` / `end_param` query parameters."""

    cursor_path: str
    initial_value: Any
    end_value: Any
    start_param: str
    end_param: str
    convert: Callable[[Any], Any]


class ResponseAction(TypedDict, total=False):
    """`{"status_code": 404, "content": "...", "action": "ignore" | callable}`."""

    status_code: Union[int, list[int]]
    content: str
    action: Any


class Endpoint(TypedDict, total=False):
    """The `endpoint` of a resource: which requests fetch it."""

    path: str
    method: str
    params: dict[str, Any]
    json: Any
    data: Any
    headers: dict[str, str]
    paginator: Any
    data_selector: Optional[str]
    response_actions: list[Any]
    incremental: IncrementalConfig
    auth: Any


class EndpointResource(TypedDict, total=False):
    """One resource: its endpoint and its table hints."""

    name: Any
    endpoint: Union[str, Endpoint]
    write_disposition: Any
    primary_key: Any
    merge_key: Any
    table_name: Any
    columns: Any
    max_table_nesting: int
    selected: bool
    parallelized: bool
    include_from_parent: list[str]
    processing_steps: list[dict[str, Callable[..., Any]]]
    schema_contract: Any
    table_format: str
    file_format: str


class RESTAPIConfig(TypedDict, total=False):
    """A rest_api source: `client`, `resource_defaults` and `resources`."""

    client: ClientConfig
    resource_defaults: EndpointResource
    resources: list[Any]
