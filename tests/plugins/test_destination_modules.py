"""`dlt.destinations.impl.<name>` imports as the package a destination plugin registers, and
`dlt.destinations.adapters` finds the plugin's `<name>_adapter`, as dlt 1.31 lays them out."""

from __future__ import annotations

import sys
import textwrap

import pytest

import dlt
from dlt.plugins import PluginManager, use_plugin_manager

PACKAGE = "tduck_pkg"


@pytest.fixture
def plugin_package(tmp_path, monkeypatch):
    """A destination plugin's package on sys.path: a `configuration` module and an adapter
    that types a column as text."""
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "configuration.py").write_text("class TduckCredentials:\n    pass\n")
    (package / "tduck_adapter.py").write_text(textwrap.dedent('''
        from dlt.destinations.utils import get_resource_for_adapter

        def tduck_adapter(data, as_text=None):
            resource = get_resource_for_adapter(data)
            resource.apply_hints(columns={name: {"name": name, "data_type": "text"}
                                          for name in as_text or []})
            return resource
        '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package
    for name in [n for n in sys.modules if n.startswith((PACKAGE, "dlt.destinations.impl.tduck"))]:
        del sys.modules[name]


class TduckPlugin:
    """Registers DuckDB's factory as `tduck`, with its package at 1.31's import path."""

    @dlt.hookimpl
    def register_destinations(self, register):
        from dlt.destinations.impl.duckdb.factory import duckdb

        register("tduck", duckdb, module=PACKAGE)


@pytest.fixture
def manager(plugin_package):
    fresh = PluginManager(load_entry_points=False)
    fresh.register_plugin(TduckPlugin(), "tduck_plugin")
    with use_plugin_manager(fresh):
        yield fresh


def test_the_registered_package_imports_under_dlt_destinations_impl(manager):
    import tduck_pkg.configuration

    from dlt.destinations.impl.tduck.configuration import TduckCredentials

    assert TduckCredentials is tduck_pkg.configuration.TduckCredentials
    assert sys.modules["dlt.destinations.impl.tduck"].__name__ == PACKAGE


def test_the_adapter_imports_from_dlt_destinations_adapters_and_its_hints_load(manager, tmp_path):
    from dlt.destinations.adapters import tduck_adapter

    import tduck_pkg.tduck_adapter

    assert tduck_adapter is tduck_pkg.tduck_adapter.tduck_adapter
    items = tduck_adapter(dlt.resource([{"id": 1, "code": 7}], name="items"), as_text=["code"])
    pipeline = dlt.pipeline("adapted", pipelines_dir=str(tmp_path / "p"), dataset_name="data",
                            destination=dlt.destinations.tduck(str(tmp_path / "adapted.duckdb")))
    pipeline.run(items)
    with pipeline.sql_client() as client:
        rows = client.execute_sql("SELECT code, typeof(code) FROM items")
    assert rows == [("7", "VARCHAR")]


def test_an_adapter_applied_to_plain_data_names_its_resource_content(manager):
    from dlt.destinations.adapters import tduck_adapter

    assert tduck_adapter([{"id": 1}]).name == "content"


def test_an_adapter_of_a_missing_first_party_plugin_names_its_distribution(monkeypatch):
    monkeypatch.delitem(sys.modules, "dlt.destinations.impl.bigquery", raising=False)
    monkeypatch.delitem(sys.modules, "dlt.destinations.impl.bigquery.bigquery_adapter",
                        raising=False)
    with use_plugin_manager(PluginManager(load_entry_points=False)):
        with pytest.raises(ImportError) as missing:
            from dlt.destinations.adapters import bigquery_adapter  # noqa: F401
    assert "pip install dlt-destination-bigquery" in str(missing.value)


def test_an_adapter_no_plugin_provides_says_so():
    with use_plugin_manager(PluginManager(load_entry_points=False)):
        with pytest.raises(ImportError) as missing:
            from dlt.destinations.adapters import weaviate_adapter  # noqa: F401
    assert "no installed destination plugin provides a weaviate adapter" in str(missing.value)


def test_an_installed_destination_without_adapters_says_so(manager, plugin_package):
    (plugin_package / "tduck_adapter.py").unlink()
    with pytest.raises(ImportError) as missing:
        from dlt.destinations.adapters import tduck_adapter  # noqa: F401
    assert "the installed tduck destination has no adapters" in str(missing.value)


def test_a_missing_first_party_destination_package_names_its_distribution(monkeypatch):
    monkeypatch.delitem(sys.modules, "dlt.destinations.impl.postgres", raising=False)
    with use_plugin_manager(PluginManager(load_entry_points=False)):
        with pytest.raises(ModuleNotFoundError) as missing:
            import dlt.destinations.impl.postgres  # noqa: F401
    assert "pip install dlt-destination-postgres" in str(missing.value)


def test_core_destinations_stay_real_modules():
    import dlt.destinations.impl.duckdb.factory as factory

    assert factory.__name__ == "dlt.destinations.impl.duckdb.factory"
