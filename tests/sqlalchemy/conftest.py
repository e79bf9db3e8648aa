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


@pytest.fixture(scope="session")
def mariadb_server() -> Any:
    """A throwaway MariaDB on 127.0.0.1 (tests/support/mariadb_server.py) for the session;
    the tests that need it skip, saying why, when it cannot be installed or started here."""
    import sys

    pytest.importorskip("pymysql", reason="the [mysql] extra (pymysql) is not installed")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))
    from mariadb_server import MariaDBNotAvailableError, start_mariadb

    try:
        server = start_mariadb()
    except MariaDBNotAvailableError as exc:
        pytest.skip(f"MariaDB cannot run here: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mariadb_url(mariadb_server: Any) -> Any:
    """The MariaDB URL; the datasets (databases) the test made are dropped afterwards."""
    before = set(mariadb_server.admin_execute("SHOW DATABASES").split())
    yield mariadb_server.url
    for name in set(mariadb_server.admin_execute("SHOW DATABASES").split()) - before:
        mariadb_server.admin_execute(f"DROP DATABASE IF EXISTS `{name}`")
