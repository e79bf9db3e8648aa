"""`dlt.helpers.<name>` imports as the module a plugin registers with `register_helpers`, and a
missing first-party helper (`airflow_helper`) names the `pip install` that provides it."""

from __future__ import annotations

import sys

import pytest

import dlt
from dlt.plugins import PluginManager, use_plugin_manager


class HelperPlugin:
    """Registers `dlt.helpers.fancy_helper` as the stdlib `json` and `dlt.helpers.mail` as `email`."""

    @dlt.hookimpl
    def register_helpers(self, register):
        register("fancy_helper", "json")
        register("mail", module="email")


@pytest.fixture
def manager():
    fresh = PluginManager()
    fresh.register_plugin(HelperPlugin(), "helper_plugin")
    with use_plugin_manager(fresh):
        yield fresh
    for name in [n for n in sys.modules if n.startswith(("dlt.helpers.fancy_helper", "dlt.helpers.mail"))]:
        del sys.modules[name]


def test_a_registered_helper_imports_under_dlt_helpers_as_the_same_module(manager):
    import json

    from dlt.helpers.fancy_helper import dumps

    assert dumps is json.dumps
    assert sys.modules["dlt.helpers.fancy_helper"] is json
    assert manager.records["helper_plugin"].provides["helper_module"] == ["fancy_helper", "mail"]


def test_submodules_of_a_registered_helper_are_the_real_modules(manager):
    import email.mime.text

    from dlt.helpers.mail.mime.text import MIMEText

    assert MIMEText is email.mime.text.MIMEText


def test_a_missing_airflow_helper_names_the_dlt_airflow_distribution(monkeypatch):
    monkeypatch.delitem(sys.modules, "dlt.helpers.airflow_helper", raising=False)
    with use_plugin_manager(PluginManager(load_entry_points=False)):
        with pytest.raises(ModuleNotFoundError) as missing:
            import dlt.helpers.airflow_helper  # noqa: F401
    assert "pip install dlt-airflow" in str(missing.value)


def test_an_unknown_helper_is_an_ordinary_module_not_found():
    with use_plugin_manager(PluginManager(load_entry_points=False)):
        with pytest.raises(ModuleNotFoundError) as missing:
            import dlt.helpers.no_such_helper  # noqa: F401
    assert "pip install" not in str(missing.value)
