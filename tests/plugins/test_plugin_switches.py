"""`DLT_DISABLE_PLUGINS` and `DLT_LOAD_PLUGINS` decide which plugins load; errors say so."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import dlt
import pytest
from dlt.plugins import PluginManager, use_plugin_manager


def is_installed(name: str) -> bool:
    try:
        distribution(name)
    except PackageNotFoundError:
        return False
    return True


BIGQUERY_INSTALLED = is_installed("dlt-destination-bigquery")


def error_of_disabled_destination(monkeypatch: pytest.MonkeyPatch, disabled: str, attribute: str) -> str:
    """The message of the error `dlt.destinations.<attribute>` raises with `disabled` switched off."""
    monkeypatch.setenv("DLT_DISABLE_PLUGINS", disabled)
    with use_plugin_manager(PluginManager()):
        with pytest.raises(AttributeError) as raised:
            getattr(dlt.destinations, attribute)
    return str(raised.value)


def test_disabled_plugin_is_recorded_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLT_DISABLE_PLUGINS", "example")

    record = PluginManager().records["example"]

    assert record.status == "blocked"
    assert record.distribution == "dlt-example-plugin"
    assert "DLT_DISABLE_PLUGINS" in (record.error_text() or "")


def test_disabled_plugin_provides_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DLT_DISABLE_PLUGINS", "example")

    with use_plugin_manager(PluginManager()) as manager:
        assert "example_files" not in manager.names("destination")
        assert "example_numbers" not in manager.names("source")
        assert manager.hook.register_commands.get_hookimpls() == []


def test_disabled_plugins_destination_fails_saying_it_is_blocked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = error_of_disabled_destination(monkeypatch, "example", "example_files")
    assert "example_files" in message
    assert "dlt-example-plugin" in message
    assert "blocked" in message
    assert "DLT_DISABLE_PLUGINS" in message


def test_load_plugins_allow_list_blocks_others_but_loads_builtins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DLT_LOAD_PLUGINS", "bigquery")

    records = PluginManager().records

    assert records["duckdb"].status == "ok"
    assert records["filesystem"].status == "ok"
    assert records["example"].status == "blocked"
    assert "DLT_LOAD_PLUGINS" in (records["example"].error_text() or "")
    if BIGQUERY_INSTALLED:
        assert records["bigquery"].status == "ok"


def test_load_plugins_allow_list_keeps_builtin_destinations_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DLT_LOAD_PLUGINS", "bigquery")

    with use_plugin_manager(PluginManager()):
        assert dlt.destinations.duckdb.destination_name == "duckdb"
        assert dlt.destinations.filesystem.destination_name == "filesystem"


def test_missing_first_party_destination_names_its_pip_install() -> None:
    with use_plugin_manager(PluginManager(load_entry_points=False)):
        with pytest.raises(AttributeError) as raised:
            dlt.destinations.bigquery  # noqa: B018

    assert "pip install dlt-destination-bigquery" in str(raised.value)


@pytest.mark.skipif(BIGQUERY_INSTALLED, reason="dlt-destination-bigquery is installed here")
def test_disabled_bigquery_that_is_not_installed_names_its_pip_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = error_of_disabled_destination(monkeypatch, "bigquery", "bigquery")
    assert "pip install dlt-destination-bigquery" in message


@pytest.mark.skipif(not BIGQUERY_INSTALLED, reason="dlt-destination-bigquery is not installed")
def test_disabled_bigquery_that_is_installed_says_it_is_disabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = error_of_disabled_destination(monkeypatch, "bigquery", "bigquery")
    assert "dlt-destination-bigquery" in message
    assert "DLT_DISABLE_PLUGINS" in message


def test_destination_string_resolves_through_the_same_switches(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DLT_DISABLE_PLUGINS", "filesystem")

    with use_plugin_manager(PluginManager()):
        with pytest.raises(AttributeError) as raised:
            dlt.pipeline(pipeline_name="blocked_fs", destination="filesystem",
                         dataset_name="d", pipelines_dir=str(tmp_path))

    assert "DLT_DISABLE_PLUGINS" in str(raised.value)
