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

    @pytest.fixture
    def wrong_destination(self, tmp_path):
        return dlt.destinations.duckdb(str(tmp_path / "no" / "such" / "folder" / "db.duckdb"))


class TestFilesystemConformance(DestinationConformance):
    """The filesystem destination writing jsonl into a local folder."""

    @pytest.fixture
    def destination(self, tmp_path):
        return dlt.destinations.filesystem(str(tmp_path / "bucket"))

    @pytest.fixture
    def wrong_destination(self, tmp_path):
        # a bucket folder inside a regular file can never be created
        (tmp_path / "a_file").write_text("not a folder")
        return dlt.destinations.filesystem(str(tmp_path / "a_file" / "bucket"))
