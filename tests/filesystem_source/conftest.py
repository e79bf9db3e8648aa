"""Fixtures of the filesystem source tests."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def run_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in its temp folder: DuckDB files land next to the working directory."""
    monkeypatch.chdir(tmp_path)
