"""The destination conformance suite on the built-in destinations."""

from __future__ import annotations

import pytest

import dlt
from dlt.testing.conformance import DestinationConformance


class TestDuckDBConformance(DestinationConformance):
    """DuckDB, the embedded default."""

    @pytest.fixture
    def destination(self, tmp_path):
        return dlt.destinations.duckdb(str(tmp_path / "conformance.duckdb"))


class TestFilesystemConformance(DestinationConformance):
    """The filesystem destination writing jsonl into a local folder."""

    @pytest.fixture
    def destination(self, tmp_path):
        return dlt.destinations.filesystem(str(tmp_path / "bucket"))
