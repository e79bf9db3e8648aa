"""`RESTClient` and its paginators against a real local server."""

from __future__ import annotations

import pytest

ITEMS = [{"id": i} for i in range(1, 11)]


def test_json_link_pages_follow_the_next_url_and_carry_their_response(api):
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

    @api.route(r"/items")
    def items(seen):
        page = int(seen.query.get("page", 1))
        more = page * 4 < len(ITEMS)
        return {"data": ITEMS[(page - 1) * 4: page * 4],
                "next": api.url(f"/items?page={page + 1}") if more else None}

    client = RESTClient(api.base_url, paginator=JSONLinkPaginator("next"), data_selector="data")
    pages = list(client.paginate("/items"))
    assert [len(p) for p in pages] == [4, 4, 2]
    assert pages[2].response.request.url.endswith("page=3")


def test_offset_paginator_sends_offset_and_limit_until_the_total(api):
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

    @api.route(r"/rows")
    def rows(seen):
        offset, limit = int(seen.query["offset"]), int(seen.query["limit"])
        return {"rows": ITEMS[offset: offset + limit], "total": len(ITEMS)}

    pages = list(RESTClient(api.base_url).paginate("/rows", paginator=OffsetPaginator(limit=4), data_selector="rows"))
    assert [len(p) for p in pages] == [4, 4, 2]
    assert [s.query["offset"] for s in api.calls("/rows")] == ["0", "4", "8"]


def test_header_cursor_and_auto_detected_link_header(api):
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.paginators import HeaderCursorPaginator

    @api.route(r"/metrics")
    def metrics(seen):
        start = int(seen.query.get("cursor", 0))
        headers = {"next": str(start + 3)} if start + 3 < len(ITEMS) else {}
        return 200, ITEMS[start: start + 3], headers

    @api.route(r"/linked")
    def linked(seen):
        page = int(seen.query.get("page", 1))
        headers = {"Link": f'<{api.url("/linked")}?page={page + 1}>; rel="next"'} if page < 2 else {}
        return 200, ITEMS[(page - 1) * 5: page * 5], headers

    client = RESTClient(api.base_url)
    assert sum(len(p) for p in client.paginate("/metrics", paginator=HeaderCursorPaginator())) == 10
    pages = list(client.paginate("/linked"))
    assert [r["id"] for p in pages for r in p] == list(range(1, 11))


def test_an_error_status_raises_with_secrets_redacted_from_the_url(api):
    from dlt.sources.helpers import requests
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.auth import APIKeyAuth

    api.route(r"/secret")(lambda seen: (401, {"error": "no"}))
    client = RESTClient(api.base_url, auth=APIKeyAuth(name="api_key", api_key="hunter2", location="query"))
    with pytest.raises(requests.HTTPError) as raised:
        list(client.paginate("/secret"))
    assert "401" in str(raised.value)
    assert "hunter2" not in str(raised.value)
    assert api.calls("/secret")[0].query["api_key"] == "hunter2"


def test_ignore_response_exception_in_a_hook_ends_pagination(api):
    from dlt.sources.helpers.rest_client import paginate
    from dlt.sources.helpers.rest_client.exceptions import IgnoreResponseException

    @api.route(r"/sparse")
    def sparse(seen):
        page = int(seen.query.get("page", 1))
        if page == 2:
            return 404, {"error": "gone"}
        return {"data": [{"id": page}], "next": api.url("/sparse?page=2")}

    def stop(response, *args, **kwargs):
        if response.status_code == 404:
            raise IgnoreResponseException

    assert [p[0]["id"] for p in paginate(api.url("/sparse"), hooks={"response": [stop]})] == [1]


def test_oauth2_client_credentials_reuses_its_token(api):
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
    from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator

    tokens = []

    @api.route(r"/token", method="POST")
    def token(seen):
        tokens.append(seen.body)
        return {"access_token": "t1", "expires_in": 3600}

    @api.route(r"/pages")
    def pages(seen):
        assert seen.headers["authorization"] == "Bearer t1"
        page = int(seen.query["page"])
        return {"results": ITEMS[(page - 1) * 5: page * 5], "total": 2}

    auth = OAuth2ClientCredentials(access_token_url=api.url("/token"), client_id="app", client_secret="shh")
    client = RESTClient(api.base_url, auth=auth)
    pages_seen = list(client.paginate("/pages", paginator=PageNumberPaginator(base_page=1), data_selector="results"))
    assert len(pages_seen) == 2 and len(tokens) == 1
    assert b"grant_type=client_credentials" in tokens[0]
    assert "shh" not in repr(auth)
