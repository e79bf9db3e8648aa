"""refresh= on dlt.pipeline() and run(): drop_sources, drop_resources, drop_data."""

from __future__ import annotations

import pytest

import dlt
from dlt.pipeline.exceptions import PipelineException


def q(pipeline, sql):
    with pipeline.sql_client() as client:
        return client.execute_sql(sql.replace("{ds}", client.qualified_dataset_name()))


def table_names(pipeline):
    with pipeline.sql_client() as client:
        return sorted(r[0] for r in client.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            pipeline.dataset_name) if not r[0].startswith("_dlt"))


@dlt.source
def shop(with_legacy=True):
    @dlt.resource
    def orders(cursor=dlt.sources.incremental("n", initial_value=0)):
        yield [{"n": i} for i in range(1, 4)]

    @dlt.resource
    def products():
        dlt.current.source_state()["runs"] = dlt.current.source_state().get("runs", 0) + 1
        yield {"p": 1, "tags": ["a"]}

    resources = [orders, products]
    if with_legacy:
        resources.append(dlt.resource([{"x": 1}], name="legacy"))
    return resources


def new_pipeline(**kwargs):
    pipeline = dlt.pipeline(pipeline_name="refresh", destination="duckdb", dataset_name="refresh_data", **kwargs)
    pipeline.run(shop())
    return pipeline


def test_drop_sources_drops_every_table_of_the_source_and_wipes_its_state():
    pipeline = new_pipeline()
    pipeline.run(shop(with_legacy=False), refresh="drop_sources")
    assert table_names(pipeline) == ["orders", "products", "products__tags"]
    assert "legacy" not in pipeline.default_schema.tables
    assert q(pipeline, "SELECT count(*) FROM {ds}.orders") == [(3,)]
    assert pipeline.state["sources"]["shop"].get("runs") == 1


def test_drop_resources_drops_only_the_selected_tables_and_resource_state():
    pipeline = new_pipeline()
    pipeline.run(shop().with_resources("products"), refresh="drop_resources")
    assert q(pipeline, "SELECT count(*) FROM {ds}.products") == [(1,)]
    assert q(pipeline, "SELECT count(*) FROM {ds}.products__tags") == [(1,)]
    assert table_names(pipeline) == ["legacy", "orders", "products", "products__tags"]
    assert pipeline.state["sources"]["shop"]["runs"] == 2
    assert "incremental" in pipeline.state["sources"]["shop"]["resources"]["orders"]


def test_drop_data_truncates_the_selected_tables_and_resets_the_cursor():
    pipeline = new_pipeline()
    pipeline.run(shop().with_resources("orders"))
    assert q(pipeline, "SELECT count(*) FROM {ds}.orders") == [(3,)]  # the cursor filtered all
    pipeline.run(shop().with_resources("orders"), refresh="drop_data")
    assert q(pipeline, "SELECT count(*) FROM {ds}.orders") == [(3,)]
    assert "legacy" in pipeline.default_schema.tables
    assert q(pipeline, "SELECT count(*) FROM {ds}.legacy") == [(1,)]


def test_refresh_on_the_pipeline_applies_to_every_run():
    pipeline = new_pipeline(refresh="drop_data")
    pipeline.run(shop())
    assert q(pipeline, "SELECT count(*) FROM {ds}.orders") == [(3,)]
    assert q(pipeline, "SELECT count(*) FROM {ds}.legacy") == [(1,)]


def test_an_unknown_refresh_mode_is_refused():
    pipeline = dlt.pipeline(pipeline_name="refresh", destination="duckdb", dataset_name="refresh_data")
    with pytest.raises(PipelineException, match="drop_sources, drop_resources, drop_data"):
        pipeline.run(shop(), refresh="drop_everything")


@pytest.mark.parametrize(("mode", "dropped", "truncated"), [
    ("drop_resources", ["t"], []), ("drop_data", [], ["t"]), ("drop_sources", ["t"], [])])
def test_load_package_info_names_the_refresh_mode_and_its_tables(mode, dropped, truncated):
    pipeline = dlt.pipeline(pipeline_name="refresh_info", destination="duckdb", dataset_name="info")
    first = pipeline.run([{"a": 1}], table_name="t").load_packages[0].asdict()
    assert (first["refresh"], first["dropped_tables"], first["truncated_tables"]) == (None, [], [])
    package = pipeline.run([{"a": 2}], table_name="t", refresh=mode).load_packages[0]
    assert (package.refresh, package.dropped_tables, package.truncated_tables) == (mode, dropped, truncated)
    as_dict = package.asdict()
    assert (as_dict["refresh"], as_dict["dropped_tables"], as_dict["truncated_tables"]) == (
        mode, dropped, truncated)
    assert as_dict["has_pending_transitions"] is False
    assert q(pipeline, "SELECT a FROM t") == [(2,)]
