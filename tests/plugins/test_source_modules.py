"""`dlt.sources.<name>` imports as the module a source plugin registers, and a missing
first-party source names the `pip install` that provides it."""

from __future__ import annotations

import sys

import pytest

import dlt
from dlt.plugins import PluginManager, use_plugin_manager


class ModulePlugin:
    """Registers `dlt.sources.fancy` as the stdlib `json` and `dlt.sources.paths` as `email`."""

    @dlt.hookimpl
    def register_sources(self, register):
        @dlt.source(name="fancy")
        def fancy():
            return dlt.resource([{"id": 1}], name="items")

        register("fancy", fancy, module="json")
        register("paths", module="email")


@pytest.fixture
def manager():
    fresh = PluginManager()
    fresh.register_plugin(ModulePlugin(), "module_plugin")
    with use_plugin_manager(fresh):
        yield fresh
    for name in [n for n in sys.modules if n.startswith(("dlt.sources.fancy", "dlt.sources.paths"))]:
        del sys.modules[name]


def test_a_registered_module_imports_under_dlt_sources(manager):
    import json

    from dlt.sources.fancy import dumps

    assert dumps is json.dumps
    assert dlt.sources.fancy is json


def test_submodules_of_a_registered_module_import_too(manager):
    import email.mime

    import dlt.sources.paths.mime as aliased

    assert aliased is email.mime


def test_a_submodule_imported_through_the_alias_is_the_real_module_not_a_copy(manager):
    import email.mime.text

    from dlt.sources.paths.mime.text import MIMEText

    assert MIMEText is email.mime.text.MIMEText
    assert sys.modules["dlt.sources.paths.mime.text"] is email.mime.text


def test_the_source_function_is_still_resolvable_by_name(manager):
    assert manager.source("fancy").__name__ == "fancy"
    assert "source_module" in {kind for kind in manager.records["module_plugin"].provides}


def test_a_missing_first_party_source_module_names_its_distribution(monkeypatch):
    # the real plugin may be installed and already imported by an earlier test
    monkeypatch.delitem(sys.modules, "dlt.sources.sql_database", raising=False)
    with use_plugin_manager(PluginManager(load_entry_points=False)):
        with pytest.raises(ModuleNotFoundError) as missing:
            import dlt.sources.sql_database  # noqa: F401
    assert "pip install dlt-source-sql-database" in str(missing.value)


def test_an_unknown_module_is_an_ordinary_module_not_found():
    with use_plugin_manager(PluginManager(load_entry_points=False)):
        with pytest.raises(ModuleNotFoundError) as missing:
            import dlt.sources.no_such_thing  # noqa: F401
    assert "pip install" not in str(missing.value)
