"""dlt's destination conformance suite on the SQLAlchemy plugin, on SQLite files and on a
throwaway MariaDB server (tests/support/mariadb_server.py) through pymysql."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import dlt
from dlt.testing.conformance import DestinationConformance


class TestSqliteConformance(DestinationConformance):
    """Every scenario of the suite on a fresh SQLite database file per test."""

    @pytest.fixture
    def destination(self, tmp_path: Path) -> Any:
        return dlt.destinations.sqlalchemy(f"sqlite:///{tmp_path / 'conformance.db'}")

    @pytest.fixture
    def wrong_destination(self, tmp_path: Path) -> Any:
        # a database file in a folder that does not exist
        return dlt.destinations.sqlalchemy(f"sqlite:///{tmp_path / 'no_such_folder' / 'x.db'}")

    def decode(self, column_type: str, value: Any) -> Any:
        """SQLite keeps timestamps as SQLAlchemy writes them: UTC text without an offset
        (`2024-02-29 13:45:30.123456`), as dlt 1.31 does."""
        if column_type == "timestamp" and isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        return super().decode(column_type, value)


class TestMariaDBConformance(DestinationConformance):
    """Every scenario of the suite on a throwaway MariaDB server through pymysql."""

    @pytest.fixture
    def destination(self, mariadb_url: str) -> Any:
        return dlt.destinations.sqlalchemy(mariadb_url)

    @pytest.fixture
    def wrong_destination(self, mariadb_url: str) -> Any:
        # the right user with a wrong password
        user_part, host_part = mariadb_url.rsplit("@", 1)
        return dlt.destinations.sqlalchemy(f"{user_part.rsplit(':', 1)[0]}:wrong-password@{host_part}")

    def decode(self, column_type: str, value: Any) -> Any:
        """pymysql returns TIME values as `timedelta` since midnight (so does dlt 1.31 on it)."""
        if column_type == "time" and isinstance(value, timedelta):
            return (datetime.min + value).time()
        return super().decode(column_type, value)
