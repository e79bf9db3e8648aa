"""Sources resolved by name through the plugin registry, and `incremental`.

`dlt.sources.<name>` returns the source function a plugin registered as `<name>`.
"""

from __future__ import annotations

from typing import Any

from dlt.extract.incremental import Incremental

incremental = Incremental
_MODULE_ATTRIBUTES = {"incremental", "Incremental"}


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from dlt.plugins import get_plugin_manager

    return get_plugin_manager().source(name)


def __dir__() -> list[str]:
    from dlt.plugins import get_plugin_manager

    return sorted(_MODULE_ATTRIBUTES | set(get_plugin_manager().names("source")))
