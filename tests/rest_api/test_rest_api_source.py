"""`rest_api_source` end to end: a real local server, a duckdb pipeline, rows in tables."""

from __future__ import annotations

import pytest

USERS = [{"id": i, "name": f"u{i}"} for i in range(1, 6)]


def rows(pipeline, sql):
    with pipeline.sql_client() as client:
        return client.execute_sql(sql)


def test_the_import_paths_of_dlt_1_31_resolve_to_the_plugin():
    import dlt.sources.helpers.rest_client.paginators as paginators
    from dlt.sources.rest_api import rest_api_source

    import dlt_source_rest_api.rest_client.paginators as ours
    from dlt_source_rest_api.rest_api import rest_api_source as our_source

    assert paginators is ours and rest_api_source is our_source


def test_dependent_resources_make_one_request_per_parent_record(api, pipeline):
    from dlt.sources.rest_api import rest_api_source

    api.route(r"/users")(lambda seen: {"data": USERS})
    api.route(r"/users/(?P<uid>\d+)/posts")(lambda seen, uid: {"data": [{"pid": int(uid) * 10}]})
    source = rest_api_source({
        "client": {"base_url": api.base_url, "paginator": "single_page"},
        "resources": [
            {"name": "users", "endpoint": {"path": "users", "data_selector": "data"}},
            {"name": "posts", "endpoint": {"path": "users/{resources.users.id}/posts", "data_selector": "data"},
             "include_from_parent": ["name"]},
        ],
    })
    pipeline.run(source)
    assert rows(pipeline, "SELECT pid, _users_name FROM posts ORDER BY pid") == [
        (10, "u1"), (20, "u2"), (30, "u3"), (40, "u4"), (50, "u5")]


def test_incremental_start_value_reaches_the_query_on_the_next_run(api, pipeline):
    from dlt.sources.rest_api import rest_api_source

    api.route(r"/events")(lambda seen: {"data": [u for u in USERS if u["id"] >= int(seen.query["since"])]})

    def source():
        return rest_api_source({
            "client": {"base_url": api.base_url, "paginator": {"type": "single_page"}},
            "resources": [{
                "name": "events", "primary_key": "id", "write_disposition": "merge",
                "endpoint": {"path": "events", "data_selector": "data",
                             "params": {"since": "{incremental.start_value}"},
                             "incremental": {"cursor_path": "id", "initial_value": 2}},
            }],
        })

    pipeline.run(source())
    pipeline.run(source())
    assert [s.query["since"] for s in api.calls("/events")] == ["2", "5"]
    assert rows(pipeline, "SELECT count(*) FROM events") == [(4,)]


def test_response_actions_ignore_a_status_and_a_404_without_one_fails_extract(api, pipeline):
    from dlt.pipeline.exceptions import PipelineStepFailed
    from dlt.sources.rest_api import rest_api_source

    api.route(r"/gone")(lambda seen: (404, {"error": "gone"}))

    def source(actions):
        endpoint = {"path": "gone", "paginator": "single_page"}
        if actions:
            endpoint["response_actions"] = actions
        return rest_api_source({"client": {"base_url": api.base_url}, "resources": [{"name": "gone", "endpoint": endpoint}]})

    pipeline.run(source([{"status_code": 404, "action": "ignore"}]))
    assert "gone" not in pipeline.default_schema.tables
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(source(None))
    assert failed.value.step == "extract" and "404" in str(failed.value)


def test_processing_steps_run_in_order(api, pipeline):
    from dlt.sources.rest_api import rest_api_source

    api.route(r"/users")(lambda seen: {"data": USERS})
    pipeline.run(rest_api_source({
        "client": {"base_url": api.base_url, "paginator": "single_page"},
        "resources": [{"name": "users", "endpoint": {"path": "users", "data_selector": "data"},
                       "processing_steps": [{"filter": lambda r: r["id"] > 2},
                                            {"map": lambda r: {**r, "name": r["name"].upper()}}]}],
    }))
    assert rows(pipeline, "SELECT id, name FROM users ORDER BY id") == [(3, "U3"), (4, "U4"), (5, "U5")]


@pytest.mark.parametrize(
    "config, message",
    [
        ({"client": {}, "resources": ["x"]}, "client.base_url"),
        ({"client": {"base_url": "http://h"}, "resources": [{"name": "x", "auth": {}}]}, "inside its `endpoint`"),
        ({"client": {"base_url": "http://h"}, "resources": [{"name": "x", "endpoint": {"paginator": {"type": "nope"}}}]},
         "resources[0].endpoint.paginator.type"),
        ({"client": {"base_url": "http://h"}, "resources": [{"name": "x", "endpoint": "a/{resources.y.id}"}]},
         "'y', which the config does not define"),
    ],
)
def test_an_invalid_config_names_the_key_path(config, message):
    from dlt.sources.rest_api import RestApiConfigError, rest_api_resources

    from dlt.common.exceptions import DictValidationException

    with pytest.raises(RestApiConfigError) as invalid:
        rest_api_resources(config)
    assert message in str(invalid.value)
    # what dlt 1.31 scripts catch: ValueError, or DictValidationException for a bad type name
    assert isinstance(invalid.value, ValueError) and isinstance(invalid.value, DictValidationException)


def test_import_dlt_does_not_import_the_plugin_modules():
    import subprocess
    import sys

    code = ("import sys, dlt; dlt.pipeline('p', destination='duckdb');"
            " print(sorted(m for m in sys.modules if m.startswith('dlt_source_rest_api.') or m == 'requests'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "requests" not in out and "rest_client" not in out and "dlt_source_rest_api.rest_api" not in out
