"""How an endpoint path is read, as in dlt 1.31: static `{name}` params bound into the path, and
a path ending in a placeholder taken as one object per call."""

from __future__ import annotations


def rows(pipeline, sql):
    with pipeline.sql_client() as client:
        return [tuple(row) for row in client.execute_sql(sql)]


def test_a_plain_param_named_in_the_path_is_bound_into_it_and_not_sent(api, pipeline):
    from dlt.sources.rest_api import rest_api_source

    @api.route(r"/posts/(?P<pid>\d+)")
    def post(seen, pid):
        return {"id": int(pid), "detail": "d"}

    source = rest_api_source({"client": {"base_url": api.base_url}, "resources": [
        {"name": "one", "endpoint": {"path": "posts/{pid}", "params": {"pid": 3}}}]})
    pipeline.run(source)
    assert [seen.raw_path for seen in api.requests] == ["/posts/3"]
    assert rows(pipeline, "select id, detail from api.one") == [(3, "d")]


def test_a_single_object_path_keeps_the_whole_body_even_with_a_paginator_set(api, pipeline):
    from dlt.sources.rest_api import rest_api_source

    @api.route(r"/posts")
    def posts(seen):
        return [{"id": 1}, {"id": 2}]

    @api.route(r"/posts/(?P<pid>\d+)")
    def post(seen, pid):
        # without data_selector "$" the detector would pick the `items` list instead of the post
        return {"id": int(pid), "items": [{"n": 1}]}

    source = rest_api_source({"client": {"base_url": api.base_url}, "resources": [
        "posts", {"name": "detail", "endpoint": {"path": "posts/{resources.posts.id}", "paginator": "single_page"}}]})
    pipeline.run(source)
    assert rows(pipeline, "select id from api.detail order by id") == [(1,), (2,)]
    assert rows(pipeline, "select n from api.detail__items") == [(1,), (1,)]
