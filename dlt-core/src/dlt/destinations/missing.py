"""`from dlt.destinations import bigquery` when no installed plugin provides `bigquery`.

`dlt.destinations.<name>` resolves through the module's `__getattr__`; when that fails,
`from dlt.destinations import <name>` falls back to importing a submodule of that name, and
without this finder Python would only say "cannot import name". The finder is consulted after
the regular import machinery (real submodules are found first) and raises
`MissingPluginImportError` with the plugin manager's message: the installed destinations, the
`pip install` line of a first-party one, the installed name that was probably meant ("Did you
mean 'duckdb'?"), or the plugin that failed to load.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from typing import Any

PACKAGE = "dlt.destinations"


class MissingDestinationFinder(importlib.abc.MetaPathFinder):
    """Explains `dlt.destinations.<name>` for a destination that is not installed."""

    def find_spec(self, fullname: str, path: Any = None,
                  target: Any = None) -> importlib.machinery.ModuleSpec | None:
        """Raise `MissingPluginImportError` for a destination name no installed plugin
        provides; None for one that exists (it is an attribute, not a module)."""
        parent, _, leaf = fullname.rpartition(".")
        if parent != PACKAGE or not leaf or leaf.startswith("_"):
            return None
        from dlt.plugins import get_plugin_manager
        from dlt.plugins.errors import MissingPluginImportError, PluginError

        try:
            get_plugin_manager().destination(leaf)
        except PluginError as exc:
            raise MissingPluginImportError(fullname, str(exc)) from exc
        # the destination exists: `dlt.destinations.<name>` is an attribute, not a module
        return None


def install() -> None:
    """Append the finder to `sys.meta_path` once."""
    if not any(isinstance(finder, MissingDestinationFinder) for finder in sys.meta_path):
        sys.meta_path.append(MissingDestinationFinder())
