"""Names 1.31 scripts import from `dlt.sources.rest_api`: `check_connection`, the
`build_resource_dependency_graph` / `create_resources` pair, the `rest_api` source and the
typing names, each proved against a real local server with the outcome 1.31 gives."""

from __future__ import annotations


def _source(api):
    from dlt.sources.rest_api import rest_api_source

    @api.route(r"/posts")
    def posts(seen):
        return [{"id": 1}, {"id": 2}]

    @api.route(r"/broken")
    def broken(seen):
        return 404, {"error": "gone"}

    return rest_api_source({"client": {"base_url": api.base_url},
                            "resources": ["posts", "broken"]})


def test_check_connection_is_true_when_one_item_of_the_named_resources_extracts(api):
    from dlt.sources.rest_api import check_connection

    assert check_connection(_source(api), "posts") == (True, "")
    assert len(api.calls("/posts")) == 1


def test_check_connection_returns_the_error_instead_of_raising(api):
    from dlt.sources.rest_api import check_connection

    ok, message = check_connection(_source(api), "broken")
    assert ok is False
    assert "404" in message


def test_check_connection_without_resource_names_requests_nothing(api):
    from dlt.sources.rest_api import check_connection

    # 1.31 selects no resource when none is named, so nothing is requested
    assert check_connection(_source(api)) == (True, "")
    assert api.requests == []


def test_create_resources_builds_parents_first_from_the_dependency_graph(api):
    from dlt.sources.rest_api import build_resource_dependency_graph, create_resources

    @api.route(r"/posts")
    def posts(seen):
        return [{"id": 1}, {"id": 2}]

    @api.route(r"/posts/(?P<pid>\d+)/comments")
    def comments(seen, pid):
        return [{"text": f"c{pid}"}]

    resources = [{"name": "comments", "endpoint": "posts/{resources.posts.id}/comments"}, "posts"]
    graph, resource_map, param_map = build_resource_dependency_graph({}, resources)
    built = create_resources({"base_url": api.base_url}, graph, resource_map, param_map)
    assert list(built) == ["posts", "comments"]
    assert param_map["posts"] is None
    assert [row["text"] for row in built["comments"]] == ["c1", "c2"]


def test_the_rest_api_source_takes_client_and_resources_as_arguments(api):
    from dlt.sources.rest_api import rest_api

    @api.route(r"/posts")
    def posts(seen):
        return [{"id": 1}]

    source = rest_api(client={"base_url": api.base_url}, resources=["posts"])
    assert list(source.resources) == ["posts"]
    assert list(source) == [{"id": 1}]


def test_the_typing_and_client_names_of_1_31_import():
    from dlt.sources.helpers.rest_client import Hooks, HTTPMethodBasic  # noqa: F401
    from dlt.sources.helpers.rest_client.detector import PaginatorFactory, single_entity_path
    from dlt.sources.helpers.rest_client.exceptions import RESTClientException  # noqa: F401
    from dlt.sources.helpers.rest_client.utils import join_url
    from dlt.sources.rest_api import (  # noqa: F401
        EndpointResourceBase, IncrementalParamConfig, ProcessingSteps, ResolveParamConfig,
    )
    from dlt.sources.rest_api.config_setup import get_paginator_class
    from dlt.sources.rest_api.typing import (  # noqa: F401
        PageNumberPaginatorConfig, PaginatorType, ResponseActionDict,
    )
    from dlt.sources.rest_api.utils import check_connection  # noqa: F401

    assert single_entity_path("posts/{id}") and not single_entity_path("posts/{id}/comments")
    assert join_url("http://x/api", "users") == "http://x/api/users"
    assert get_paginator_class("auto") is None
    assert get_paginator_class("page_number").__name__ == "PageNumberPaginator"
    assert len(PaginatorFactory().detectors) == 5
