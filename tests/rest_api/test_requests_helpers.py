"""`dlt.sources.helpers.requests`: dlt's retry policy against a real local server."""

from __future__ import annotations

import time
from collections import Counter

import pytest


def failing(hits: Counter, times: int, status: int, headers: dict | None = None):
    def handler(seen, **_):
        hits[seen.path] += 1
        if hits[seen.path] <= times:
            return status, {"attempt": hits[seen.path]}, headers or {}
        return {"attempts": hits[seen.path], "ua": seen.headers.get("user-agent")}

    return handler


def test_a_server_error_is_retried_and_the_user_agent_names_dlt(api):
    from dlt.sources.helpers import requests

    hits = Counter()
    api.route(r"/flaky")(failing(hits, 1, 503))
    client = requests.Client(request_backoff_factor=0.01)
    body = client.get(api.url("/flaky")).json()
    assert body["attempts"] == 2
    assert body["ua"].startswith("dlt/")


def test_retry_after_sets_the_wait(api):
    from dlt.sources.helpers import requests

    hits = Counter()
    api.route(r"/limited")(failing(hits, 1, 429, {"Retry-After": "1"}))
    started = time.monotonic()
    requests.Client(request_backoff_factor=0.01).get(api.url("/limited"))
    assert time.monotonic() - started >= 0.9


def test_max_attempts_counts_the_first_attempt_and_the_last_error_raises(api):
    from dlt.sources.helpers import requests

    hits = Counter()
    api.route(r"/broken")(failing(hits, 100, 500))
    with pytest.raises(requests.HTTPError) as raised:
        requests.Client(request_max_attempts=3, request_backoff_factor=0.01).get(api.url("/broken"))
    assert raised.value.response.status_code == 500
    assert hits["/broken"] == 3


def test_retry_settings_left_out_come_from_runtime_configuration(api, monkeypatch):
    from dlt.sources.helpers import requests
    from dlt.sources.helpers.rest_client import RESTClient

    hits = Counter()
    api.route(r"/down")(failing(hits, 100, 500))
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.01")
    with pytest.raises(requests.HTTPError):
        requests.Client().get(api.url("/down"))
    assert hits["/down"] == 2
    # the REST client's sessions (rest_api's) take them too; its get() returns the last response
    assert RESTClient(base_url=api.url("")).get("/down").status_code == 500
    assert hits["/down"] == 4
    # given settings win over configuration
    with pytest.raises(requests.HTTPError):
        requests.Client(request_max_attempts=3).get(api.url("/down"))
    assert hits["/down"] == 7


def test_a_client_error_is_not_retried(api):
    from dlt.sources.helpers import requests

    hits = Counter()
    api.route(r"/missing")(failing(hits, 100, 404))
    with pytest.raises(requests.HTTPError):
        requests.Client(request_backoff_factor=0.01).get(api.url("/missing"))
    assert hits["/missing"] == 1


def test_a_retry_condition_retries_a_successful_response(api):
    from dlt.sources.helpers import requests

    hits = Counter()

    @api.route(r"/busy")
    def busy(seen):
        hits["busy"] += 1
        return {"busy": hits["busy"] < 3}

    client = requests.Client(retry_condition=lambda r, e: r is not None and r.json()["busy"],
                             request_backoff_factor=0.01)
    assert client.get(api.url("/busy")).json() == {"busy": False}
    assert hits["busy"] == 3


def test_a_refused_connection_is_retried_then_raised():
    from dlt.sources.helpers import requests

    started = time.monotonic()
    with pytest.raises(requests.ConnectionError):
        requests.Client(request_max_attempts=2, request_backoff_factor=0.2).get("http://127.0.0.1:9/")
    assert time.monotonic() - started >= 0.2
