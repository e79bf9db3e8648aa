"""Sources, resources and transformers behave as in dlt."""

from __future__ import annotations

import pytest

import dlt
from dlt.extract import ResourceError
from core_helpers import rows_of


def test_resource_from_generator_function_binds_arguments_when_called():
    @dlt.resource
    def numbers(count):
        yield from ({"n": i} for i in range(count))

    assert list(numbers(3)) == [{"n": 0}, {"n": 1}, {"n": 2}]
    with pytest.raises(ResourceError, match="needs arguments"):
        list(numbers)


def test_resource_from_plain_list_needs_a_name():
    with pytest.raises(ResourceError, match="name"):
        dlt.resource([1, 2, 3])
    assert list(dlt.resource([{"a": 1}], name="items")) == [{"a": 1}]


def test_pages_are_flattened_when_iterating():
    @dlt.resource
    def pages():
        yield [{"i": 1}, {"i": 2}]
        yield {"i": 3}

    assert [r["i"] for r in pages()] == [1, 2, 3]


def test_map_filter_and_limit_apply_in_order():
    @dlt.resource
    def numbers():
        for i in range(100):
            yield {"n": i}

    resource = numbers().add_filter(lambda r: r["n"] % 2 == 0).add_map(lambda r: {"n": r["n"] * 10}).add_limit(5)
    # as in dlt 1.31, the limit runs after the filter and map, so it counts what passed them
    assert [r["n"] for r in resource] == [0, 20, 40, 60, 80]


def test_transformer_receives_each_item_of_its_parent():
    @dlt.resource
    def users():
        yield [{"id": 1}, {"id": 2}]

    @dlt.transformer
    def details(page):
        for user in page:
            yield {"id": user["id"], "detail": f"user {user['id']}"}

    assert list(users() | details) == [{"id": 1, "detail": "user 1"}, {"id": 2, "detail": "user 2"}]


def test_transformer_with_data_from_and_chained_transformers():
    @dlt.resource
    def base():
        yield from [1, 2]

    @dlt.transformer(data_from=base)
    def doubled(item):
        yield item * 2

    @dlt.transformer
    def tripled(item):
        yield item * 3

    assert list(doubled) == [2, 4]
    assert list(base | doubled | tripled) == [6, 12]


def test_source_selection_returns_a_copy_with_only_the_named_resources():
    @dlt.source
    def shop():
        @dlt.resource
        def orders():
            yield {"id": 1}

        @dlt.resource
        def customers():
            yield {"id": 2}

        return orders, customers

    source = shop()
    assert list(source.resources) == ["orders", "customers"]
    only_orders = source.with_resources("orders")
    assert list(only_orders.selected_resources) == ["orders"]
    assert list(source.selected_resources) == ["orders", "customers"]
    assert list(shop().select("customers")) == [{"id": 2}]
    with pytest.raises(ResourceError, match="Unknown resources: nope"):
        source.with_resources("nope")


def test_table_name_may_be_a_function_of_the_item():
    pipeline = dlt.pipeline(pipeline_name="dynamic", destination="duckdb")
    events = [{"type": "click", "x": 1}, {"type": "view", "x": 2}, {"type": "click", "x": 3}]
    pipeline.run(dlt.resource(events, name="events", table_name=lambda e: e["type"]))
    assert sorted(r["x"] for r in rows_of(pipeline, "click")) == [1, 3]
    assert [r["x"] for r in rows_of(pipeline, "view")] == [2]


def test_apply_hints_changes_table_and_disposition():
    pipeline = dlt.pipeline(pipeline_name="hints", destination="duckdb")
    resource = dlt.resource([{"id": 1}], name="raw")
    resource.apply_hints(table_name="renamed", write_disposition="replace")
    pipeline.run(resource)
    pipeline.run(resource)
    assert rows_of(pipeline, "renamed")[0]["id"] == 1 and len(rows_of(pipeline, "renamed")) == 1


def test_deselected_parent_still_feeds_its_transformer():
    @dlt.source
    def api():
        @dlt.resource(selected=False)
        def ids():
            yield from [{"id": 1}, {"id": 2}]

        @dlt.transformer(data_from=ids)
        def items(item):
            yield {"id": item["id"], "name": f"n{item['id']}"}

        return ids, items

    pipeline = dlt.pipeline(pipeline_name="deselected", destination="duckdb")
    info = pipeline.run(api())
    assert info.row_counts == {"items": 2}


def test_source_function_run_shortcut_runs_on_the_last_pipeline():
    @dlt.source
    def taktile_data(n):
        @dlt.resource
        def logs():
            yield from ({"i": i} for i in range(n))

        @dlt.resource
        def other():
            yield {"x": 1}

        return logs, other

    pipeline = dlt.pipeline(pipeline_name="shortcut", destination="duckdb")
    info = taktile_data.run(source=taktile_data(3).select("logs"), destination="duckdb")
    assert info.pipeline_name == "shortcut"
    assert info.row_counts == {"logs": 3}
    info = taktile_data(2).with_resources("other").run(destination="duckdb")
    assert info.row_counts == {"other": 1}
    assert len(rows_of(pipeline, "logs")) == 3


def test_async_generators_are_awaited():
    @dlt.resource
    async def slow():
        for i in range(3):
            yield {"i": i}

    assert [r["i"] for r in slow()] == [0, 1, 2]
