"""The plugin manager: loads entry points of `dlt.plugins`, records each one, resolves names.

One loader for built-ins and third parties alike. A plugin that fails to import, needs another
dlt-core, or breaks in a registrar hook is recorded with its error and skipped; it never breaks
`import dlt` or the other plugins.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any

import pluggy
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from dlt import hookspecs
from dlt.plugins.errors import (
    DuplicateProvisionError,
    PluginError,
    PluginUnavailableError,
    UnknownProvisionError,
)
from dlt.plugins.records import PluginRecord
from dlt.version import DLT_CORE_DISTRIBUTION, __version__

ENTRY_POINT_GROUP = "dlt.plugins"
DISABLE_ENV = "DLT_DISABLE_PLUGINS"
ALLOW_ENV = "DLT_LOAD_PLUGINS"

#: registrar hook name -> the kind of thing it registers
REGISTRARS = {
    "register_destinations": "destination",
    "register_sources": "source",
    "register_init_templates": "init_template",
    "register_config_providers": "config_provider",
    "register_naming_conventions": "naming_convention",
    "register_helpers": "helper_module",
}


def _names_from_env(environ: dict[str, str] | os._Environ[str], key: str) -> set[str] | None:
    raw = environ.get(key)
    if raw is None or not raw.strip():
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


def incompatibility(distribution: metadata.Distribution | None, core_version: str) -> str | None:
    """Say why `distribution` cannot run on dlt-core `core_version`, or None when it can."""
    if distribution is None:
        return None
    for line in distribution.requires or []:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) != DLT_CORE_DISTRIBUTION:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        if not requirement.specifier.contains(Version(core_version), prereleases=True):
            return (
                f"it requires dlt-core{requirement.specifier} but dlt-core {core_version} is"
                f" installed; install a version of {distribution.metadata['Name']} made for"
                f" dlt-core {core_version}"
            )
    return None


class PluginManager:
    """Loads and holds dlt plugins; make a fresh one in tests with `load_entry_points=False`."""

    def __init__(
        self,
        *,
        load_entry_points: bool = True,
        environ: dict[str, str] | None = None,
        core_version: str = __version__,
    ) -> None:
        self.pluggy = pluggy.PluginManager("dlt")
        self.pluggy.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.core_version = core_version
        self._environ = environ if environ is not None else os.environ
        # kind -> name -> list of (provided object, record)
        self._provided: dict[str, dict[str, list[tuple[Any, PluginRecord]]]] = {
            kind: {} for kind in (*REGISTRARS.values(), "source_module", "destination_module")
        }
        if load_entry_points:
            self.load_entry_points()

    @property
    def hook(self) -> Any:
        """The pluggy hook relay: `manager.hook.on_extract_items(...)` calls every plugin."""
        return self.pluggy.hook

    # -- loading ------------------------------------------------------------------------------

    def load_entry_points(self) -> None:
        """Load every entry point of the `dlt.plugins` group, honouring the env switches."""
        disabled = _names_from_env(self._environ, DISABLE_ENV) or set()
        allowed = _names_from_env(self._environ, ALLOW_ENV)
        for entry_point in sorted(
            metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name
        ):
            distribution = getattr(entry_point, "dist", None)
            dist_name = distribution.metadata["Name"] if distribution is not None else None
            record = PluginRecord(
                name=entry_point.name,
                module=entry_point.value,
                distribution=dist_name,
                version=distribution.version if distribution is not None else None,
                builtin=bool(dist_name)
                and canonicalize_name(dist_name or "") == DLT_CORE_DISTRIBUTION,
            )
            if entry_point.name in self.records:
                other = self.records[entry_point.name]
                record.status = "error"
                record.error = PluginError(
                    f"The plugin name '{entry_point.name}' is used by both {other.distribution}"
                    f" and {dist_name}; plugin names must be unique."
                )
                self.records[f"{entry_point.name} ({dist_name})"] = record
                continue
            self.records[record.name] = record
            if record.name in disabled or (
                allowed is not None and not record.builtin and record.name not in allowed
            ):
                record.status = "blocked"
                switch = DISABLE_ENV if record.name in disabled else ALLOW_ENV
                record.error = PluginError(f"plugin '{record.name}' is blocked by {switch}")
                continue
            try:
                reason = incompatibility(distribution, self.core_version)
            except Exception as exc:  # broken metadata must not stop other plugins
                record.status, record.error = "error", exc
                continue
            if reason:
                record.status = "incompatible"
                record.error = PluginError(reason)
                continue
            try:
                plugin = entry_point.load()
            except BaseException as exc:  # a plugin's import may fail in any way
                if isinstance(exc, KeyboardInterrupt):
                    raise
                record.status, record.error = "error", exc
                continue
            self._register(plugin, record)

    def register_plugin(
        self,
        plugin: object,
        name: str,
        *,
        distribution: str | None = None,
        version: str | None = None,
    ) -> PluginRecord:
        """Register an in-process plugin object (a module or instance with hook impls).

        Used by tests and by scripts that want a plugin without packaging it. Returns the
        record, whose status tells whether registration worked.
        """
        if name in self.records:
            raise PluginError(f"A plugin named '{name}' is already registered.")
        record = PluginRecord(
            name=name,
            module=getattr(plugin, "__name__", type(plugin).__name__),
            distribution=distribution,
            version=version,
        )
        self.records[name] = record
        self._register(plugin, record)
        return record

    def unregister_plugin(self, name: str) -> None:
        """Remove plugin `name` and everything it provided."""
        record = self.records.pop(name, None)
        if record is None:
            return
        if self.pluggy.has_plugin(name):
            self.pluggy.unregister(name=name)
        for provided in self._provided.values():
            for key in list(provided):
                provided[key] = [entry for entry in provided[key] if entry[1] is not record]
                if not provided[key]:
                    del provided[key]

    def _register(self, plugin: object, record: PluginRecord) -> None:
        try:
            unknown = [
                attr
                for attr in dir(plugin)
                if self.pluggy.parse_hookimpl_opts(plugin, attr) is not None
                and not hasattr(hookspecs, attr)
            ]
            if unknown:
                raise PluginError(
                    f"plugin '{record.name}' implements hooks that dlt does not define:"
                    f" {', '.join(unknown)}; check the names against docs/plugins/hooks.md"
                )
            self.pluggy.register(plugin, name=record.name)
        except Exception as exc:
            record.status, record.error = "error", exc
            return
        callers = self.pluggy.get_hookcallers(plugin) or []
        record.hooks = sorted(caller.name for caller in callers)
        provided: list[tuple[str, str, Any]] = []
        try:
            for hook_name, kind in REGISTRARS.items():
                caller = getattr(self.pluggy.hook, hook_name)
                for impl in caller.get_hookimpls():
                    if impl.plugin is not plugin:
                        continue

                    def register(name: str, obj: Any = None, *, module: str | None = None,
                                 _kind: str = kind) -> None:
                        if _kind == "config_provider":
                            name, obj = getattr(name, "name", type(name).__name__), name
                        if _kind == "helper_module" and obj is None:
                            obj = module  # register(name, module="pkg.module")
                        if _kind in ("source", "destination") and module is not None:
                            # `dlt.sources.<name>` / `dlt.destinations.impl.<name>` imports as
                            # this module (see dlt.sources.plugin_modules)
                            provided.append((f"{_kind}_module", name, module))
                            if obj is None:
                                return
                        provided.append((_kind, name, obj))

                    arguments = {"register": register}
                    impl.function(**{arg: arguments[arg] for arg in impl.argnames})
        except Exception as exc:
            self.pluggy.unregister(plugin)
            record.status, record.error = "error", exc
            return
        for kind, name, obj in provided:
            record.provides.setdefault(kind, []).append(name)
            self._provided[kind].setdefault(name, []).append((obj, record))

    # -- resolution ---------------------------------------------------------------------------

    def names(self, kind: str) -> list[str]:
        """Names of every usable `kind` (`destination`, `source`, ...) from plugins that are ok."""
        return sorted(self._provided[kind])

    def provided(self, kind: str) -> dict[str, Any]:
        """Name -> object for every unambiguous `kind` provided by loaded plugins."""
        return {name: entries[0][0] for name, entries in self._provided[kind].items()
                if len(entries) == 1}

    def resolve(self, kind: str, name: str) -> Any:
        """The object plugin(s) registered as `name`, or a clear error saying why there is none."""
        entries = self._provided[kind].get(name)
        if entries:
            if len(entries) > 1:
                raise DuplicateProvisionError(
                    kind, name, [entry[1].distribution or entry[1].name for entry in entries]
                )
            return entries[0][0]
        record = self.records.get(name)
        if record is not None and not record.ok:
            raise PluginUnavailableError(kind, name, record) from record.error
        unavailable = [r for r in self.records.values() if not r.ok]
        error = UnknownProvisionError(kind, name, self.names(kind), unavailable)
        if len(unavailable) == 1 and unavailable[0].error is not None:
            raise error from unavailable[0].error
        raise error

    def destination(self, name: str) -> Any:
        """The destination factory registered as `name`."""
        return self.resolve("destination", name)

    def source(self, name: str) -> Any:
        """The source function registered as `name`."""
        return self.resolve("source", name)


_default_manager: PluginManager | None = None


def get_plugin_manager() -> PluginManager:
    """The process-wide plugin manager, created (and entry points loaded) on first use."""
    global _default_manager
    if _default_manager is None:
        _default_manager = PluginManager()
    return _default_manager


def set_plugin_manager(manager: PluginManager | None) -> PluginManager | None:
    """Replace the process-wide manager (None: make a fresh one on next use); returns the old."""
    global _default_manager
    previous, _default_manager = _default_manager, manager
    return previous


@contextmanager
def use_plugin_manager(manager: PluginManager) -> Iterator[PluginManager]:
    """Use `manager` as the process-wide plugin manager inside a `with` block."""
    previous = set_plugin_manager(manager)
    try:
        yield manager
    finally:
        set_plugin_manager(previous)
