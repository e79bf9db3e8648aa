"""Incremental filtering of Arrow tables and pandas frames (vectorised), and the opt-in dlt
columns (`_dlt_load_id`, `_dlt_id`) of tabular data."""

from __future__ import annotations

from datetime import datetime, timezone

import pyarrow as pa
import pytest

import dlt
from core_helpers import rows_of
from dlt.extract.incremental import IncrementalCursorPathHasValueNone, IncrementalCursorPathMissing
from dlt.pipeline.exceptions import PipelineStepFailed

pd = pytest.importorskip("pandas")


def ids(pipeline, table):
    return sorted(r["id"] for r in rows_of(pipeline, table))


def test_arrow_rows_at_the_boundary_are_deduplicated_by_primary_key():
    seen = []

    @dlt.resource(primary_key="id")
    def table_rows(table, cursor=dlt.sources.incremental("n", initial_value=2)):
        yield table
        seen.append((cursor.start_value, cursor.last_value))

    pipeline = dlt.pipeline(pipeline_name="arrow_inc", destination="duckdb")
    pipeline.run(table_rows(pa.table({"id": [1, 2, 3, 4], "n": [1, 2, 3, 4]})))
    assert ids(pipeline, "table_rows") == [2, 3, 4]
    pipeline.run(table_rows(pa.table({"id": [4, 5, 6], "n": [4, 4, 5]})))
    assert ids(pipeline, "table_rows") == [2, 3, 4, 5, 6]
    assert seen == [(2, 4), (4, 5)]
    assert list(pipeline.default_schema.tables["table_rows"]["columns"]) == ["id", "n"]


def test_arrow_rows_without_a_key_are_deduplicated_by_row_hash():
    @dlt.resource
    def table_rows(table, cursor=dlt.sources.incremental("n")):
        yield table

    pipeline = dlt.pipeline(pipeline_name="arrow_row_hash", destination="duckdb")
    pipeline.run(table_rows(pa.table({"n": [1, 2], "v": ["a", "b"]})))
    pipeline.run(table_rows(pa.table({"n": [2, 2, 3], "v": ["b", "c", "d"]})))
    assert sorted((r["n"], r["v"]) for r in rows_of(pipeline, "table_rows")) == [
        (1, "a"), (2, "b"), (2, "c"), (3, "d")]


def test_record_batches_and_end_value_windows_are_filtered_as_columns():
    @dlt.resource
    def batches(cursor=dlt.sources.incremental("n", initial_value=3, end_value=8)):
        for start in (0, 5):
            yield pa.RecordBatch.from_pydict({"id": list(range(start, start + 5)), "n": list(range(start, start + 5))})

    pipeline = dlt.pipeline(pipeline_name="arrow_batches", destination="duckdb")
    pipeline.run(batches())
    assert ids(pipeline, "batches") == [3, 4, 5, 6, 7]


def test_pandas_frames_with_a_datetime_cursor_keep_their_type_and_state():
    seen = []
    day = lambda *d: pd.to_datetime([f"2024-01-{x:02d}" for x in d], utc=True)  # noqa: E731

    @dlt.resource(primary_key="id")
    def frames(frame, cursor=dlt.sources.incremental("at", initial_value=pd.Timestamp("2024-01-02", tz="UTC"))):
        seen.append(cursor.start_value)
        yield frame
        seen.append(cursor.last_value)

    pipeline = dlt.pipeline(pipeline_name="pandas_inc", destination="duckdb")
    pipeline.run(frames(pd.DataFrame({"id": [1, 2, 3], "at": day(1, 2, 3)})))
    pipeline.run(frames(pd.DataFrame({"id": [3, 4], "at": day(3, 4)})))
    assert ids(pipeline, "frames") == [2, 3, 4]
    assert seen[1] == datetime(2024, 1, 3, tzinfo=timezone.utc)
    assert seen[2] == datetime(2024, 1, 3, tzinfo=timezone.utc)
    assert pipeline.default_schema.tables["frames"]["columns"]["at"]["data_type"] == "timestamp"


def test_row_order_closes_a_generator_of_arrow_tables():
    pages = []

    @dlt.resource
    def ordered(cursor=dlt.sources.incremental("n", initial_value=0, end_value=4, row_order="asc")):
        for page in range(5):
            pages.append(page)
            yield pa.table({"n": [page * 2, page * 2 + 1]})

    dlt.pipeline(pipeline_name="arrow_order", destination="duckdb").run(ordered())
    assert pages == [0, 1, 2]


def test_null_cursors_in_arrow_data_follow_on_cursor_value_missing():
    table = pa.table({"id": [1, 2, 3], "n": pa.array([1, None, 3], pa.int64())})

    def resource(mode):
        @dlt.resource(name=f"nulls_{mode}")
        def nulls(cursor=dlt.sources.incremental("n", on_cursor_value_missing=mode)):
            yield table

        return nulls()

    pipeline = dlt.pipeline(pipeline_name="arrow_nulls", destination="duckdb")
    pipeline.run([resource("include"), resource("exclude")])
    assert ids(pipeline, "nulls_include") == [1, 2, 3]
    assert ids(pipeline, "nulls_exclude") == [1, 3]
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(resource("raise"))
    assert isinstance(failed.value.__cause__, IncrementalCursorPathHasValueNone)


def test_a_missing_cursor_column_names_the_columns_there_are():
    @dlt.resource
    def no_cursor(cursor=dlt.sources.incremental("ts")):
        yield pa.table({"id": [1]})

    pipeline = dlt.pipeline(pipeline_name="arrow_no_cursor", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(no_cursor())
    cause = failed.value.__cause__
    assert isinstance(cause, IncrementalCursorPathMissing)
    assert "'ts'" in str(cause) and "columns: id" in str(cause)


def test_filtering_a_big_arrow_table_hashes_only_boundary_rows(monkeypatch):
    import dlt.extract.incremental.window as window

    n = 200_000
    big = pa.table({"id": pa.array(range(n), pa.int64()), "n": pa.array(range(n), pa.int64())})
    hashed = []
    original = window.row_hash
    monkeypatch.setattr(window, "row_hash",
                        lambda value, *fmt: hashed.append(value) or original(value, *fmt))
    monkeypatch.setattr(window.CursorWindow, "keep_row", lambda *a: pytest.fail("a row went one by one"))

    @dlt.resource(primary_key="id")
    def big_rows(table, cursor=dlt.sources.incremental("n", initial_value=n // 2)):
        yield table

    pipeline = dlt.pipeline(pipeline_name="arrow_big_inc", destination="duckdb")
    pipeline.run(big_rows(big))
    assert hashed == [n - 1], "only the row at the new last value is hashed (its key's value)"
    pipeline.run(big_rows(big.slice(n - 10)))
    with pipeline.sql_client() as client:
        name = client.make_qualified_table_name("big_rows")
        assert client.execute_sql(f"SELECT count(*), min(n) FROM {name}") == [(n // 2, n // 2)]


def test_tabular_data_gets_no_dlt_columns_by_default():
    pipeline = dlt.pipeline(pipeline_name="arrow_plain", destination="duckdb")
    pipeline.run(pa.table({"id": [1, 2]}), table_name="plain")
    pipeline.run(pd.DataFrame({"id": [3]}), table_name="plain_frame")
    assert list(pipeline.default_schema.tables["plain"]["columns"]) == ["id"]
    assert list(pipeline.default_schema.tables["plain_frame"]["columns"]) == ["id"]


def test_parquet_normalizer_options_add_load_id_and_unique_row_ids(monkeypatch):
    monkeypatch.setenv("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
    pipeline = dlt.pipeline(pipeline_name="arrow_lineage", destination="duckdb")
    info = pipeline.run(pa.table({"id": [1, 2]}), table_name="only_load_id")
    assert list(pipeline.default_schema.tables["only_load_id"]["columns"]) == ["id", "_dlt_load_id"]
    assert {r["_dlt_load_id"] for r in rows_of(pipeline, "only_load_id")} == {info.loads_ids[0]}

    monkeypatch.setenv("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID", "true")
    pipeline.run(pd.DataFrame({"id": [1, 2, 3]}), table_name="with_ids")
    pipeline.run(pa.table({"id": [4, 5]}), table_name="with_ids")
    columns = pipeline.default_schema.tables["with_ids"]["columns"]
    assert list(columns) == ["id", "_dlt_load_id", "_dlt_id"]
    assert columns["_dlt_id"]["nullable"] is False and columns["_dlt_id"]["unique"] is True
    rows = rows_of(pipeline, "with_ids")
    assert len({r["_dlt_id"] for r in rows}) == 5 and all(r["_dlt_id"] for r in rows)
