"""Types of the REST client (`dlt.sources.helpers.rest_client.typing`): HTTP methods and hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Union

from requests import Response

HTTPMethodBasic = Literal["GET", "POST"]
HTTPMethodExtended = Literal["PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
HTTPMethod = Union[HTTPMethodBasic, HTTPMethodExtended]
# a `requests` hook: called with the response (and the send arguments), may return a new response
HookFunction = Callable[[Response, Any, Any], Any]
HookEvent = Union[HookFunction, list[HookFunction]]
# `{"response": [hook, ...]}`, as `requests` takes them
Hooks = dict[str, HookEvent]

__all__ = ["HTTPMethod", "HTTPMethodBasic", "HTTPMethodExtended", "HookEvent", "HookFunction", "Hooks"]
