"""`Client`: makes retrying `Session`s, one per thread, with dlt 1.31's keyword arguments."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Optional, Union

from requests import Response

from dlt_source_rest_api.requests.retry import (
    DEFAULT_RETRY_EXCEPTIONS,
    DEFAULT_RETRY_STATUS,
    RetryPolicy,
    RetryPredicate,
)
from dlt_source_rest_api.requests.session import DEFAULT_TIMEOUT, Session


def _runtime_setting(name: str, given: Any, default: Any) -> Any:
    """`given`, else `runtime.<name>` from configuration, else `default`."""
    if given is not None:
        return given
    import dlt

    configured = dlt.config.get(f"runtime.{name}")
    return default if configured is None else configured


class Client:
    """Creates `requests` sessions that retry failed requests.

    By default a request is attempted up to 5 times (`request_max_attempts` counts the first
    attempt) on status 429 and 5xx and on connection errors and timeouts, waiting
    `request_backoff_factor * 2 ** (attempt - 1)` seconds (or what `Retry-After` says). With
    `raise_for_status` (the default) an error status left after the last attempt raises
    `requests.HTTPError`. `retry_condition(response, exception) -> bool` adds retries.

    As in dlt 1.31, `request_timeout`, `request_max_attempts`, `request_backoff_factor` and
    `request_max_retry_delay` left out come from configuration (`[runtime]`, e.g.
    `RUNTIME__REQUEST_MAX_ATTEMPTS=1`), else the defaults above.
    """

    def __init__(
        self,
        request_timeout: Optional[Any] = None,
        max_connections: int = 50,
        raise_for_status: bool = True,
        status_codes: Sequence[int] = DEFAULT_RETRY_STATUS,
        exceptions: Sequence[type[BaseException]] = DEFAULT_RETRY_EXCEPTIONS,
        request_max_attempts: Optional[int] = None,
        retry_condition: Union[RetryPredicate, Sequence[RetryPredicate], None] = None,
        request_backoff_factor: Optional[float] = None,
        request_max_retry_delay: Optional[float] = None,
        respect_retry_after_header: bool = True,
        session_attrs: Optional[dict[str, Any]] = None,
    ) -> None:
        self.timeout = _runtime_setting("request_timeout", request_timeout, DEFAULT_TIMEOUT)
        request_max_attempts = _runtime_setting("request_max_attempts", request_max_attempts, 5)
        request_backoff_factor = _runtime_setting("request_backoff_factor", request_backoff_factor, 1)
        request_max_retry_delay = _runtime_setting("request_max_retry_delay", request_max_retry_delay, 300)
        self.max_connections = max_connections
        self.raise_for_status = raise_for_status
        self.retry_policy = RetryPolicy.make(
            status_codes, exceptions, request_max_attempts, retry_condition, request_backoff_factor,
            respect_retry_after_header, request_max_retry_delay,
        )
        self.session_attrs = dict(session_attrs or {})
        self._local = threading.local()

    def _make_session(self) -> Session:
        session = Session(timeout=self.timeout, raise_for_status=self.raise_for_status,
                          retry_policy=self.retry_policy)
        for name, value in self.session_attrs.items():
            setattr(session, name, value)
        return session

    @property
    def session(self) -> Session:
        """This thread's session (sessions are not thread safe, so each thread gets one)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._make_session()
        return session

    def update_from_config(self, **settings: Any) -> None:
        """Change retry settings (`request_max_attempts`, `request_backoff_factor`, ...) of the
        sessions made from now on, and drop this thread's session."""
        policy = self.retry_policy
        mapping = {"request_max_attempts": "max_attempts", "request_backoff_factor": "backoff_factor",
                   "request_max_retry_delay": "max_delay"}
        for key, value in settings.items():
            if key == "request_timeout":
                self.timeout = value
            elif key in mapping:
                setattr(policy, mapping[key], value)
            else:
                raise TypeError(f"Client.update_from_config() got an unknown setting `{key}`.")
        self._local = threading.local()

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        """Send a request with this thread's retrying session."""
        return self.session.request(method, url, **kwargs)

    def get(self, url: str, params: Any = None, **kwargs: Any) -> Response:
        """GET `url` with retries."""
        return self.session.get(url, params=params, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        """POST to `url` with retries."""
        return self.session.post(url, data=data, json=json, **kwargs)

    def put(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        """PUT to `url` with retries."""
        return self.session.put(url, data=data, **kwargs)

    def patch(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        """PATCH `url` with retries."""
        return self.session.patch(url, data=data, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        """DELETE `url` with retries."""
        return self.session.delete(url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> Response:
        """OPTIONS `url` with retries."""
        return self.session.options(url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Response:
        """HEAD `url` with retries."""
        return self.session.head(url, **kwargs)


def default_client() -> Client:
    """The client behind the module-level functions of `dlt.sources.helpers.requests`."""
    return Client()
