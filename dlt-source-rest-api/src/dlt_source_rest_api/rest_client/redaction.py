"""HTTP errors whose messages never carry secrets from the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from requests import HTTPError, Response

SECRET_PARAM = re.compile(
    r"(api[_-]?key|key|token|access[_-]?token|secret|client[_-]?secret|password|passwd|pwd|"
    r"signature|sig|auth|authorization|session|credential)s?$",
    re.IGNORECASE,
)


def redact_url(url: str) -> str:
    """`url` with the values of secret-looking query parameters and any password replaced."""
    parts = urlsplit(url)
    query = urlencode([(k, "***" if SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
                      safe="*")
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def http_error(response: Response, what: str = "The request") -> HTTPError:
    """An `HTTPError` for an error `response`, naming status, reason and the redacted URL."""
    kind = "Client Error" if response.status_code < 500 else "Server Error"
    method = response.request.method if response.request is not None else "GET"
    message = (
        f"{response.status_code} {kind}: {response.reason} for url: {redact_url(response.url)}."
        f" {what} ({method}) was answered with status {response.status_code}."
    )
    return HTTPError(message, response=response)


def raise_for_status(response: Response, *args: object, **kwargs: object) -> None:
    """The default response hook: raise `HTTPError` (with a redacted URL) on 4xx and 5xx."""
    if response.status_code >= 400:
        raise http_error(response)
