"""From declarative config to REST client objects: paginators and auth by name, placeholders."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

from dlt.utils.exceptions import DictValidationException
from requests.auth import AuthBase

from dlt_source_rest_api.rest_client import paginators as p
from dlt_source_rest_api.rest_client.auth import (
    APIKeyAuth,
    AuthConfigBase,
    BearerTokenAuth,
    HttpBasicAuth,
    OAuth2ClientCredentials,
)
from dlt_source_rest_api.rest_client.detector import single_entity_path  # noqa: F401 - a 1.31 name here
from dlt_source_rest_api.rest_client.jsonpath import find_first

PAGINATOR_MAP: dict[str, type[p.BasePaginator]] = {
    "json_link": p.JSONLinkPaginator,
    "json_response": p.JSONLinkPaginator,
    "header_link": p.HeaderLinkPaginator,
    "offset": p.OffsetPaginator,
    "page_number": p.PageNumberPaginator,
    "cursor": p.JSONResponseCursorPaginator,
    "header_cursor": p.HeaderCursorPaginator,
    "single_page": p.SinglePagePaginator,
}
AUTH_MAP: dict[str, type[AuthConfigBase]] = {
    "bearer": BearerTokenAuth,
    "api_key": APIKeyAuth,
    "http_basic": HttpBasicAuth,
    "oauth2_client_credentials": OAuth2ClientCredentials,
}


class RestApiConfigError(ValueError, DictValidationException):
    """A rest_api config value is invalid; the message names its key path. It is a
    `ValueError` and a `DictValidationException`, the two classes dlt 1.31 raises for a bad
    config."""


def register_paginator(paginator_name: str, paginator_class: type[p.BasePaginator]) -> None:
    """Make `{"type": paginator_name, ...}` in a config build `paginator_class(...)`."""
    if not (isinstance(paginator_class, type) and issubclass(paginator_class, p.BasePaginator)):
        raise ValueError(f"register_paginator('{paginator_name}') needs a BasePaginator subclass.")
    PAGINATOR_MAP[paginator_name] = paginator_class


def register_auth(auth_name: str, auth_class: type[AuthConfigBase]) -> None:
    """Make `{"type": auth_name, ...}` in a config build `auth_class(...)`."""
    if not (isinstance(auth_class, type) and issubclass(auth_class, AuthConfigBase)):
        raise ValueError(f"register_auth('{auth_name}') needs an AuthConfigBase subclass.")
    AUTH_MAP[auth_name] = auth_class


def _unknown(name: str, where: Optional[str]) -> str:
    """The start of the error for an unknown type name, naming the config key when known."""
    return f"`{where}.type` is {name!r}, which" if where else repr(name)


def get_paginator_class(paginator_name: str, where: Optional[str] = None) -> Optional[type[p.BasePaginator]]:
    """The paginator class registered as `paginator_name`; None for `auto` (detect it)."""
    if paginator_name == "auto":
        return None
    cls = PAGINATOR_MAP.get(paginator_name)
    if cls is None:
        raise RestApiConfigError(
            f"{_unknown(paginator_name, where)} is not a known paginator; use one of: auto,"
            f" {', '.join(sorted(PAGINATOR_MAP))} (or register_paginator() your own).")
    return cls


def get_auth_class(auth_type: str, where: Optional[str] = None) -> type[AuthConfigBase]:
    """The auth class registered as `auth_type`."""
    cls = AUTH_MAP.get(auth_type)
    if cls is None:
        raise RestApiConfigError(
            f"{_unknown(auth_type, where)} is not a known auth; use one of:"
            f" {', '.join(sorted(AUTH_MAP))} (or register_auth() your own).")
    return cls


def create_paginator(config: Any, where: str = "paginator") -> Optional[p.BasePaginator]:
    """A paginator from an instance, a type name (`"json_link"`) or a dict with `type`; None
    (detect from the first response) for None or `auto`."""
    if config is None or isinstance(config, p.BasePaginator):
        return config
    if isinstance(config, str):
        config = {"type": config}
    if not isinstance(config, Mapping):
        raise RestApiConfigError(f"`{where}` must be a paginator, a paginator name or a dict; got {type(config).__name__}.")
    options = dict(config)
    cls = get_paginator_class(options.pop("type", "auto"), where)
    if cls is None:
        return None
    try:
        return cls(**options)
    except TypeError as exc:
        raise RestApiConfigError(f"`{where}` has settings that {cls.__name__} does not take: {exc}.") from exc


def create_auth(config: Any, where: str = "auth") -> Optional[AuthBase]:
    """An auth object from an instance or a dict (`type` defaults to `bearer`)."""
    if config is None or isinstance(config, AuthBase):
        return config
    if isinstance(config, str):
        config = {"type": config}
    if not isinstance(config, Mapping):
        raise RestApiConfigError(f"`{where}` must be an auth object or a dict; got {type(config).__name__}.")
    options = dict(config)
    cls = get_auth_class(options.pop("type", "bearer"), where)
    try:
        return cls(**options)
    except TypeError as exc:
        fields = ", ".join(cls.get_resolvable_fields())
        raise RestApiConfigError(
            f"`{where}` has fields that {cls.__name__} does not take (it takes {fields})."
        ) from exc


# -- placeholders -----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def placeholders(value: Any) -> list[str]:
    """Every `{expression}` in the strings of `value` (nested dicts and lists included);
    doubled braces are literal braces."""
    found: list[str] = []
    if isinstance(value, str):
        found.extend(m.group(1) for m in _PLACEHOLDER.finditer(value) if m.group(1) is not None)
    elif isinstance(value, Mapping):
        for item in value.values():
            found.extend(placeholders(item))
    elif isinstance(value, (list, tuple)):
        for item in value:
            found.extend(placeholders(item))
    return found


def render(value: Any, lookup: Any) -> Any:
    """`value` with every `{expression}` replaced by `lookup(expression)` (as text) and doubled
    braces made single; dicts and lists are rendered recursively, other values kept."""
    if isinstance(value, str):
        if not _PLACEHOLDER.search(value):
            return value

        def substitute(match: re.Match[str]) -> str:
            token = match.group(0)
            if token == "{{":
                return "{"
            if token == "}}":
                return "}"
            return str(lookup(match.group(1)))

        return _PLACEHOLDER.sub(substitute, value)
    if isinstance(value, Mapping):
        return {key: render(item, lookup) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, lookup) for item in value]
    return value


def bind_path_params(path: str, params: dict[str, Any]) -> str:
    """`path` with each `{name}` whose `params[name]` is a plain value filled in, and that param
    removed (dlt 1.31's static path params); other placeholders and doubled braces are kept."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None or name not in params or isinstance(params[name], Mapping):
            return match.group(0)
        return str(params.pop(name))

    return _PLACEHOLDER.sub(substitute, path)


def field_of(item: Any, path: str, resource: str, where: str) -> Any:
    """The value at `path` in a parent record, or an error naming the resource and field."""
    if isinstance(item, Mapping) and path in item:
        return item[path]
    value = find_first(path, item)
    if value is None:
        keys = ", ".join(sorted(item)) if isinstance(item, Mapping) else type(item).__name__
        raise RestApiConfigError(
            f"{where}: the parent resource '{resource}' yielded a record without `{path}`"
            f" (its fields: {keys}); fix the placeholder or the parent's data_selector."
        )
    return value
