"""Fixtures of the filesystem source tests."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def run_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in its temp folder: DuckDB files land next to the working directory. No
    pipeline of an earlier test stays the active one: a resource iterated outside a run reads
    the active pipeline's state (its incremental cursor too), as in dlt 1.31."""
    from dlt.pipeline import registry

    monkeypatch.chdir(tmp_path)
    registry.forget()
