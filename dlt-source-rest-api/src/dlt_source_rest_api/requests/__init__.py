"""`dlt.sources.helpers.requests`: the `requests` API with dlt's retry policy.

Module-level `get`, `post`, ... use one shared retrying `Client`; build your own
`Client(request_max_attempts=..., status_codes=..., retry_condition=...)` for other settings.
Everything else (`Response`, `HTTPError`, `exceptions`, ...) is re-exported from `requests`.
"""

from __future__ import annotations

from requests import (  # noqa: F401 - re-exported for `from dlt.sources.helpers import requests` users
    ConnectionError,
    ConnectTimeout,
    HTTPError,
    PreparedRequest,
    ReadTimeout,
    Request,
    RequestException,
    Response,
    Timeout,
    TooManyRedirects,
    exceptions,
)
from requests.exceptions import ChunkedEncodingError  # noqa: F401

from dlt_source_rest_api.requests.client import Client, default_client
from dlt_source_rest_api.requests.retry import (
    DEFAULT_RETRY_EXCEPTIONS,
    DEFAULT_RETRY_STATUS,
    RetryPolicy,
    parse_retry_after,
)
from dlt_source_rest_api.requests.session import DEFAULT_TIMEOUT, Session

client = default_client()

get, post, put, patch, delete = client.get, client.post, client.put, client.patch, client.delete
options, head, request = client.options, client.head, client.request

__all__ = [
    "ChunkedEncodingError", "Client", "ConnectTimeout", "ConnectionError", "DEFAULT_RETRY_EXCEPTIONS",
    "DEFAULT_RETRY_STATUS", "DEFAULT_TIMEOUT", "HTTPError", "PreparedRequest", "ReadTimeout",
    "Request", "RequestException", "Response", "RetryPolicy", "Session", "Timeout",
    "TooManyRedirects", "client", "delete", "exceptions", "get", "head", "options",
    "parse_retry_after", "patch", "post", "put", "request",
]
