"""The example plugin's destination passes dlt's conformance suite, run as a plugin author would."""

from __future__ import annotations

from pathlib import Path

import pytest

import dlt
from dlt.testing.conformance import DestinationConformance


class TestExampleFilesConformance(DestinationConformance):
    """`example_files` from dlt-example-plugin, writing jsonl into a local folder."""

    @pytest.fixture
    def destination(self, tmp_path: Path) -> object:
        return dlt.destinations.example_files(bucket_url=str(tmp_path / "bucket"))
