"""The dlt destination conformance suite on the BigQuery destination, against the emulator."""

from __future__ import annotations

import importlib.util
import uuid
from typing import Any

import pytest

import dlt
from dlt.testing.conformance import DestinationConformance

if importlib.util.find_spec("pytest_timeout") is not None:
    # generous: the first test of a session may build the emulator environment (~30 s)
    pytestmark = pytest.mark.timeout(600)


class TestBigQueryConformance(DestinationConformance):
    """jsonl load jobs (the preferred format), configured with explicit arguments."""

    @pytest.fixture
    def destination(self, bigquery_emulator: Any) -> Any:
        return dlt.destinations.bigquery(api_endpoint=bigquery_emulator.endpoint,
                                         project_id=bigquery_emulator.project, location="US")


# scenarios whose outcome does not depend on the load job's file format (they are SQL run after
# the jobs, or state and package handling): the jsonl class proves them, and the emulator makes
# every scenario cost several seconds, so the parquet class leaves them out
FORMAT_INDEPENDENT_SCENARIOS = (
    "test_replace_swaps_rows_and_child_rows", "test_merge_key_replaces_whole_partitions",
    "test_merge_dedup_sort_and_hard_delete", "test_merge_without_keys_appends",
    "test_merge_insert_only_keeps_existing_rows", "test_merge_scd2_retires_changed_and_absent_records",
    "test_replace_insert_from_staging_swaps_rows", "test_refresh_drop_resources_starts_a_resource_over",
    "test_state_and_schema_restore_from_destination", "test_interrupted_load_resumes_exactly_once",
    "test_crash_after_commit_does_not_load_twice", "test_system_tables_record_loads_and_schema",
    "test_drop_tables_removes_them_and_their_child_tables",
    "test_fresh_working_dir_restores_incremental_state_from_destination",
    "test_every_declared_replace_strategy_swaps_rows_and_child_rows",
    "test_every_declared_strategy_has_a_scenario",
    "test_wrong_location_or_credentials_fail_with_a_clear_error",
)


class TestBigQueryParquetConformance(DestinationConformance):
    """parquet load jobs, configured only through environment variables: the scenarios where the
    file format matters (types, nesting, variants, identifiers, Arrow input, several files)."""

    @pytest.fixture
    def destination(self, bigquery_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
        monkeypatch.setenv("DESTINATION__BIGQUERY__API_ENDPOINT", bigquery_emulator.endpoint)
        monkeypatch.setenv("DESTINATION__BIGQUERY__PROJECT_ID", bigquery_emulator.project)
        monkeypatch.setenv("DESTINATION__BIGQUERY__LOCATION", "US")
        return "bigquery"

    @pytest.fixture
    def pipeline(self, destination: Any, dlt_pipelines_dir: Any) -> Any:
        suffix = uuid.uuid4().hex[:8]
        pipeline = dlt.pipeline(pipeline_name=f"conformance_{suffix}", destination=destination,
                                dataset_name=f"conformance_{suffix}")
        pipeline.loader_file_format = "parquet"
        return pipeline


for _scenario in FORMAT_INDEPENDENT_SCENARIOS:  # an attribute that is None is not collected
    setattr(TestBigQueryParquetConformance, _scenario, None)
