"""Import paths that resolve to modules plugins registered: `dlt.sources.<name>`,
`dlt.helpers.<name>`, `dlt.destinations.impl.<name>`.

A source plugin calls `register(name, source, module="dlt_source_x.module")` in
`register_sources`, a destination plugin `register(name, factory, module="dlt_destination_x")`
in `register_destinations`, a helper plugin `register(name, "dlt_x.module")` in
`register_helpers`; a
finder for the prefix, consulted after the regular import machinery, then imports
`<prefix><name>` (and `<prefix><name>.<sub>`) as that module. A known first-party name whose plugin is not
installed raises `MissingPluginImportError` (a `ModuleNotFoundError`) with the `pip install` that provides it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import Any

PREFIX = "dlt.sources."
#: the import prefix -> the kind of provision (see `dlt.plugins.manager`) that lists its modules
PREFIX_KINDS = {"dlt.sources.": "source_module", "dlt.helpers.": "helper_module",
                "dlt.destinations.impl.": "destination_module"}


def registered_modules(kind: str = "source_module") -> dict[str, str]:
    """Suffix -> module name, for every import path plugins registered as `kind`."""
    from dlt.plugins import get_plugin_manager

    return get_plugin_manager().provided(kind)


def target_module(suffix: str, kind: str = "source_module") -> str | None:
    """The real module for `<prefix><suffix>`: an exact registration, else the longest
    registered prefix with the rest of the dotted path appended."""
    modules = registered_modules(kind)
    if suffix in modules:
        return modules[suffix]
    parts = suffix.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in modules:
            return ".".join([modules[prefix], *parts[cut:]])
    return None


def missing_distribution(suffix: str, kind: str = "source_module") -> str | None:
    """The first-party distribution that provides `<prefix><suffix>`, if one does."""
    from dlt.plugins.errors import FIRST_PARTY_DISTRIBUTIONS

    known = FIRST_PARTY_DISTRIBUTIONS.get(kind, {})
    parts = suffix.split(".")
    for cut in range(len(parts), 0, -1):
        distribution = known.get(".".join(parts[:cut]))
        if distribution:
            return distribution
    return None


def _closest_module(suffix: str, kind: str = "source_module") -> str | None:
    """The registered or first-party module (of `kind`) `suffix` was probably meant to be."""
    from dlt.plugins.errors import FIRST_PARTY_DISTRIBUTIONS
    from dlt.plugins.suggestions import closest_name

    if "." in suffix:
        return None
    names = {*registered_modules(kind), *FIRST_PARTY_DISTRIBUTIONS.get(kind, {})}
    return closest_name(suffix, [name for name in names if "." not in name])


class _AliasLoader(importlib.abc.Loader):
    """Loads a module name as another, already importable module (the same object)."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the target module was executed when it was imported."""


class PluginModuleFinder(importlib.abc.MetaPathFinder):
    """Resolves `<prefix><name>` to the module a plugin registered (`dlt.sources.` by default)."""

    def __init__(self, prefix: str = PREFIX) -> None:
        self.prefix = prefix
        self.kind = PREFIX_KINDS[prefix]

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        """A spec aliasing `fullname` to a plugin's module; None for names no plugin has."""
        if not fullname.startswith(self.prefix):
            return None
        suffix = fullname[len(self.prefix):]
        module = target_module(suffix, self.kind)
        if module is None:
            distribution = missing_distribution(suffix, self.kind)
            if distribution:
                from dlt.plugins.errors import MissingPluginImportError

                # not a plain ModuleNotFoundError of `fullname`: `from dlt.sources import x`
                # would drop it and say only "cannot import name"
                raise MissingPluginImportError(
                    fullname,
                    f"No module named '{fullname}': it is provided by the plugin distribution"
                    f" {distribution}, which is not installed (or did not load; see `dlt plugins"
                    f" list`). To use it, run: pip install {distribution}",
                )
            suggestion = _closest_module(suffix, self.kind)
            if suggestion:
                from dlt.plugins.errors import MissingPluginImportError

                raise MissingPluginImportError(
                    fullname, f"No module named '{fullname}'. Did you mean '{self.prefix}{suggestion}'?")
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


class AliasSubmoduleFinder(importlib.abc.MetaPathFinder):
    """Resolves a submodule of an aliased package (`dlt.sources.helpers.rest_client.auth`) to
    the real submodule. It must run before the path finder, which would otherwise find the file
    through the real package's `__path__` and execute it a second time under the alias name
    (two copies of every class, so `except` clauses and `isinstance` checks fail)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        """A spec aliasing `fullname` to `<real parent>.<leaf>` when its parent is an alias."""
        if not fullname.startswith(tuple(PREFIX_KINDS)):
            return None
        parent_name, _, leaf = fullname.rpartition(".")
        parent = sys.modules.get(parent_name)
        real_parent = getattr(parent, "__name__", parent_name)
        if parent is None or real_parent == parent_name:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(f"{real_parent}.{leaf}"))


def install(prefix: str = PREFIX) -> None:
    """Put the finder for `prefix` at the end of `sys.meta_path` (once): real modules are found
    first; the submodule finder goes first, as it only answers below an already aliased package."""
    if not any(isinstance(finder, PluginModuleFinder) and finder.prefix == prefix
               for finder in sys.meta_path):
        sys.meta_path.append(PluginModuleFinder(prefix))
    if not any(isinstance(finder, AliasSubmoduleFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, AliasSubmoduleFinder())
