"""Shared fixtures of dlt-core's tests: every test gets its own pipelines dir and cwd."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated(dlt_pipelines_dir):
    """Run each test with a fresh pipelines dir, config resolver and working directory."""
    return dlt_pipelines_dir
