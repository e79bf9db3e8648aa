"""The plugin system of dlt: the `hookimpl` marker, plugin records and the plugin manager.

Plugins are found through the `dlt.plugins` entry-point group; see `docs/plugins/README.md`.
"""

import pluggy

hookimpl = pluggy.HookimplMarker("dlt")
"""Marker for hook implementations: decorate functions named after a spec in `dlt.hookspecs`."""

from dlt.plugins.errors import (  # noqa: E402
    DuplicateProvisionError,
    PluginError,
    PluginUnavailableError,
    UnknownProvisionError,
)
from dlt.plugins.manager import (  # noqa: E402
    ENTRY_POINT_GROUP,
    PluginManager,
    get_plugin_manager,
    set_plugin_manager,
    use_plugin_manager,
)
from dlt.plugins.records import PluginRecord  # noqa: E402
from dlt.plugins.templates import InitTemplate, TemplateSetting  # noqa: E402

__all__ = [
    "ENTRY_POINT_GROUP",
    "DuplicateProvisionError",
    "InitTemplate",
    "PluginError",
    "PluginManager",
    "PluginRecord",
    "PluginUnavailableError",
    "TemplateSetting",
    "UnknownProvisionError",
    "get_plugin_manager",
    "hookimpl",
    "set_plugin_manager",
    "use_plugin_manager",
]
