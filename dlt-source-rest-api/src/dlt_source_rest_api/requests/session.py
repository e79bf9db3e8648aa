"""A `requests.Session` that retries by dlt's policy and sends the `dlt/<version>` user agent."""

from __future__ import annotations

import time
from typing import Any, Optional

import requests
from requests import HTTPError, PreparedRequest, Response

from dlt_source_rest_api.requests.retry import RetryPolicy

DEFAULT_TIMEOUT = 60.0


def dlt_user_agent() -> str:
    """`dlt/<version of dlt-core>`, the user agent dlt clients send."""
    from dlt.version import __version__

    return f"dlt/{__version__}"


class Session(requests.Session):
    """A `requests.Session` with a default timeout, the dlt user agent, optional raising on
    error statuses and (when given a `RetryPolicy`) retries of failed attempts."""

    def __init__(self, timeout: Any = DEFAULT_TIMEOUT, raise_for_status: bool = True,
                 retry_policy: Optional[RetryPolicy] = None) -> None:
        super().__init__()
        self.timeout = timeout
        self.raise_for_status = raise_for_status
        self.retry_policy = retry_policy
        self.headers["User-Agent"] = dlt_user_agent()

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        """As `requests.Session.request`, with the session's timeout unless one is given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        """Send `request`, retrying by the session's policy; with `raise_for_status`, an error
        status left after the last attempt raises `requests.HTTPError`."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        policy = self.retry_policy
        attempt = 0
        while True:
            attempt += 1
            response: Optional[Response] = None
            error: Optional[BaseException] = None
            try:
                response = super().send(request.copy() if policy else request, **kwargs)
                if self.raise_for_status:
                    response.raise_for_status()
            except Exception as exc:  # judged by the policy below, re-raised when final
                error = exc
                if isinstance(exc, HTTPError) and exc.response is not None:
                    response = exc.response
            if policy is None or attempt >= policy.max_attempts or not policy.should_retry(response, error):
                if error is not None:
                    raise error
                assert response is not None
                return response
            if response is not None:
                response.close()
            time.sleep(policy.wait_seconds(attempt, response))
