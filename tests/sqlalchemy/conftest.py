"""Fixtures for the SQLAlchemy destination tests: SQLite database files in a temp folder."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's main SQLite database file goes."""
    return tmp_path / "dlt_data.db"


@pytest.fixture
def pipeline(db_path: Path, tmp_path: Path) -> Any:
    """A pipeline loading into dataset `games` of a fresh SQLite file."""
    import dlt

    return dlt.pipeline(pipeline_name=f"sa_{uuid.uuid4().hex[:8]}",
                        destination=dlt.destinations.sqlalchemy(f"sqlite:///{db_path}"),
                        dataset_name="games", pipelines_dir=str(tmp_path / "pipelines"))
