"""Source and incremental object API that scripts written for dlt 1.31 read: source
decomposition and parallelization, `DltSource.from_data`, `resource.limit`, the
`IncrementalResourceWrapper` of `resource.incremental`, `Incremental.EMPTY`,
`from_existing_state` and transformers ignoring `add_limit`."""

from __future__ import annotations

import pytest

import dlt
from core_helpers import rows_of
from dlt.extract.incremental import Incremental, IncrementalResourceWrapper
from dlt.extract.items_transform import LimitItem
from dlt.extract.source import DltSource
from dlt.schema import Schema


def _source_with_two_groups():
    @dlt.source(name="groups")
    def groups():
        @dlt.resource
        def a():
            yield [1, 2]

        @dlt.transformer(data_from=a)
        def a_times_ten(items):
            yield [item * 10 for item in items]

        @dlt.resource
        def b():
            yield [3]

        @dlt.resource(selected=False)
        def c():
            yield [4]

        return a, a_times_ten, b, c

    return groups()


def test_decompose_scc_gives_one_source_per_connected_group_of_selected_resources():
    parts = _source_with_two_groups().decompose("scc")

    assert [sorted(part.selected_resources) for part in parts] == [["a", "a_times_ten"], ["b"]]
    assert all(sorted(part.resources) == ["a", "a_times_ten", "b", "c"] for part in parts)


def test_decompose_none_returns_the_source_itself_and_unknown_strategy_raises():
    source = _source_with_two_groups()

    assert source.decompose("none") == [source]
    with pytest.raises(ValueError):
        source.decompose("bad")


def test_extracted_lists_selected_resources_with_their_parents():
    source = _source_with_two_groups()

    assert [r.name for r in source.resources.extracted] == ["a", "a_times_ten", "a", "b"]
    assert source.resources.selected_dag == [("a", "a"), ("a", "a_times_ten"), ("b", "b")]


def test_parallelize_marks_generator_resources_and_the_source_still_loads():
    source = _source_with_two_groups()

    assert source.parallelize() is source
    assert source.resources["a"].parallelized and source.resources["b"].parallelized
    pipeline = dlt.pipeline(pipeline_name="parallel_src", destination="duckdb")
    pipeline.run(source)
    assert sorted(r["value"] for r in rows_of(pipeline, "a_times_ten")) == [10, 20]


def test_from_data_makes_a_source_named_after_the_schema_from_a_list_of_resources():
    resource = dlt.resource([{"x": 1}], name="r1")

    source = DltSource.from_data(Schema("myschema"), "mysection", [resource])

    assert (source.name, source.section, list(source.resources)) == ("myschema", "mysection", ["r1"])
    assert DltSource.from_data(Schema("other"), "s", source) is source
    pipeline = dlt.pipeline(pipeline_name="from_data", destination="duckdb")
    pipeline.run(source)
    assert pipeline.default_schema_name == "myschema"
    assert rows_of(pipeline, "r1")[0]["x"] == 1


def test_resource_limit_is_none_until_add_limit_then_a_limit_item():
    resource = dlt.resource(range(10), name="numbers")
    assert resource.limit is None

    resource.add_limit(3)
    limit = resource.limit

    assert isinstance(limit, LimitItem)
    assert (limit.max_items, limit.max_time, limit.count_rows) == (3, None, False)
    assert limit.limit(10) == 30
    assert list(resource) == [0, 1, 2]


def test_time_only_limit_shows_max_items_minus_one():
    resource = dlt.resource(range(3), name="numbers").add_limit(max_time=1.5)

    assert (resource.limit.max_items, resource.limit.max_time) == (-1, 1.5)
    assert resource.limit.limit(10) is None


def test_add_limit_on_a_transformer_has_no_effect():
    @dlt.resource
    def parents():
        yield from ({"i": i} for i in range(5))

    @dlt.transformer(data_from=parents)
    def children(item):
        for k in range(3):
            yield {"i": item["i"], "k": k}

    children.add_limit(1)
    parents.add_limit(2)

    assert children.limit is None
    assert len(list(children)) == 6


def test_resource_with_incremental_argument_has_a_wrapper_bound_by_a_run():
    @dlt.resource(primary_key="id")
    def events(since=dlt.sources.incremental("ts", initial_value=0)):
        yield [{"id": 1, "ts": 1}, {"id": 2, "ts": 5}]

    wrapper = events.incremental
    assert isinstance(wrapper, IncrementalResourceWrapper)
    assert (wrapper.incremental, wrapper.primary_key) == (None, "id")

    dlt.pipeline(pipeline_name="wrapper_run", destination="duckdb").run(events)

    bound = events.incremental.incremental
    assert (bound.cursor_path, bound.last_value, bound.primary_key) == ("ts", 5, "id")
    assert events().incremental.incremental is None  # a called resource starts unbound


def test_allow_external_schedulers_set_on_the_wrapper_applies_to_the_run(monkeypatch):
    monkeypatch.setenv("DLT_INTERVAL_START", "2024-01-03T00:00:00+00:00")
    monkeypatch.setenv("DLT_INTERVAL_END", "2024-01-05T00:00:00+00:00")
    from datetime import datetime, timezone

    days = [datetime(2024, 1, d, tzinfo=timezone.utc) for d in range(1, 8)]

    @dlt.resource
    def days_resource(since=dlt.sources.incremental(
            "ts", initial_value=datetime(2024, 1, 1, tzinfo=timezone.utc))):
        yield [{"ts": d} for d in days]

    days_resource.incremental.allow_external_schedulers = True
    pipeline = dlt.pipeline(pipeline_name="wrapper_sched", destination="duckdb")
    pipeline.run(days_resource)

    assert sorted(r["ts"].day for r in rows_of(pipeline, "days_resource")) == [3, 4]


def test_incremental_empty_exists_and_is_refused_as_an_argument():
    @dlt.resource
    def events(since=dlt.sources.incremental("ts", initial_value=0)):
        yield {"ts": 1}

    assert Incremental.EMPTY.cursor_path is None
    assert dlt.sources.incremental.EMPTY is Incremental.EMPTY
    with pytest.raises(Exception, match="EMPTY"):
        list(events(since=Incremental.EMPTY))


def test_from_existing_state_starts_at_the_initial_value_and_reads_the_last_value():
    @dlt.resource
    def events(since=dlt.sources.incremental("ts", initial_value=0)):
        yield [{"ts": 1}, {"ts": 7}]

    seen = []

    @dlt.resource
    def reader():
        existing = Incremental.from_existing_state("events", "ts")
        seen.append((existing.last_value, existing.start_value, existing.initial_value))
        yield {"x": 1}

    pipeline = dlt.pipeline(pipeline_name="existing_state", destination="duckdb")
    pipeline.run(events)
    pipeline.run(reader)

    assert seen == [(7, 0, 0)]


def test_incremental_repr_lists_settings_in_dlt_order():
    incremental = dlt.sources.incremental("ts", initial_value=5, end_value=10, primary_key="id",
                                          row_order="asc", range_end="closed")

    assert repr(incremental) == (
        "<dlt.sources.incremental(cursor_path='ts', initial_value=5, end_value=10,"
        " last_value_func='max', primary_key='id', range_end='closed')>")


def test_iterating_an_incremental_resource_without_a_pipeline_gives_the_same_rows_each_time():
    @dlt.resource
    def events(since=dlt.sources.incremental("ts", initial_value=2)):
        yield [{"ts": 1}, {"ts": 2}, {"ts": 3}]

    assert list(events) == [{"ts": 2}, {"ts": 3}]
    assert list(events) == [{"ts": 2}, {"ts": 3}]


def test_iterating_a_resource_with_an_incremental_hint_works_without_a_pipeline():
    @dlt.resource
    def events():
        yield [{"ts": 1}, {"ts": 2}, {"ts": 3}]

    events.apply_hints(incremental=dlt.sources.incremental("ts", initial_value=2))

    assert list(events) == [{"ts": 2}, {"ts": 3}]
    assert list(dlt.source(lambda: events, name="hinted")()) == [{"ts": 2}, {"ts": 3}]


def test_an_incremental_without_cursor_path_is_partial():
    assert dlt.sources.incremental(initial_value=1).is_partial()
    assert not dlt.sources.incremental("ts").is_partial()


def test_an_incremental_given_as_a_hint_reads_its_last_run_after_the_run(tmp_path):
    pipeline = dlt.pipeline("hinted_incremental", pipelines_dir=str(tmp_path), dataset_name="hinted",
                            destination=dlt.destinations.duckdb(str(tmp_path / "h.duckdb")))
    cursor = dlt.sources.incremental("id", initial_value=0)
    pipeline.run(dlt.resource([{"id": 1}, {"id": 5}], name="rows").apply_hints(incremental=cursor))
    assert (cursor.last_value, cursor.start_value) == (5, 0)
    pipeline.run(dlt.resource([{"id": 7}, {"id": 3}], name="rows").apply_hints(incremental=cursor))
    assert (cursor.last_value, cursor.start_value) == (7, 5)
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT id FROM rows ORDER BY id") == [(1,), (5,), (7,)]
