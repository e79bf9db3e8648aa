"""Guessing where the records are in a response and how the API paginates, as dlt 1.31 does.

`find_response_page_data` picks the records; `PaginatorFactory` asks its detectors in turn
(`Link: rel=next` header, a next URL in the body, a total page count, a next cursor, else a
single page) and the first that recognises the response gives the paginator and a score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import Any, Optional

from requests import Response

from dlt_source_rest_api.rest_client.paginators import (
    BasePaginator,
    HeaderLinkPaginator,
    JSONLinkPaginator,
    JSONResponseCursorPaginator,
    PageNumberPaginator,
    SinglePagePaginator,
)

RECORD_KEY_PATTERNS = frozenset(["data", "items", "results", "entries", "records", "rows", "entities",
                                 "payload", "content", "objects", "values"])
NON_RECORD_KEY_PATTERNS = frozenset(["meta", "metadata", "pagination", "links", "extras", "headers"])
NEXT_PAGE_KEY_PATTERNS = frozenset(["next"])
NEXT_PAGE_DICT_KEY_PATTERNS = frozenset(["href", "url"])
TOTAL_PAGES_KEYS = frozenset(["^total_pages$", "^pages$", "^totalpages$"])
# lists are looked for in the body and two levels of dicts below it
MAX_LIST_DEPTH = 3

Detection = tuple[Optional[BasePaginator], Optional[float]]
Detector = Callable[[Response], Detection]


def single_entity_path(path: str) -> bool:
    """True when the last segment of `path` is a placeholder (`posts/{id}`): one object per call."""
    return re.search(r"\{([a-zA-Z0-9\.\-_]+)\}", PurePosixPath(path).name) is not None


def matches_any_pattern(key: str, patterns: Iterable[str]) -> bool:
    """True when the lower-cased `key` matches one of the regular expressions `patterns`."""
    lowered = key.lower()
    return any(re.match(pattern, lowered) for pattern in patterns)


def find_all_lists(body: dict[str, Any], path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], list[Any]]]:
    """Every list in `body` with the keys leading to it, depth first in key order."""
    found: list[tuple[tuple[str, ...], list[Any]]] = []
    if len(path) >= MAX_LIST_DEPTH:
        return found
    for key, value in body.items():
        if isinstance(value, list):
            found.append(((*path, key), value))
        elif isinstance(value, dict):
            found.extend(find_all_lists(value, (*path, key)))
    return found


def find_response_page_data(body: Any) -> tuple[tuple[str, ...], Any]:
    """The path to the records of a response body and the records: the first list under a
    record-like key (`data`, `items`, ...), else the first list, else the whole body (`$`)."""
    if not isinstance(body, dict):
        return ("$",), body
    lists = find_all_lists(body)
    if not lists:
        return ("$",), body
    for keys, value in lists:
        if keys[-1] in RECORD_KEY_PATTERNS and keys[-1] not in NON_RECORD_KEY_PATTERNS:
            return keys, value
    return lists[0]


def _first_path(body: Any, match: Callable[[str, Any], Optional[tuple[tuple[str, ...], Any]]],
                path: tuple[str, ...] = ()) -> tuple[Optional[tuple[str, ...]], Any]:
    """Depth first through the dicts of `body`: the path to, and the value of, the first key
    `match(key, value)` accepts (it returns the path below that key, `()` for the key itself,
    and the value; or None, and the search goes on into the value)."""
    if not isinstance(body, dict):
        return None, None
    for key, value in body.items():
        found = match(key, value)
        if found is not None:
            below, hit = found
            return (*path, key, *below), hit
        if isinstance(value, dict):
            nested = _first_path(value, match, (*path, key))
            if nested[0] is not None:
                return nested
    return None, None


def _next_page_value(key: str, value: Any) -> Optional[tuple[tuple[str, ...], Any]]:
    if not matches_any_pattern(key, NEXT_PAGE_KEY_PATTERNS):
        return None
    if isinstance(value, dict):
        for inner_key, inner_value in value.items():
            if matches_any_pattern(inner_key, NEXT_PAGE_DICT_KEY_PATTERNS) and \
                    isinstance(inner_value, (str, int, float)):
                return (inner_key,), inner_value
        return None
    return ((), value) if isinstance(value, (str, int, float)) else None


def _total_pages_value(key: str, value: Any) -> Optional[tuple[tuple[str, ...], Any]]:
    if matches_any_pattern(key, TOTAL_PAGES_KEYS) and isinstance(value, (str, int, float)):
        return (), value
    return None


def find_next_page_path(body: Any, path: tuple[str, ...] = ()) -> tuple[Optional[tuple[str, ...]], Any]:
    """The path to the first `next` value (a scalar, or the `href`/`url` of a `next` dict)."""
    return _first_path(body, _next_page_value, path)


def find_total_pages_path(body: Any, path: tuple[str, ...] = ()) -> tuple[Optional[tuple[str, ...]], Any]:
    """The path to the first page count (`total_pages`, `pages`, `totalPages`) in the body."""
    return _first_path(body, _total_pages_value, path)


def _json_body(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def header_links_detector(response: Response) -> Detection:
    """A `Link: <...>; rel="next"` header: `HeaderLinkPaginator`, certain."""
    if response.links.get("next"):
        return HeaderLinkPaginator(), 1.0
    return None, None


def json_links_detector(response: Response) -> Detection:
    """A `next` URL (absolute or starting with `/`) in the body: `JSONLinkPaginator`, certain."""
    path, value = find_next_page_path(_json_body(response))
    if path and isinstance(value, str) and value.startswith(("http", "/")):
        return JSONLinkPaginator(next_url_path=".".join(path)), 1.0
    return None, None


def pages_number_paginator_detector(response: Response) -> Detection:
    """A numeric page count in the body: `PageNumberPaginator` with that `total_path`, a guess."""
    path, total = find_total_pages_path(_json_body(response))
    if not path:
        return None, None
    try:
        int(total)
    except (TypeError, ValueError):
        return None, None
    return PageNumberPaginator(total_path=".".join(path)), 0.5


def cursor_paginator_detector(response: Response) -> Detection:
    """Any other `next` value in the body: `JSONResponseCursorPaginator` on it, a guess."""
    path, _ = find_next_page_path(_json_body(response))
    if not path:
        return None, None
    return JSONResponseCursorPaginator(cursor_path=".".join(path)), 0.5


def single_page_detector(response: Response) -> Detection:
    """The fallback: one page (also right for a single object)."""
    return SinglePagePaginator(), 0.0


DEFAULT_DETECTORS: tuple[Detector, ...] = (
    header_links_detector,
    json_links_detector,
    pages_number_paginator_detector,
    cursor_paginator_detector,
    single_page_detector,
)


class PaginatorFactory:
    """Detects a paginator for a response by asking `detectors` in order; the first to return a
    paginator wins. A detector returns `(paginator, score)`, score 1.0 for certain, 0.0 for the
    fallback and in between for a guess whose settings may be wrong, or `(None, None)`."""

    def __init__(self, detectors: Optional[list[Detector]] = None) -> None:
        self.detectors = list(DEFAULT_DETECTORS) if detectors is None else list(detectors)

    def create_paginator(self, response: Response) -> Detection:
        """The first detected paginator and its score, or `(None, None)`."""
        for detector in self.detectors:
            paginator, score = detector(response)
            if paginator is not None:
                return paginator, score
        return None, None
