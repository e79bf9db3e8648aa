"""Errors a new user meets first: an absent or misspelled destination or source, DataFrames
without pandas, and warnings that repeat."""

from __future__ import annotations

import logging
import sys

import pytest

import dlt
from dlt.plugins import PluginManager, use_plugin_manager
from dlt.plugins.errors import MissingPluginImportError, UnknownProvisionError
from dlt.utils.exceptions import MissingDependencyException


@pytest.fixture
def only_builtins():
    """A plugin manager with dlt-core's built-in plugins only (no first-party plugin installed)."""
    with use_plugin_manager(PluginManager(environ={"DLT_LOAD_PLUGINS": "builtins_only"})) as manager:
        yield manager


def test_importing_an_absent_first_party_destination_says_what_to_install(only_builtins):
    with pytest.raises(ImportError) as missing:
        from dlt.destinations import bigquery  # noqa: F401

    assert isinstance(missing.value, MissingPluginImportError)
    message = str(missing.value)
    if "but it is disabled" in message:  # a dev venv with the plugin installed (not in nox)
        assert message.endswith("It is provided by `pip install dlt-destination-bigquery`.")
    else:
        assert "No destination named 'bigquery' is installed" in message
        assert "duckdb" in message  # the installed ones are listed
        assert message.endswith("To use it, run: pip install dlt-destination-bigquery")
        assert isinstance(missing.value.__cause__, UnknownProvisionError)


def test_an_absent_destination_is_still_no_attribute(only_builtins):
    assert not hasattr(dlt.destinations, "bigquery")
    from dlt.destinations import duckdb

    assert duckdb is dlt.destinations.duckdb


@pytest.mark.parametrize("misspelled", ["duckb", "DuckDB", "duck_db"])
def test_a_misspelled_destination_import_suggests_the_installed_name(only_builtins, misspelled):
    with pytest.raises(ImportError, match=f"No destination named '{misspelled}'.* Did you mean 'duckdb'\\?"):
        exec(f"from dlt.destinations import {misspelled}")


def test_a_misspelled_destination_string_suggests_the_installed_name(only_builtins):
    with pytest.raises(UnknownProvisionError, match="Did you mean 'duckdb'\\?"):
        dlt.pipeline("misspelled", destination="duckb")
    with pytest.raises(AttributeError, match="Did you mean 'filesystem'\\?"):
        dlt.destinations.filesytem  # noqa: B018


def test_a_misspelled_first_party_destination_suggests_it_with_its_install(only_builtins):
    with pytest.raises(UnknownProvisionError) as missing:
        dlt.pipeline("misspelled", destination="bigqeury")

    assert "Did you mean 'bigquery'?" in str(missing.value)
    assert str(missing.value).endswith("To use 'bigquery', run: pip install dlt-destination-bigquery")


def test_a_name_close_to_nothing_gets_no_suggestion(only_builtins):
    with pytest.raises(ImportError) as missing:
        from dlt.destinations import snowflake_warehouse  # noqa: F401

    assert "Did you mean" not in str(missing.value)
    assert "'dlt.plugins' entry-point group" in str(missing.value)


def test_importing_an_absent_first_party_source_module_says_what_to_install(only_builtins, monkeypatch):
    monkeypatch.delitem(sys.modules, "dlt.sources.rest_api", raising=False)
    with pytest.raises(ImportError, match="To use it, run: pip install dlt-source-rest-api"):
        from dlt.sources import rest_api  # noqa: F401


def test_a_misspelled_source_module_suggests_the_known_one(only_builtins):
    with pytest.raises(ImportError, match="Did you mean 'dlt.sources.sql_database'\\?"):
        from dlt.sources import sql_databse  # noqa: F401


@pytest.fixture
def loaded_pipeline():
    pipeline = dlt.pipeline("reading", destination="duckdb")
    pipeline.run([{"id": 1}, {"id": 2}], table_name="items")
    return pipeline


def test_a_dataframe_without_pandas_says_to_install_the_pandas_extra(loaded_pipeline, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # what Python does for a module that is absent

    with loaded_pipeline.sql_client() as client, client.execute_query("SELECT id FROM items") as cursor:
        with pytest.raises(MissingDependencyException) as missing:
            cursor.df()
        assert cursor.arrow().num_rows == 2  # Arrow needs no pandas
    assert isinstance(missing.value, ImportError)
    assert 'pip install "dlt-core[pandas]"' in str(missing.value)
    with pytest.raises(ImportError, match=r"dlt-core\[pandas\]"):
        loaded_pipeline.dataset().items.df()


def format_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and "loader_file_format" in r.getMessage()]


def test_an_unwritten_file_format_warns_once_per_run_and_not_on_runs_without_it(caplog):
    caplog.set_level(logging.WARNING, logger="dlt")
    pipeline = dlt.pipeline("formats", destination="duckdb")

    pipeline.run([{"id": 1}], table_name="items", loader_file_format="insert_values")
    assert len(format_warnings(caplog)) == 1
    caplog.clear()
    pipeline.run([{"id": 2}], table_name="items")
    assert format_warnings(caplog) == []
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM items")[0][0] == 2
