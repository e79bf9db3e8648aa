"""Errors raised when a plugin or something a plugin provides cannot be used."""

from __future__ import annotations

from collections.abc import Iterable

from dlt.plugins.suggestions import closest_name
from dlt.utils.exceptions import DltException

#: First-party plugin names and the distribution that provides each.
FIRST_PARTY_DISTRIBUTIONS = {
    "destination": {
        "bigquery": "dlt-destination-bigquery",
        "redshift": "dlt-destination-redshift",
        "postgres": "dlt-destination-postgres",
        "sqlalchemy": "dlt-destination-sqlalchemy",
    },
    "source": {
        "rest_api": "dlt-source-rest-api",
        "sql_database": "dlt-source-sql-database",
        "filesystem": "dlt-source-filesystem",
    },
    "source_module": {
        "rest_api": "dlt-source-rest-api",
        "helpers.rest_client": "dlt-source-rest-api",
        "helpers.requests": "dlt-source-rest-api",
        "sql_database": "dlt-source-sql-database",
        "filesystem": "dlt-source-filesystem",
    },
    "destination_module": {
        "bigquery": "dlt-destination-bigquery",
        "redshift": "dlt-destination-redshift",
        "postgres": "dlt-destination-postgres",
        "sqlalchemy": "dlt-destination-sqlalchemy",
    },
    "helper_module": {
        "airflow_helper": "dlt-airflow",
    },
}


class PluginError(DltException):
    """Base of errors about plugins."""


class UnknownProvisionError(PluginError, AttributeError):
    """No installed and loaded plugin provides the requested destination or source name.

    Subclasses `AttributeError` so that `hasattr(dlt.destinations, "x")` works as expected.
    """

    def __init__(self, kind: str, name: str, installed: Iterable[str],
                 unavailable: Iterable[object] = ()) -> None:
        self.kind = kind
        self.name = name
        self.installed = sorted(installed)
        self.unavailable = list(unavailable)
        listing = ", ".join(self.installed) or "none"
        message = f"No {kind} named '{name}' is installed. Installed {kind}s: {listing}."
        known = FIRST_PARTY_DISTRIBUTIONS.get(kind, {})
        self.suggestion = None if name in known else closest_name(name, [*self.installed, *known])
        if self.suggestion:
            message += f" Did you mean '{self.suggestion}'?"
        if self.unavailable:
            described = "; ".join(
                f"{getattr(r, 'name', '?')} ({getattr(r, 'distribution', None) or '?'}"
                f" {getattr(r, 'version', None) or ''}, {getattr(r, 'status', '?')}:"
                f" {getattr(r, 'error', None)})"
                for r in self.unavailable
            )
            message += f" Plugins that did not load and may provide it: {described}."
        distribution = known.get(name) or (
            known.get(self.suggestion) if self.suggestion not in self.installed else None)
        if distribution:
            what = "it" if name in known else f"'{self.suggestion}'"
            message += f" To use {what}, run: pip install {distribution}"
        elif not self.suggestion:
            message += (
                f" Install a plugin distribution that registers the {kind} '{name}' in the"
                " 'dlt.plugins' entry-point group, then check it with `dlt plugins list`."
            )
        super().__init__(message)


class PluginUnavailableError(PluginError, AttributeError):
    """The plugin that would provide a name exists but could not be loaded."""

    def __init__(self, kind: str, name: str, record: object) -> None:
        self.kind = kind
        self.name = name
        self.record = record
        plugin = getattr(record, "name", "?")
        distribution = getattr(record, "distribution", None) or "unknown distribution"
        version = getattr(record, "version", None) or "unknown version"
        status = getattr(record, "status", "error")
        error = getattr(record, "error", None)
        reason = {
            "blocked": f"it is disabled ({error})",
            "incompatible": f"it is incompatible with this dlt-core: {error}",
        }.get(status, f"it failed to load: {error!r}")
        message = (
            f"The {kind} '{name}' comes from plugin '{plugin}' ({distribution} {version}), but"
            f" {reason}. Run `dlt plugins list -v` for details."
        )
        first_party = FIRST_PARTY_DISTRIBUTIONS.get(kind, {}).get(name)
        if first_party:
            message += f" It is provided by `pip install {first_party}`."
        super().__init__(message)


class DuplicateProvisionError(PluginError, AttributeError):
    """Two plugins provide the same name, so it is ambiguous which one to use."""

    def __init__(self, kind: str, name: str, distributions: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.distributions = list(distributions)
        both = " and ".join(self.distributions)
        super().__init__(
            f"The {kind} '{name}' is provided by more than one plugin: {both}. Uninstall one of"
            " them or disable one with DLT_DISABLE_PLUGINS=<plugin name>."
        )


class MissingPluginImportError(PluginError, ModuleNotFoundError):
    """`from dlt.destinations import x` (or `import dlt.sources.x`) for a name no installed
    plugin provides: the message says which distribution to `pip install`, or which installed
    name was probably meant. Raised from the import of `module`; its cause is the
    plugin manager's error."""

    def __init__(self, module: str, message: str) -> None:
        self.module = module
        # `name` stays unset: the import system drops a ModuleNotFoundError whose name is the
        # missing submodule during `from package import name`, and the user would only see
        # "cannot import name"
        super().__init__(message)
