"""Replace strategies on DuckDB, chosen with destination.replace_strategy."""

from __future__ import annotations

import pytest

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed


def q(pipeline, sql, *args):
    with pipeline.sql_client() as client:
        return client.execute_sql(sql.replace("{ds}", client.qualified_dataset_name()), *args)


def staged_tables(pipeline):
    with pipeline.sql_client() as client:
        return sorted(r[0] for r in client.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            f"{pipeline.dataset_name}_staging"))


@dlt.resource(write_disposition="replace")
def items(rows):
    yield rows


def run_three_times(pipeline):
    pipeline.run(items([{"id": 1, "kids": [1, 2]}, {"id": 2, "kids": [3]}]))
    pipeline.run(items([{"id": 3, "kids": []}]))
    assert q(pipeline, "SELECT id FROM {ds}.items") == [(3,)]
    assert q(pipeline, "SELECT count(*) FROM {ds}.items__kids") == [(0,)]
    pipeline.run(items([{"id": 4, "kids": [9]}]))
    assert q(pipeline, "SELECT id FROM {ds}.items") == [(4,)]
    assert q(pipeline, "SELECT value FROM {ds}.items__kids") == [(9,)]


def test_truncate_and_insert_is_the_default_and_stages_nothing():
    pipeline = dlt.pipeline(pipeline_name="rep", destination="duckdb", dataset_name="rep_data")
    run_three_times(pipeline)
    assert staged_tables(pipeline) == []


@pytest.mark.parametrize("strategy", ["insert-from-staging", "staging-optimized"])
def test_staging_strategies_pass_the_new_data_through_the_staging_dataset(monkeypatch, strategy):
    monkeypatch.setenv("DESTINATION__REPLACE_STRATEGY", strategy)
    pipeline = dlt.pipeline(pipeline_name="rep", destination="duckdb", dataset_name="rep_data")
    run_three_times(pipeline)
    assert staged_tables(pipeline) == ["items", "items__kids"]
    assert q(pipeline, "SELECT id FROM rep_data_staging.items") == [(4,)]


def test_per_destination_replace_strategy_key_wins(monkeypatch):
    monkeypatch.setenv("DESTINATION__REPLACE_STRATEGY", "truncate-and-insert")
    monkeypatch.setenv("DESTINATION__DUCKDB__REPLACE_STRATEGY", "insert-from-staging")
    pipeline = dlt.pipeline(pipeline_name="rep", destination="duckdb", dataset_name="rep_data")
    pipeline.run(items([{"id": 1}]))
    assert staged_tables(pipeline) == ["items"]


def test_an_unknown_replace_strategy_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DESTINATION__REPLACE_STRATEGY", "swap-please")
    pipeline = dlt.pipeline(pipeline_name="rep", destination="duckdb", dataset_name="rep_data")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(items([{"id": 1}]))
    assert "replace_strategy is 'swap-please'" in str(failure.value)


def test_run_write_disposition_replace_replaces_an_appended_table():
    pipeline = dlt.pipeline(pipeline_name="rep", destination="duckdb", dataset_name="rep_data")
    pipeline.run([{"id": 1}, {"id": 2}], table_name="plain")
    pipeline.run([{"id": 3}], table_name="plain", write_disposition="replace")
    assert q(pipeline, "SELECT id FROM {ds}.plain") == [(3,)]
