"""Incremental windows on Python rows: boundaries, end_value, ranges, row_order, lag, missing
cursors, last_value_func and how a resource gets its incremental. Rows are checked in DuckDB and
the cursor state across runs."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

import pytest

import dlt
from core_helpers import rows_of
from dlt.extract.incremental import (
    Incremental,
    IncrementalCursorPathHasValueNone,
    IncrementalCursorPathMissing,
)
from dlt.pipeline.exceptions import PipelineStepFailed


def values(pipeline, table, column="n"):
    return sorted(r[column] for r in rows_of(pipeline, table))


def cursor_state(pipeline, resource, cursor):
    sources = pipeline.state["sources"]
    for source in sources.values():
        found = source.get("resources", {}).get(resource)
        if found is not None:
            return found["incremental"][cursor]
    raise AssertionError(f"no state for {resource}")


def test_initial_value_is_inclusive_and_start_and_last_value_follow_the_runs():
    seen = []

    @dlt.resource(primary_key="id")
    def events(rows, cursor=dlt.sources.incremental("ts", initial_value=20)):
        seen.append((cursor.start_value, cursor.last_value))
        yield rows
        seen.append((cursor.start_value, cursor.last_value))

    pipeline = dlt.pipeline(pipeline_name="inc_basics", destination="duckdb")
    data = [{"id": i, "ts": i * 10} for i in range(1, 6)]
    pipeline.run(events(data))
    assert values(pipeline, "events", "id") == [2, 3, 4, 5]
    assert seen == [(20, 20), (20, 50)]
    assert cursor_state(pipeline, "events", "ts")["last_value"] == 50
    pipeline.run(events(data + [{"id": 6, "ts": 60}, {"id": 7, "ts": 50}]))
    assert values(pipeline, "events", "id") == [2, 3, 4, 5, 6, 7]
    assert seen[2:] == [(50, 50), (50, 60)]


def test_rows_at_the_boundary_are_deduplicated_by_row_hash_without_a_primary_key():
    @dlt.resource
    def items(rows, cursor=dlt.sources.incremental("n")):
        yield rows

    pipeline = dlt.pipeline(pipeline_name="inc_row_hash", destination="duckdb")
    pipeline.run(items([{"n": 1, "v": "a"}, {"n": 2, "v": "b"}]))
    pipeline.run(items([{"n": 2, "v": "b"}, {"n": 2, "v": "c"}, {"n": 3, "v": "d"}]))
    assert sorted((r["n"], r["v"]) for r in rows_of(pipeline, "items")) == [
        (1, "a"), (2, "b"), (2, "c"), (3, "d")]


def test_an_empty_primary_key_switches_boundary_deduplication_off():
    @dlt.resource(primary_key="id")
    def items(rows, cursor=dlt.sources.incremental("n", primary_key=())):
        yield rows

    pipeline = dlt.pipeline(pipeline_name="inc_no_dedup", destination="duckdb")
    pipeline.run(items([{"id": 1, "n": 1}]))
    pipeline.run(items([{"id": 1, "n": 1}]))
    assert values(pipeline, "items", "id") == [1, 1]
    assert cursor_state(pipeline, "items", "n")["unique_hashes"] == []


def test_end_value_loads_a_half_open_window_and_keeps_no_state():
    starts = []

    @dlt.resource
    def bounded(cursor=dlt.sources.incremental("n", initial_value=3, end_value=7)):
        starts.append(cursor.start_value)
        yield [{"n": i} for i in range(10)]

    pipeline = dlt.pipeline(pipeline_name="inc_end", destination="duckdb")
    pipeline.run(bounded())
    pipeline.run(bounded())
    assert values(pipeline, "bounded") == [3, 3, 4, 4, 5, 5, 6, 6]
    assert starts == [3, 3]
    resources = pipeline.state.get("sources", {})
    assert not any("incremental" in r for s in resources.values() for r in s.get("resources", {}).values())


def test_range_end_closed_includes_the_end_value_and_range_start_open_excludes_the_start():
    @dlt.resource
    def window(cursor=dlt.sources.incremental("n", initial_value=3, end_value=6,
                                              range_start="open", range_end="closed")):
        yield [{"n": i} for i in range(10)]

    pipeline = dlt.pipeline(pipeline_name="inc_ranges", destination="duckdb")
    pipeline.run(window())
    assert values(pipeline, "window") == [4, 5, 6]


def test_ascending_rows_close_the_generator_after_the_page_past_end_value():
    pages = []

    @dlt.resource
    def ascending(cursor=dlt.sources.incremental("n", initial_value=0, end_value=5, row_order="asc")):
        for page in range(10):
            pages.append(page)
            yield [{"n": page * 2}, {"n": page * 2 + 1}]

    pipeline = dlt.pipeline(pipeline_name="inc_asc", destination="duckdb")
    pipeline.run(ascending())
    assert values(pipeline, "ascending") == [0, 1, 2, 3, 4]
    assert pages == [0, 1, 2]


def test_descending_rows_close_the_generator_once_below_the_start_value():
    pages = []

    @dlt.resource
    def descending(cursor=dlt.sources.incremental("n", initial_value=5, row_order="desc")):
        for page in range(10):
            pages.append(page)
            yield [{"n": 20 - page * 3 - j} for j in range(3)]

    pipeline = dlt.pipeline(pipeline_name="inc_desc", destination="duckdb")
    pipeline.run(descending())
    assert values(pipeline, "descending") == list(range(5, 21))
    assert pages == [0, 1, 2, 3, 4, 5]


def test_without_row_order_every_page_is_read():
    pages = []

    @dlt.resource
    def unordered(cursor=dlt.sources.incremental("n", initial_value=0, end_value=2)):
        for page in range(4):
            pages.append(page)
            yield [{"n": page}]

    dlt.pipeline(pipeline_name="inc_unordered", destination="duckdb").run(unordered())
    assert pages == [0, 1, 2, 3]


def test_numeric_lag_rereads_a_window_and_the_cursor_never_moves_back():
    @dlt.resource(primary_key="id", write_disposition="merge")
    def lagged(rows, cursor=dlt.sources.incremental("v", lag=10)):
        yield rows

    pipeline = dlt.pipeline(pipeline_name="inc_lag", destination="duckdb")
    pipeline.run(lagged([{"id": 1, "v": 10, "e": "a"}, {"id": 2, "v": 20, "e": "b"}]))
    pipeline.run(lagged([{"id": 1, "v": 10, "e": "a2"}, {"id": 2, "v": 15, "e": "b2"}]))
    assert sorted((r["id"], r["e"]) for r in rows_of(pipeline, "lagged")) == [(1, "a2"), (2, "b2")]
    assert cursor_state(pipeline, "lagged", "v")["last_value"] == 20


@pytest.mark.parametrize("lag, refreshed", [(3600, ["a2", "b2"]), (60, ["a", "b2"])])
def test_datetime_lag_is_in_seconds_on_iso_strings(lag, refreshed):
    @dlt.resource(primary_key="id", write_disposition="merge")
    def timed(rows, cursor=dlt.sources.incremental("at", lag=lag)):
        yield rows

    pipeline = dlt.pipeline(pipeline_name=f"inc_lag_dt_{lag}", destination="duckdb")
    pipeline.run(timed([{"id": 1, "at": "2024-01-01T01:00:00Z", "e": "a"},
                        {"id": 2, "at": "2024-01-01T02:00:00Z", "e": "b"}]))
    pipeline.run(timed([{"id": 1, "at": "2024-01-01T01:00:00Z", "e": "a2"},
                        {"id": 2, "at": "2024-01-01T02:00:00Z", "e": "b2"}]))
    assert [r["e"] for r in rows_of(pipeline, "timed", order_by="id")] == refreshed


def test_datetime_lag_on_datetime_values_does_not_cross_initial_value():
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    seen = []

    @dlt.resource
    def timed(rows, cursor=dlt.sources.incremental("at", initial_value=start, lag=7200)):
        seen.append(cursor.start_value)
        yield rows

    pipeline = dlt.pipeline(pipeline_name="inc_lag_initial", destination="duckdb")
    pipeline.run(timed([{"at": datetime(2024, 1, 1, 1, tzinfo=timezone.utc)}]))
    pipeline.run(timed([{"at": datetime(2024, 1, 1, 5, tzinfo=timezone.utc)}]))
    assert seen == [start, start]


@pytest.mark.parametrize("mode, expected", [("include", [1, 2, 3]), ("exclude", [1])])
def test_rows_without_a_cursor_value_are_included_or_excluded(mode, expected):
    @dlt.resource(name=f"missing_{mode}")
    def missing(cursor=dlt.sources.incremental("ts", on_cursor_value_missing=mode)):
        yield [{"id": 1, "ts": 1}, {"id": 2, "ts": None}, {"id": 3}]

    pipeline = dlt.pipeline(pipeline_name=f"inc_missing_{mode}", destination="duckdb")
    pipeline.run(missing())
    assert values(pipeline, f"missing_{mode}", "id") == expected


@pytest.mark.parametrize("row, error", [({"id": 2}, IncrementalCursorPathMissing),
                                        ({"id": 2, "ts": None}, IncrementalCursorPathHasValueNone)])
def test_a_missing_cursor_fails_extract_with_an_error_naming_resource_and_cursor(row, error):
    @dlt.resource
    def strict(cursor=dlt.sources.incremental("ts")):
        yield [{"id": 1, "ts": 1}, row]

    pipeline = dlt.pipeline(pipeline_name="inc_strict", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(strict())
    assert failed.value.step == "extract"
    cause = failed.value.__cause__
    assert isinstance(cause, error), repr(cause)
    assert "'strict'" in str(cause) and "'ts'" in str(cause)
    assert cause.pipe_name == "strict"


def test_last_value_func_min_tracks_a_decreasing_cursor():
    @dlt.resource
    def countdown(items, cursor=dlt.sources.incremental("ts", initial_value=45, last_value_func=min)):
        yield [{"ts": v} for v in items]

    pipeline = dlt.pipeline(pipeline_name="inc_min", destination="duckdb")
    pipeline.run(countdown([50, 45, 40, 30]))
    pipeline.run(countdown([35, 30, 20]))
    assert values(pipeline, "countdown", "ts") == [20, 30, 40, 45]
    assert cursor_state(pipeline, "countdown", "ts")["last_value"] == 20


def test_a_custom_last_value_func_decides_the_furthest_value():
    def longest(values):
        return max(values, key=len)

    @dlt.resource
    def words(items, cursor=dlt.sources.incremental("w", last_value_func=longest)):
        yield [{"w": w} for w in items]

    pipeline = dlt.pipeline(pipeline_name="inc_custom", destination="duckdb")
    pipeline.run(words(["a", "abc", "ab"]))
    pipeline.run(words(["ab", "abcd"]))
    assert values(pipeline, "words", "w") == ["a", "ab", "abc", "abcd"]
    assert cursor_state(pipeline, "words", "w")["last_value"] == "abcd"


def test_an_incremental_passed_at_call_time_is_merged_over_the_default():
    @dlt.resource
    def items(cursor=dlt.sources.incremental("n", initial_value=0)):
        yield [{"n": i} for i in range(6)]

    pipeline = dlt.pipeline(pipeline_name="inc_call", destination="duckdb")
    pipeline.run(items(cursor=dlt.sources.incremental(initial_value=4)))
    assert values(pipeline, "items") == [4, 5]


def test_apply_hints_incremental_wins_over_the_argument_default_and_is_injected():
    seen = []

    @dlt.resource
    def items(cursor=dlt.sources.incremental("n", initial_value=0)):
        seen.append(cursor.initial_value)
        yield [{"n": i} for i in range(6)]

    resource = items()
    resource.apply_hints(incremental=dlt.sources.incremental("n", initial_value=3))
    pipeline = dlt.pipeline(pipeline_name="inc_hint_wins", destination="duckdb")
    pipeline.run(resource)
    assert values(pipeline, "items") == [3, 4, 5]
    assert seen == [3]


def test_an_optional_incremental_argument_receives_the_applied_hint_or_none():
    seen = []

    @dlt.resource
    def items(cursor: Optional[Incremental[int]] = None):
        seen.append(cursor)
        yield [{"n": i} for i in range(4)]

    pipeline = dlt.pipeline(pipeline_name="inc_optional", destination="duckdb")
    pipeline.run(items())
    assert seen == [None]
    resource = items().apply_hints(incremental=dlt.sources.incremental("n", initial_value=2))
    pipeline.run(resource.apply_hints(table_name="hinted"))
    assert isinstance(seen[1], Incremental) and seen[1].last_value == 3
    assert values(pipeline, "hinted") == [2, 3]


def test_incremental_is_subscriptable_as_a_type_annotation():
    @dlt.resource
    def items(cursor: dlt.sources.incremental[int] = dlt.sources.incremental("n", initial_value=1)):
        assert cursor.get_incremental_value_type() is int
        yield [{"n": i} for i in range(3)]

    pipeline = dlt.pipeline(pipeline_name="inc_generic", destination="duckdb")
    pipeline.run(items())
    assert values(pipeline, "items") == [1, 2]


def test_bad_settings_are_refused_with_the_allowed_values():
    with pytest.raises(ValueError, match="on_cursor_value_missing='skip'.*raise, include, exclude"):
        dlt.sources.incremental("n", on_cursor_value_missing="skip")
    with pytest.raises(ValueError, match="range_start"):
        dlt.sources.incremental("n", range_start="half")
    with pytest.raises(ValueError, match="row_order"):
        dlt.sources.incremental("n", row_order="random")


def test_end_value_before_initial_value_fails_before_any_row_loads():
    @dlt.resource
    def backwards(cursor=dlt.sources.incremental("n", initial_value=5, end_value=1)):
        yield [{"n": 1}]

    pipeline = dlt.pipeline(pipeline_name="inc_backwards", destination="duckdb")
    with pytest.raises(PipelineStepFailed, match="end_value must be higher than initial_value"):
        pipeline.run(backwards())


def test_external_scheduler_interval_sets_the_window(monkeypatch):
    monkeypatch.setenv("DLT_INTERVAL_START", "2024-01-02T00:00:00+00:00")
    monkeypatch.setenv("DLT_INTERVAL_END", "2024-01-04T00:00:00+00:00")

    @dlt.resource
    def days(cursor=dlt.sources.incremental(
            "at", initial_value=datetime(2024, 1, 1, tzinfo=timezone.utc), allow_external_schedulers=True)):
        yield [{"at": datetime(2024, 1, d, tzinfo=timezone.utc)} for d in range(1, 6)]

    pipeline = dlt.pipeline(pipeline_name="inc_scheduler", destination="duckdb")
    pipeline.run(days())
    assert [r["at"].day for r in rows_of(pipeline, "days", order_by='"at"')] == [2, 3]


def test_a_transformer_incremental_keeps_its_start_for_every_parent_page():
    @dlt.resource
    def parent():
        yield [{"k": 2}]
        yield [{"k": 1}]

    @dlt.transformer(data_from=parent)
    def child(items, cursor=dlt.sources.incremental("n", initial_value=11)):
        for item in items:
            yield [{"n": item["k"] * 10 + j} for j in range(3)]

    pipeline = dlt.pipeline(pipeline_name="inc_transformer", destination="duckdb")
    pipeline.run(child)
    assert values(pipeline, "child") == [11, 12, 20, 21, 22]
    assert cursor_state(pipeline, "child", "n")["last_value"] == 22
    pipeline.run(child)
    assert values(pipeline, "child") == [11, 12, 20, 21, 22]


@pytest.mark.parametrize("value, lagged", [
    ("2024-01-01T01:00:00Z", "2024-01-01T00:00:00Z"),
    ("2024-01-01 01:00:00.123+02:00", "2024-01-01 00:00:00.123+02:00"),
    ("2024-01-01T01:00", "2024-01-01T00:00"),
    (datetime(2024, 1, 1, 1, tzinfo=timezone.utc), datetime(2024, 1, 1, tzinfo=timezone.utc)),
])
def test_datetime_lag_keeps_the_shape_of_the_cursor_value(value, lagged):
    from dlt.extract.incremental.lag import lag_value

    assert lag_value(3600, value, max) == lagged


def test_date_lag_is_in_days():
    from datetime import date

    from dlt.extract.incremental.lag import lag_value

    assert lag_value(2, "2024-01-03", max) == "2024-01-01"
    assert lag_value(2, date(2024, 1, 3), min) == date(2024, 1, 5)


def test_an_incremental_configured_as_a_config_value_is_built_from_its_settings():
    import os

    from dlt.configuration.resolve import reset_resolver

    os.makedirs(".dlt", exist_ok=True)
    with open(os.path.join(".dlt", "config.toml"), "w", encoding="utf-8") as f:
        f.write('[sources.since]\ncursor_path = "seq"\ninitial_value = 10\n')
    reset_resolver()

    @dlt.resource(table_name="records")
    def records(since: dlt.sources.incremental = dlt.config.value):
        yield [{"seq": i} for i in range(15)]

    pipeline = dlt.pipeline(pipeline_name="inc_config", destination="duckdb")
    pipeline.run(records)
    assert values(pipeline, "records", "seq") == list(range(10, 15))
