"""The guide's example SQL destination (`tests/plugins/sqlite-destination`): installed through its
entry point, under 100 lines, and conformant."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import dlt
from dlt.plugins import get_plugin_manager
from dlt.testing.conformance import DestinationConformance

PLUGIN_SOURCE = Path(__file__).parent / "sqlite-destination" / "src" / "dlt_destination_sqlite"
PLUGIN_CODE_LINE_LIMIT = 100


def test_the_example_sql_destination_is_under_100_lines_of_code() -> None:
    # every line of every module of the distribution, docstrings and blank lines included
    files = sorted(PLUGIN_SOURCE.glob("*.py"))
    lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in files)
    assert lines < PLUGIN_CODE_LINE_LIMIT, f"{lines} lines in {', '.join(f.name for f in files)}"


def test_the_example_sql_destination_loads_through_its_entry_point() -> None:
    record = get_plugin_manager().records["sqlite"]
    assert record.status == "ok", record.error_text()
    assert record.distribution == "dlt-destination-sqlite"
    assert record.provides == {"destination": ["sqlite"]}


def test_each_dataset_is_a_sqlite_file_in_the_location(tmp_path: Path) -> None:
    pipeline = dlt.pipeline("files", destination=dlt.destinations.sqlite(location=str(tmp_path)),
                            dataset_name="shop")
    pipeline.run([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], table_name="items")
    with sqlite3.connect(tmp_path / "shop.sqlite") as connection:
        assert connection.execute("SELECT id, name FROM items ORDER BY id").fetchall() == [
            (1, "a"), (2, "b")]


class TestSqliteConformance(DestinationConformance):
    """dlt's conformance suite on the example SQL destination."""

    @pytest.fixture
    def destination(self, tmp_path: Path) -> object:
        return dlt.destinations.sqlite(location=str(tmp_path))

    @pytest.fixture
    def wrong_destination(self, tmp_path: Path) -> object:
        return dlt.destinations.sqlite(location=str(tmp_path / "no" / "such" / "folder"))
