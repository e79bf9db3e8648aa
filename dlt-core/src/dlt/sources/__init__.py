"""Sources resolved by name through the plugin registry, `incremental`, and the names dlt 1.31
sources import from here (`DltSource`, `DltResource`, `TDataItem`, `TDataItems`; re-exports of
`dlt.extract` and `dlt.utils.typing`).

`dlt.sources.<name>` returns the source function a plugin registered as `<name>`, or the
module it registered for that name (`from dlt.sources.rest_api import rest_api_source`; see
`dlt.sources.plugin_modules`).
"""

from __future__ import annotations

from typing import Any

from dlt.extract import DltResource, DltSource
from dlt.extract.incremental import Incremental
from dlt.sources import plugin_modules
from dlt.utils.typing import TDataItem, TDataItems

plugin_modules.install()

incremental = Incremental
_MODULE_ATTRIBUTES = {"incremental", "Incremental", "DltResource", "DltSource", "TDataItem", "TDataItems"}


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from dlt.plugins import get_plugin_manager

    if name in plugin_modules.registered_modules():
        import importlib

        return importlib.import_module(f"dlt.sources.{name}")
    return get_plugin_manager().source(name)


def __dir__() -> list[str]:
    from dlt.plugins import get_plugin_manager

    return sorted(_MODULE_ATTRIBUTES | set(get_plugin_manager().names("source")))
