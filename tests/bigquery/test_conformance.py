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


class TestBigQueryParquetConformance(DestinationConformance):
    """parquet load jobs, configured only through environment variables."""

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
