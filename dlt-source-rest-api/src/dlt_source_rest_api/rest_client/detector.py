"""Guessing where the records are in a response and how the API paginates."""

from __future__ import annotations

from typing import Any, Optional

from requests import Response

from dlt_source_rest_api.rest_client.jsonpath import find_first
from dlt_source_rest_api.rest_client.paginators import (
    BasePaginator,
    HeaderLinkPaginator,
    JSONLinkPaginator,
    JSONResponseCursorPaginator,
    SinglePagePaginator,
)

RECORD_KEYS = ("data", "items", "results", "records", "entries", "rows", "objects", "values",
               "elements", "list", "content", "payload", "hits", "nodes", "edges", "collection")
NEXT_URL_PATHS = ("next", "next_url", "nextUrl", "next_page", "nextPage", "next_page_url",
                  "links.next", "_links.next.href", "_links.next", "paging.next", "pagination.next",
                  "meta.next", "links.next.href")
CURSOR_PATHS = ("next_cursor", "nextCursor", "cursor.next", "cursors.next", "meta.next_cursor",
                "pagination.next_cursor", "paging.cursors.after", "next_page_token", "nextPageToken")


def find_records(body: Any) -> Any:
    """The records in a response body: the body when it is a list, else the best list inside
    it (a well-known key first, then the only or first list of dicts), else the body itself."""
    if isinstance(body, list) or not isinstance(body, dict):
        return body
    for key in RECORD_KEYS:
        value = body.get(key)
        if isinstance(value, list):
            return value
        if isinstance(value, dict):
            nested = find_records(value)
            if isinstance(nested, list):
                return nested
    lists = [value for value in body.values() if isinstance(value, list)]
    with_dicts = [value for value in lists if value and all(isinstance(v, dict) for v in value)]
    if with_dicts:
        return with_dicts[0]
    if lists:
        return lists[0]
    return body


def _looks_like_url(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith(("http://", "https://", "/")) or "?" in value)


def detect_paginator(response: Response, data: Any = None) -> Optional[BasePaginator]:
    """A paginator that fits `response`: a `Link: rel=next` header, a next URL or cursor in the
    body, else a single page (None only when nothing can be said)."""
    if "next" in response.links:
        return HeaderLinkPaginator()
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for path in NEXT_URL_PATHS:
            value = find_first(path, body)
            if _looks_like_url(value):
                return JSONLinkPaginator(next_url_path=path)
        for path in CURSOR_PATHS:
            if find_first(path, body) not in (None, ""):
                return JSONResponseCursorPaginator(cursor_path=path)
    return SinglePagePaginator()
