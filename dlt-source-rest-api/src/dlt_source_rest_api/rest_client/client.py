"""`RESTClient`: requests against one base URL, with auth, default headers and pagination."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from typing import Any, Optional

from requests import Request, Response
from requests.auth import AuthBase

from dlt_source_rest_api.rest_client.detector import PaginatorFactory, find_response_page_data
from dlt_source_rest_api.rest_client.exceptions import IgnoreResponseException, PaginatorNotFound
from dlt_source_rest_api.rest_client.jsonpath import TJsonPath, find_values
from dlt_source_rest_api.rest_client.paginators import BasePaginator, fresh
from dlt_source_rest_api.rest_client.redaction import raise_for_status, redact_url
from dlt_source_rest_api.rest_client.typing import Hooks

logger = logging.getLogger("dlt.sources.rest_client")


class PageData(list):  # type: ignore[type-arg]
    """One page of records (a list) with the `request`, `response`, `paginator` and `auth`
    that produced it. `request` is the paginator's request, already set up for the next page;
    `response.request` is the request that fetched this page."""

    def __init__(self, data: list[Any], request: Request, response: Response,
                 paginator: Optional[BasePaginator], auth: Optional[AuthBase]) -> None:
        super().__init__(data)
        self.request = request
        self.response = response
        self.paginator = paginator
        self.auth = auth


def join_url(base_url: str, path: str) -> str:
    """`path` under `base_url`; an absolute `path` (with a scheme) is used as it is."""
    if path.startswith(("http://", "https://")):
        return path
    if not path:
        return base_url
    if not base_url:
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


class RESTClient:
    """A client for one REST API: `get`/`post`/`request` and `paginate` relative to `base_url`.

    `headers` go with every request, `auth` authenticates every request unless a call passes
    its own, `paginator` and `data_selector` are the defaults of `paginate()`. Requests go
    through a retrying dlt session (429/5xx and connection errors) unless `session` is given.
    Without a paginator one is detected from the first response by `paginator_factory`.
    """

    def __init__(self, base_url: str, headers: Optional[dict[str, str]] = None,
                 auth: Optional[AuthBase] = None, paginator: Optional[BasePaginator] = None,
                 data_selector: Optional[TJsonPath] = None, session: Any = None,
                 paginator_factory: Optional[PaginatorFactory] = None) -> None:
        self.base_url = base_url or ""
        self.headers = dict(headers or {})
        self.auth = auth
        if session is None:
            from dlt_source_rest_api.requests import Client

            session = Client(raise_for_status=False).session
        elif getattr(session, "raise_for_status", False) is True:
            raise ValueError(
                "RESTClient needs a session with raise_for_status=False: pass"
                " Client(raise_for_status=False).session, the client checks statuses itself."
            )
        self.session = session
        self.paginator = paginator
        self.pagination_factory = paginator_factory or PaginatorFactory()
        self.data_selector = data_selector

    # -- single requests ----------------------------------------------------------------------

    def _create_request(self, path: str, method: str, params: Optional[dict[str, Any]] = None,
                        json: Any = None, auth: Optional[AuthBase] = None,
                        hooks: Optional[Hooks] = None, **kwargs: Any) -> Request:
        headers = {**self.headers, **(kwargs.pop("headers", None) or {})}
        return Request(method=method.upper(), url=join_url(self.base_url, path), headers=headers,
                       params=dict(params) if params else {}, json=json,
                       auth=auth if auth is not None else self.auth, hooks=hooks, **kwargs)

    def _send_request(self, request: Request, **kwargs: Any) -> Response:
        logger.info("Making %s request to %s", request.method, redact_url(request.url or ""))
        prepared = self.session.prepare_request(request)
        settings = self.session.merge_environment_settings(prepared.url, {}, None, None, None)
        settings.update(kwargs)
        return self.session.send(prepared, **settings)

    def request(self, path: str = "", method: str = "GET", **kwargs: Any) -> Response:
        """Send one request to `path` (relative to `base_url`) and return the response."""
        send_kwargs = {k: kwargs.pop(k) for k in ("timeout", "stream", "verify", "cert", "proxies") if k in kwargs}
        return self._send_request(self._create_request(path, method, **kwargs), **send_kwargs)

    def get(self, path: str, params: Optional[dict[str, Any]] = None, **kwargs: Any) -> Response:
        """GET `path` and return the response (error statuses are returned, not raised)."""
        return self.request(path, method="GET", params=params, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Response:
        """POST `json` to `path` and return the response."""
        return self.request(path, method="POST", json=json, **kwargs)

    # -- pagination ---------------------------------------------------------------------------

    def paginate(self, path: str = "", method: str = "GET", params: Optional[dict[str, Any]] = None,
                 json: Any = None, auth: Optional[AuthBase] = None,
                 paginator: Optional[BasePaginator] = None, data_selector: Optional[TJsonPath] = None,
                 hooks: Optional[Hooks] = None, **kwargs: Any) -> Iterator[PageData]:
        """Yield the pages of `path`, one `PageData` each, until the paginator finds no next page.

        `hooks={"response": [f, ...]}` are called with every response (before its records are
        read) and replace the default hook that raises `HTTPError` on error statuses; a hook
        raising `IgnoreResponseException` ends pagination quietly. Without a paginator (here or
        on the client) one is detected from the first response; without a `data_selector` the
        records are detected too.
        """
        request = self._create_request(path, method, params=params, json=copy.deepcopy(json),
                                       auth=auth, **kwargs)
        paginator = fresh(paginator) if paginator is not None else (
            fresh(self.paginator) if self.paginator is not None else None)
        data_selector = data_selector if data_selector is not None else self.data_selector
        response_hooks = list((hooks or {}).get("response", [])) if hooks is not None else [raise_for_status]
        if paginator is not None:
            paginator.init_request(request)
        while True:
            response = self._send_request(request)
            try:
                for hook in response_hooks:
                    result = hook(response)
                    if isinstance(result, Response):
                        response = result
            except IgnoreResponseException:
                logger.info("Ignoring the response from %s and stopping pagination", redact_url(response.url))
                break
            if not data_selector and response.content:
                # detected once, on the first page, and kept for the following pages
                data_selector = self.detect_data_selector(response)
            data = self.extract_response(response, data_selector)
            if paginator is None:
                paginator = self.detect_paginator(response, data)
            paginator.update_state(response, data)
            paginator.update_request(request)
            yield PageData(data, request=request, response=response, paginator=paginator,
                           auth=request.auth)
            if not paginator.has_next_page:
                break

    def extract_response(self, response: Response, data_selector: Optional[TJsonPath]) -> list[Any]:
        """The records of `response`: what `data_selector` selects (`$` is the whole body), or
        the detected records; always a list."""
        if not response.content:
            return []
        body = response.json()
        if not data_selector:
            data_selector = ".".join(find_response_page_data(body)[0])
        if data_selector == "$":
            data: Any = body
        else:
            found = find_values(data_selector, body)
            data = found[0] if len(found) == 1 else found
        if data is None:
            return []
        return data if isinstance(data, list) else [data]

    def detect_data_selector(self, response: Response) -> str:
        """The JSONPath of the records in `response` (`$`, the whole body, when no list is found)."""
        path, data = find_response_page_data(response.json())
        selector = ".".join(path)
        logger.info("Detected page data at path '%s' (%s)", selector, type(data).__name__)
        return selector

    def detect_paginator(self, response: Response, data: Any = None) -> BasePaginator:
        """The paginator `paginator_factory` detects for `response`; a guessed one (neither
        certain nor the single-page fallback) is logged as a warning to set it explicitly."""
        paginator, score = self.pagination_factory.create_paginator(response)
        if paginator is None:
            raise PaginatorNotFound(
                f"No paginator fits the response from {redact_url(response.url)}: pass one"
                " explicitly (paginator=...)."
            )
        if score == 1.0:
            logger.info("Detected paginator %s for %s", paginator, redact_url(response.url))
        elif score == 0.0:
            if isinstance(data, list) and data:
                logger.warning("No pagination detected for %s, reading one page with %s; pass a"
                               " paginator if the API has more pages.", redact_url(response.url), paginator)
        else:
            logger.warning("Guessed paginator %s for %s: verify its settings, or pass an explicit"
                           " paginator instance.", paginator, redact_url(response.url))
        return paginator

def paginate(url: str, method: str = "GET", headers: Optional[dict[str, str]] = None,
             params: Optional[dict[str, Any]] = None, json: Any = None,
             auth: Optional[AuthBase] = None, paginator: Optional[BasePaginator] = None,
             data_selector: Optional[TJsonPath] = None,
             hooks: Optional[Hooks] = None) -> Iterator[PageData]:
    """Yield the pages of `url` with a one-off `RESTClient` (see `RESTClient.paginate`)."""
    client = RESTClient(base_url=url, headers=headers)
    return client.paginate(path="", method=method, params=params, json=json, auth=auth,
                           paginator=paginator, data_selector=data_selector, hooks=hooks)


__all__ = ["Hooks", "PageData", "RESTClient", "join_url", "paginate"]
