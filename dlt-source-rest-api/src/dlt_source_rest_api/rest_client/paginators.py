"""Paginators: how the REST client finds and requests the next page.

A paginator prepares the first request (`init_request`), reads each response
(`update_state`) and changes the request for the next page (`update_request`); pagination stops
once `has_next_page` is false. Subclass `BasePaginator` for an API with its own scheme.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any, Optional
from urllib.parse import urljoin

from requests import Request, Response

from dlt_source_rest_api.rest_client.exceptions import PaginatorSetupError
from dlt_source_rest_api.rest_client.jsonpath import TJsonPath, find_first, set_value


def _json_body(response: Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class BasePaginator(ABC):
    """Base of all paginators: keeps whether there is a next page."""

    def __init__(self) -> None:
        self._has_next_page = True

    @property
    def has_next_page(self) -> bool:
        """True while another page should be requested."""
        return self._has_next_page

    def init_request(self, request: Request) -> None:  # noqa: B027 - optional hook
        """Prepare the first request (e.g. set the first page's parameters)."""

    @abstractmethod
    def update_state(self, response: Response, data: Optional[list[Any]] = None) -> None:
        """Read pagination information from `response` (and the page's `data`)."""

    @abstractmethod
    def update_request(self, request: Request) -> None:
        """Change `request` so that it asks for the next page."""

    def __str__(self) -> str:
        return f"{type(self).__name__}()"


class SinglePagePaginator(BasePaginator):
    """One request, no pagination."""

    def update_state(self, response: Response, data: Optional[list[Any]] = None) -> None:
        """There is never a next page."""
        self._has_next_page = False

    def update_request(self, request: Request) -> None:
        """Nothing to change: there is no next page."""


class RangePaginator(BasePaginator):
    """Numeric ranges (offsets, page numbers) sent as a query parameter or in the JSON body."""

    def __init__(self, param_name: Optional[str], initial_value: int, value_step: int,
                 base_index: int = 0, maximum_value: Optional[int] = None,
                 total_path: Optional[TJsonPath] = None, error_message_items: str = "items",
                 stop_after_empty_page: bool = True, has_more_path: Optional[TJsonPath] = None,
                 param_body_path: Optional[str] = None) -> None:
        super().__init__()
        if total_path is None and maximum_value is None and not stop_after_empty_page and has_more_path is None:
            raise PaginatorSetupError(
                f"{type(self).__name__} needs one way to stop: `total_path`, a maximum"
                f" ({error_message_items}), `has_more_path` or `stop_after_empty_page=True`."
            )
        if param_name is None and param_body_path is None:
            raise PaginatorSetupError(f"{type(self).__name__} needs a query parameter or a body path.")
        self.param_name = param_name
        self.param_body_path = param_body_path
        self.initial_value = initial_value
        self.current_value = initial_value
        self.value_step = value_step
        self.base_index = base_index
        self.maximum_value = maximum_value
        self.total_path = total_path
        self.has_more_path = has_more_path
        self.error_message_items = error_message_items
        self.stop_after_empty_page = stop_after_empty_page

    def init_request(self, request: Request) -> None:
        """Send the first value of the range."""
        self._has_next_page = True
        self.current_value = self.initial_value
        self._put(request, self.param_name, self.param_body_path, self.current_value)

    @staticmethod
    def _put(request: Request, param: Optional[str], body_path: Optional[str], value: Any) -> None:
        if body_path:
            if not isinstance(request.json, dict):
                request.json = {}
            set_value(body_path, request.json, value)
        elif param:
            request.params = {**(request.params or {}), param: value}

    def update_state(self, response: Response, data: Optional[list[Any]] = None) -> None:
        """Step the range; stop past the total, the maximum, `has_more` false or an empty page."""
        if self.stop_after_empty_page and not data:
            self._has_next_page = False
            return
        body = _json_body(response)
        total = None
        if self.total_path:
            total = find_first(self.total_path, body)
            if total is not None:
                try:
                    total = int(total)
                except (TypeError, ValueError) as exc:
                    raise ValueError(
                        f"{type(self).__name__}: the total at `{self.total_path}` is {total!r}, not a number."
                    ) from exc
        self.current_value += self.value_step
        if total is not None and self.current_value >= total + self.base_index:
            self._has_next_page = False
        if self.maximum_value is not None and self.current_value >= self.maximum_value:
            self._has_next_page = False
        if self.has_more_path is not None:
            has_more = find_first(self.has_more_path, body)
            if has_more is not None and not has_more:
                self._has_next_page = False

    def update_request(self, request: Request) -> None:
        """Send the next value of the range."""
        self._put(request, self.param_name, self.param_body_path, self.current_value)


class PageNumberPaginator(RangePaginator):
    """`?page=N`: page numbers from `base_page`, until `total_path` pages, `maximum_page` or an
    empty page."""

    def __init__(self, base_page: int = 0, page: Optional[int] = None, page_param: Optional[str] = None,
                 total_path: Optional[TJsonPath] = "total", maximum_page: Optional[int] = None,
                 stop_after_empty_page: bool = True, has_more_path: Optional[TJsonPath] = None,
                 page_body_path: Optional[str] = None) -> None:
        if page_param is None and page_body_path is None:
            page_param = "page"
        super().__init__(page_param, base_page if page is None else page, 1, base_index=base_page,
                         maximum_value=maximum_page, total_path=total_path,
                         error_message_items="pages", stop_after_empty_page=stop_after_empty_page,
                         has_more_path=has_more_path, param_body_path=page_body_path)

    def __str__(self) -> str:
        return f"PageNumberPaginator(page_param={self.param_name!r}, page={self.current_value}, total_path={self.total_path!r})"


class OffsetPaginator(RangePaginator):
    """`?offset=&limit=`: offsets stepped by `limit`, until `total_path`, `maximum_offset` or an
    empty page; offset and limit may go into the JSON body instead."""

    def __init__(self, limit: int, offset: int = 0, offset_param: Optional[str] = None,
                 limit_param: Optional[str] = None, total_path: Optional[TJsonPath] = "total",
                 maximum_offset: Optional[int] = None, stop_after_empty_page: bool = True,
                 has_more_path: Optional[TJsonPath] = None, offset_body_path: Optional[str] = None,
                 limit_body_path: Optional[str] = None) -> None:
        if offset_param is None and offset_body_path is None:
            offset_param = "offset"
        if limit_param is None and limit_body_path is None:
            limit_param = "limit"
        super().__init__(offset_param, offset, limit, maximum_value=maximum_offset,
                         total_path=total_path, error_message_items="items",
                         stop_after_empty_page=stop_after_empty_page, has_more_path=has_more_path,
                         param_body_path=offset_body_path)
        self.limit = limit
        self.limit_param = limit_param
        self.limit_body_path = limit_body_path

    def init_request(self, request: Request) -> None:
        """Send the first offset and the limit."""
        super().init_request(request)
        self._put(request, self.limit_param, self.limit_body_path, self.limit)

    def update_request(self, request: Request) -> None:
        """Send the next offset and the limit."""
        super().update_request(request)
        self._put(request, self.limit_param, self.limit_body_path, self.limit)

    def __str__(self) -> str:
        return f"OffsetPaginator(offset={self.current_value}, limit={self.limit}, total_path={self.total_path!r})"


class BaseReferencePaginator(BasePaginator):
    """Pages found by a reference (a URL or a cursor) taken from each response."""

    def __init__(self) -> None:
        super().__init__()
        self._next_reference: Optional[str] = None

    @property
    def _next_reference_value(self) -> Optional[str]:
        return self._next_reference

    def _set_reference(self, value: Any) -> None:
        self._next_reference = value if value not in (None, "") else None
        self._has_next_page = self._next_reference is not None


class BaseNextUrlPaginator(BaseReferencePaginator):
    """The next page is a URL (absolute or relative to the current one)."""

    def update_request(self, request: Request) -> None:
        """Request the next URL; its own query string replaces the previous parameters."""
        if self._next_reference is None:
            return
        request.url = urljoin(request.url, str(self._next_reference))
        request.params = {}


class JSONLinkPaginator(BaseNextUrlPaginator):
    """The next page's URL is in the JSON body at `next_url_path` (`next` by default)."""

    def __init__(self, next_url_path: TJsonPath = "next") -> None:
        super().__init__()
        self.next_url_path = next_url_path

    def update_state(self, response: Response, data: Optional[list[Any]] = None) -> None:
        """Take the next URL from the body."""
        self._set_reference(find_first(self.next_url_path, _json_body(response)))

    def __str__(self) -> str:
        return f"JSONLinkPaginator(next_url_path={self.next_url_path!r})"


JSONResponsePaginator = JSONLinkPaginator


class HeaderLinkPaginator(BaseNextUrlPaginator):
    """The next page's URL is in the `Link` header (RFC 5988), relation `links_next_key`."""

    def __init__(self, links_next_key: str = "next") -> None:
        super().__init__()
        self.links_next_key = links_next_key

    def update_state(self, response: Response, data: Optional[list[Any]] = None) -> None:
        """Take the next URL from the `Link` header."""
        self._set_reference(response.links.get(self.links_next_key, {}).get("url"))

    def __str__(self) -> str:
        return f"HeaderLinkPaginator(links_next_key={self.links_next_key!r})"


class JSONResponseCursorPaginator(BaseReferencePaginator):
    """An opaque cursor in the JSON body at `cursor_path`, sent back as the query parameter
    `cursor_param` (default `cursor`) or at `cursor_body_path` in the JSON body."""

    def __init__(self, cursor_path: TJsonPath = "cursors.next", cursor_param: Optional[str] = None,
                 cursor_body_path: Optional[str] = None) -> None:
        super().__init__()
        if cursor_param is not None and cursor_body_path is not None:
            raise PaginatorSetupError(
                "JSONResponseCursorPaginator takes either `cursor_param` or `cursor_body_path`, not both."
            )
        if cursor_param is None and cursor_body_path is None:
            cursor_param = "cursor"
        self.cursor_path = cursor_path
        self.cursor_param = cursor_param
        self.cursor_body_path = cursor_body_path

    def update_state(self, response: Response, data: Optional[list[Any]] = None) -> None:
        """Take the cursor from the body."""
        self._set_reference(find_first(self.cursor_path, _json_body(response)))

    def update_request(self, request: Request) -> None:
        """Send the cursor."""
        RangePaginator._put(request, self.cursor_param, self.cursor_body_path, self._next_reference)

    def __str__(self) -> str:
        return f"JSONResponseCursorPaginator(cursor_path={self.cursor_path!r})"


class HeaderCursorPaginator(BaseReferencePaginator):
    """A cursor in the response header `cursor_key`, sent back as the query parameter
    `cursor_param`."""

    def __init__(self, cursor_key: str = "next", cursor_param: str = "cursor") -> None:
        super().__init__()
        self.cursor_key = cursor_key
        self.cursor_param = cursor_param

    def update_state(self, response: Response, data: Optional[list[Any]] = None) -> None:
        """Take the cursor from the header."""
        self._set_reference(response.headers.get(self.cursor_key))

    def update_request(self, request: Request) -> None:
        """Send the cursor as a query parameter."""
        request.params = {**(request.params or {}), self.cursor_param: self._next_reference}

    def __str__(self) -> str:
        return f"HeaderCursorPaginator(cursor_key={self.cursor_key!r})"


def fresh(paginator: BasePaginator) -> BasePaginator:
    """A copy of `paginator` for one pagination run, so configured instances can be reused."""
    return copy.deepcopy(paginator)


__all__ = [
    "BaseNextUrlPaginator", "BasePaginator", "BaseReferencePaginator", "HeaderCursorPaginator",
    "HeaderLinkPaginator", "JSONLinkPaginator", "JSONResponseCursorPaginator", "JSONResponsePaginator",
    "OffsetPaginator", "PageNumberPaginator", "RangePaginator", "SinglePagePaginator",
]
