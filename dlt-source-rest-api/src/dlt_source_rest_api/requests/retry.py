"""dlt's retry policy for HTTP requests, as a plain loop around `requests.Session.send`.

A request is retried when its response has a retryable status (429 and 5xx by default), when
sending raised a connection error, a timeout or a broken chunked body, or when a user
`retry_condition(response, exception)` says so. Waits grow exponentially
(`backoff_factor * 2 ** (attempt - 1)`, capped at `max_delay`); a `Retry-After` header
(seconds or an HTTP date) replaces the computed wait. `max_attempts` counts every attempt,
the first one included, as in dlt 1.31.

We use a loop rather than `tenacity` (which dlt 1.31 uses) because the policy is a dozen lines
and one dependency fewer is one less version conflict in users' environments.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import mktime_tz, parsedate_tz
from typing import Optional, Union

from requests import HTTPError, Response
from requests.exceptions import ChunkedEncodingError, ConnectionError, Timeout

DEFAULT_RETRY_STATUS: tuple[int, ...] = (429, *range(500, 600))
DEFAULT_RETRY_EXCEPTIONS: tuple[type[BaseException], ...] = (ConnectionError, Timeout, ChunkedEncodingError)

RetryPredicate = Callable[[Optional[Response], Optional[BaseException]], bool]


@dataclass
class RetryPolicy:
    """When to retry a request and how long to wait before the next attempt."""

    status_codes: Sequence[int] = DEFAULT_RETRY_STATUS
    exceptions: Sequence[type[BaseException]] = DEFAULT_RETRY_EXCEPTIONS
    max_attempts: int = 5
    conditions: list[RetryPredicate] = field(default_factory=list)
    backoff_factor: float = 1.0
    respect_retry_after_header: bool = True
    max_delay: float = 300.0

    @classmethod
    def make(cls, status_codes: Sequence[int], exceptions: Sequence[type[BaseException]],
             max_attempts: int, condition: Union[RetryPredicate, Sequence[RetryPredicate], None],
             backoff_factor: float, respect_retry_after_header: bool, max_delay: float) -> RetryPolicy:
        """A policy from the keyword arguments of `Client` (one predicate or a list)."""
        if condition is None:
            conditions: list[RetryPredicate] = []
        elif callable(condition):
            conditions = [condition]
        else:
            conditions = list(condition)
        return cls(tuple(status_codes), tuple(exceptions), max(1, int(max_attempts)), conditions,
                   float(backoff_factor), respect_retry_after_header, float(max_delay))

    def should_retry(self, response: Optional[Response], exception: Optional[BaseException]) -> bool:
        """True when this outcome of an attempt is worth another attempt."""
        if isinstance(exception, HTTPError) and response is None:
            response = exception.response
        if response is not None and response.status_code in self.status_codes:
            return True
        if exception is not None and isinstance(exception, tuple(self.exceptions)):
            return True
        return any(condition(response, exception) for condition in self.conditions)

    def wait_seconds(self, attempt: int, response: Optional[Response]) -> float:
        """How long to wait after failed attempt number `attempt` (counted from 1)."""
        if self.respect_retry_after_header and response is not None:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                return min(self.max_delay, retry_after)
        return min(self.max_delay, self.backoff_factor * 2 ** (attempt - 1))


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds to wait from a `Retry-After` header (delay seconds or an HTTP date); None when
    the header is missing, unparsable or in the past."""
    if not value:
        return None
    if re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        seconds = float(value)
    else:
        parsed = parsedate_tz(value)
        if parsed is None:
            return None
        seconds = mktime_tz(parsed) - time.time()
    return seconds if seconds > 0 else None
