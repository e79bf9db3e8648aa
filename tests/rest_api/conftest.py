"""Fixtures for the rest_api plugin tests: a real HTTP server on 127.0.0.1 in a thread.

`api` is a `LocalAPI`: register handlers with `api.route(regex)`; every request it receives is
recorded in `api.requests`, so tests assert on what was actually sent over the wire.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


class Seen:
    """One request as the server received it."""

    def __init__(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> None:
        parts = urlsplit(raw_path)
        self.method, self.path, self.raw_path, self.body = method, parts.path, raw_path, body
        self.query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in headers.items()}

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class LocalAPI:
    """A threaded HTTP server whose routes are plain functions returning JSON, a
    `(status, body)` or a `(status, body, headers)` tuple."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = []
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers.items()),
                            self.rfile.read(length) if length else b"")
                with api.lock:
                    api.requests.append(seen)
                status, body, headers = api.dispatch(seen)
                data = json.dumps(body).encode() if not isinstance(body, (bytes, str)) else (
                    body.encode() if isinstance(body, str) else body)
                self.send_response(status)
                headers.setdefault("Content-Type", "application/json")
                for key, value in headers.items():
                    self.send_header(key, str(value))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = handle_any

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, pattern: str, method: str = "GET") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            self.routes.append((method, re.compile(pattern), handler))
            return handler

        return register

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict[str, str]]:
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(seen.path)
            if match and method == seen.method:
                result = handler(seen, **match.groupdict())
                if isinstance(result, tuple):
                    return result[0], result[1], dict(result[2]) if len(result) > 2 else {}
                return 200, result, {}
        return 404, {"error": "no route"}, {}

    def calls(self, path: str) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.requests if seen.path == path]

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def api() -> Iterator[LocalAPI]:
    """A fresh local API server for one test, shut down afterwards."""
    local = LocalAPI()
    thread = threading.Thread(target=local.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield local
    finally:
        local.server.shutdown()
        local.server.server_close()


@pytest.fixture
def pipeline(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A duckdb pipeline whose database file and working folder are in a temp folder."""
    import dlt

    monkeypatch.chdir(tmp_path)
    return dlt.pipeline(pipeline_name="rest_api_test", destination="duckdb", dataset_name="api",
                        pipelines_dir=str(tmp_path / "pipelines"))
