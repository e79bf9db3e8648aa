"""What `RESTClient.paginate` detects without a paginator or data_selector: the paginator,
the pages it requests and where the records are, with the outcomes dlt 1.31 produced against
the same responses."""

from __future__ import annotations


def test_total_pages_in_the_body_detects_page_numbers_requested_as_1_31_does(api):
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator

    @api.route(r"/users")
    def users(seen):
        page = int(seen.query.get("page", 1))
        return {"data": [{"id": page * 10}, {"id": page * 10 + 1}], "page": page, "total_pages": 3}

    pages = list(RESTClient(api.base_url).paginate("/users"))
    assert isinstance(pages[0].paginator, PageNumberPaginator)
    # 1.31: the first request has no page, the detected paginator counts from base_page 0,
    # so page 1 is asked for again and it stops before page 3 (0, 1, 2 are three pages)
    assert [seen.raw_path for seen in api.calls("/users")] == ["/users", "/users?page=1", "/users?page=2"]
    assert [[r["id"] for r in page] for page in pages] == [[10, 11], [10, 11], [20, 21]]


def test_a_nested_page_count_is_found_under_meta(api):
    from dlt.sources.helpers.rest_client import RESTClient

    @api.route(r"/things")
    def things(seen):
        return {"items": [{"id": int(seen.query.get("page", 1))}], "meta": {"pages": 2}}

    pages = list(RESTClient(api.base_url).paginate("/things"))
    assert str(pages[0].paginator.total_path) == "meta.pages"
    assert [seen.raw_path for seen in api.calls("/things")] == ["/things", "/things?page=1"]


def test_a_next_value_that_is_not_a_url_is_taken_as_a_cursor(api):
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

    @api.route(r"/events")
    def events(seen):
        cursor = seen.query.get("cursor", "0")
        return {"results": [{"id": cursor}], "next_cursor": {"0": "a", "a": "b", "b": None}[cursor]}

    pages = list(RESTClient(api.base_url).paginate("/events"))
    assert isinstance(pages[0].paginator, JSONResponseCursorPaginator)
    assert str(pages[0].paginator.cursor_path) == "next_cursor"
    assert [r["id"] for page in pages for r in page] == ["0", "a", "b"]


def test_a_next_url_in_the_body_is_followed(api):
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

    @api.route(r"/posts")
    def posts(seen):
        page = int(seen.query.get("page", 1))
        return {"data": [{"id": page}], "next": f"/posts?page={page + 1}" if page < 2 else None}

    pages = list(RESTClient(api.base_url).paginate("/posts"))
    assert isinstance(pages[0].paginator, JSONLinkPaginator)
    assert [r["id"] for page in pages for r in page] == [1, 2]


def test_records_are_the_first_list_under_a_record_key_depth_first(api):
    from dlt.sources.helpers.rest_client import RESTClient

    @api.route(r"/mixed")
    def mixed(seen):
        return {"meta": {"items": [1, 2]}, "records": [{"id": 1}]}

    @api.route(r"/unnamed")
    def unnamed(seen):
        return {"count": 2, "stuff": [{"id": 1}], "other": [{"id": 2}]}

    client = RESTClient(api.base_url)
    # 1.31 walks the body in key order, so `meta.items` comes before the top-level `records`
    assert [list(page) for page in client.paginate("/mixed")] == [[1, 2]]
    assert [list(page) for page in client.paginate("/unnamed")] == [[{"id": 1}]]


def test_a_custom_paginator_factory_replaces_detection(api):
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.detector import PaginatorFactory
    from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

    @api.route(r"/rows")
    def rows(seen):
        offset = int(seen.query.get("offset", 0))
        return {"data": [{"id": offset}] if offset < 4 else [], "total_pages": 9}

    factory = PaginatorFactory([lambda response: (OffsetPaginator(limit=2, total_path=None), 1.0)])
    pages = list(RESTClient(api.base_url, paginator_factory=factory).paginate("/rows"))
    assert [r["id"] for page in pages for r in page] == [0, 2]
    assert [seen.raw_path for seen in api.calls("/rows")] == [
        "/rows", "/rows?offset=2&limit=2", "/rows?offset=4&limit=2"]
