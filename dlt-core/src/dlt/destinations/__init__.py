"""Destinations, resolved by name through the plugin registry.

`dlt.destinations.bigquery`, `from dlt.destinations import redshift` and `destination="duckdb"`
all resolve to whichever installed plugin registered that name. An unknown name raises an
error listing the installed destinations and, for first-party ones, the `pip install` to run.
"""

from __future__ import annotations

from typing import Any

from dlt.destinations.base import (
    ClientContext,
    Destination,
    DestinationCapabilities,
    DestinationError,
    DestinationTerminalError,
    DestinationTransientError,
    JobClient,
    LoadJobTerminalError,
)

from dlt.destinations import missing as _missing

_missing.install()

_MODULE_ATTRIBUTES = {
    "ClientContext", "Destination", "DestinationCapabilities", "DestinationError",
    "DestinationTerminalError", "DestinationTransientError", "JobClient",
    "LoadJobTerminalError", "resolve_destination",
}


def resolve_destination(destination: Any) -> Destination | None:
    """A destination instance from a name, a factory class or an instance (None stays None)."""
    if destination is None or isinstance(destination, Destination):
        return destination
    if isinstance(destination, str):
        from dlt.plugins import get_plugin_manager
        from dlt.plugins.errors import UnknownProvisionError

        try:
            factory = get_plugin_manager().destination(destination)
        except UnknownProvisionError:
            destination_type = _configured_destination_type(destination)
            if destination_type is None:
                raise
            # a named destination (dlt 1.31): `destination.<name>.destination_type` in config
            # says its type; its settings come from `destination.<name>.*`
            return get_plugin_manager().destination(destination_type)(destination_name=destination)
        return factory()
    if isinstance(destination, type) and issubclass(destination, Destination):
        return destination()
    if callable(destination) and hasattr(destination, "client"):
        return destination()
    if callable(destination) and getattr(destination, "destination_factory", None) is not None:
        # a function made into a destination by @dlt.destination
        return destination()
    raise DestinationError(
        f"destination must be a name like 'duckdb' or a destination object, got {type(destination).__name__}."
    )


def _configured_destination_type(name: str) -> str | None:
    """`destination.<name>.destination_type` from configuration (a type name such as `duckdb`,
    or dlt 1.31's `dlt.destinations.duckdb`), or None."""
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([("destination", name, "destination_type")])
    if found is None or not isinstance(found[0], str) or not found[0]:
        return None
    return found[0].removeprefix("dlt.destinations.")


_SUBMODULES = {"adapters", "impl", "utils"}
"""Modules of this package that `dlt.destinations.<name>` reaches without importing them."""


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    from dlt.plugins import get_plugin_manager

    return get_plugin_manager().destination(name)


def __dir__() -> list[str]:
    from dlt.plugins import get_plugin_manager

    return sorted(_MODULE_ATTRIBUTES | set(get_plugin_manager().names("destination")))
