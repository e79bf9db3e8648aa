"""Plugins registered in-process on a fresh manager take part in runs and leave cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
import pytest
from dlt import hookimpl
from dlt.destinations.impl.duckdb.factory import duckdb
from dlt.plugins import PluginError, PluginManager, use_plugin_manager


class DoubleValues:
    """Doubles `value` of every extracted item, in place, and remembers the batches it saw."""

    def __init__(self) -> None:
        self.tables: list[str] = []

    @hookimpl
    def on_extract_items(self, table_name: str, items: list[Any]) -> None:
        self.tables.append(table_name)
        for item in items:
            item["value"] *= 2


class MisspelledHook:
    @hookimpl
    def on_extract_itemz(self, items: list[Any]) -> None:
        """Not a dlt hook: the name is misspelled."""


def load_values(tmp_path: Path, pipeline_name: str) -> list[int]:
    """Run a pipeline of three items into duckdb and return the loaded `value` column."""
    pipeline = dlt.pipeline(
        pipeline_name=pipeline_name,
        destination=duckdb(credentials=str(tmp_path / f"{pipeline_name}.duckdb")),
        dataset_name="hooked",
        pipelines_dir=str(tmp_path / "pipelines"),
    )
    pipeline.run([{"id": i, "value": i * 10} for i in range(1, 4)], table_name="items")
    with pipeline.sql_client() as client:
        rows = client.execute_sql(f"SELECT value FROM {client.make_qualified_table_name('items')} ORDER BY id")
    return [row[0] for row in rows or []]


def test_on_extract_items_plugin_changes_what_is_loaded(tmp_path: Path) -> None:
    manager = PluginManager(load_entry_points=False)
    doubler = DoubleValues()
    record = manager.register_plugin(doubler, "double_values")

    with use_plugin_manager(manager):
        values = load_values(tmp_path, "doubled")

    assert record.status == "ok"
    assert record.hooks == ["on_extract_items"]
    assert values == [20, 40, 60]
    assert "items" in doubler.tables


def test_unregistered_plugin_no_longer_changes_what_is_loaded(tmp_path: Path) -> None:
    manager = PluginManager(load_entry_points=False)
    doubler = DoubleValues()
    manager.register_plugin(doubler, "double_values")

    manager.unregister_plugin("double_values")
    with use_plugin_manager(manager):
        values = load_values(tmp_path, "not_doubled")

    assert "double_values" not in manager.records
    assert manager.hook.on_extract_items.get_hookimpls() == []
    assert values == [10, 20, 30]
    assert doubler.tables == []


def test_unregistered_plugin_no_longer_provides_its_destination() -> None:
    manager = PluginManager(load_entry_points=False)

    class ProvidesFiles:
        @hookimpl
        def register_destinations(self, register: Any) -> None:
            from dlt.destinations.impl.filesystem.factory import filesystem

            register("my_files", filesystem)

    manager.register_plugin(ProvidesFiles(), "my_files_plugin")
    assert manager.names("destination") == ["my_files"]

    manager.unregister_plugin("my_files_plugin")

    assert manager.names("destination") == []


def test_plugin_implementing_an_unknown_hook_gets_status_error_naming_it() -> None:
    manager = PluginManager(load_entry_points=False)

    record = manager.register_plugin(MisspelledHook(), "misspelled")

    assert record.status == "error"
    assert "on_extract_itemz" in (record.error_text() or "")
    assert "misspelled" in (record.error_text() or "")
    assert manager.hook.on_extract_items.get_hookimpls() == []


def test_plugin_with_an_unknown_hook_does_not_stop_a_run(tmp_path: Path) -> None:
    manager = PluginManager(load_entry_points=False)
    manager.register_plugin(MisspelledHook(), "misspelled")

    with use_plugin_manager(manager):
        assert load_values(tmp_path, "unaffected") == [10, 20, 30]


def test_registering_a_plugin_name_twice_is_refused() -> None:
    manager = PluginManager(load_entry_points=False)
    manager.register_plugin(DoubleValues(), "double_values")

    with pytest.raises(PluginError, match="already registered"):
        manager.register_plugin(DoubleValues(), "double_values")
