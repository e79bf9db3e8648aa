"""`from dlt.destinations.adapters import bigquery_adapter`: the adapters of installed
destination plugins, as dlt 1.31 collects them here.

An adapter (`<destination>_adapter`, and helpers such as `bigquery_partition`) sets a
destination's hints on a resource. Nothing lives in this module: a name resolves to the
attribute of the same name in `dlt.destinations.impl.<destination>.<destination>_adapter`, the
module a destination plugin ships at 1.31's path (see `register_destinations`). A name of a
destination that is not installed raises `ImportError` saying which distribution provides it.
"""

from __future__ import annotations

import importlib
from typing import Any

ADAPTER_SUFFIXES = ("_adapter", "_partition")
"""How the public names of an adapter module end (`bigquery_adapter`, `bigquery_partition`)."""

DLT_131_ADAPTERS = {
    "weaviate_adapter": "weaviate", "qdrant_adapter": "qdrant", "lance_adapter": "lance",
    "lancedb_adapter": "lancedb", "bigquery_adapter": "bigquery", "bigquery_partition": "bigquery",
    "synapse_adapter": "synapse", "clickhouse_adapter": "clickhouse",
    "athena_adapter": "athena", "athena_partition": "athena", "postgres_adapter": "postgres",
    "databricks_adapter": "databricks", "iceberg_adapter": "filesystem",
    "iceberg_partition": "filesystem",
}
"""The names dlt 1.31's `dlt.destinations.adapters` exports -> the destination of each."""


def _destination_of(name: str) -> str | None:
    """The destination whose adapter module holds `name`: 1.31's own table, else the name
    before its adapter suffix (`myduck_adapter` -> `myduck`)."""
    if name in DLT_131_ADAPTERS:
        return DLT_131_ADAPTERS[name]
    for suffix in ADAPTER_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def _adapter_module(destination: str) -> str:
    """The module of `destination`'s adapters (1.31 keeps `iceberg_adapter` under filesystem)."""
    leaf = "iceberg_adapter" if destination == "filesystem" else f"{destination}_adapter"
    return f"dlt.destinations.impl.{destination}.{leaf}"


def resolve_adapter(name: str) -> Any:
    """The adapter function (or helper class) `name` from its destination plugin's adapter
    module; `ImportError` that says what to install when no installed plugin provides it."""
    destination = _destination_of(name)
    if destination is None:
        raise AttributeError(f"module 'dlt.destinations.adapters' has no attribute {name!r}")
    module_name = _adapter_module(destination)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        leaf = module_name.rpartition(".")[2]
        if not (module_name.startswith(missing) or missing.endswith(f".{leaf}")):
            raise  # the adapter module exists but something it imports is missing
        raise ImportError(_missing_message(name, destination), name=name) from exc
    try:
        return getattr(module, name)
    except AttributeError:
        raise ImportError(
            f"cannot import {name!r} from dlt.destinations.adapters: the {destination} destination's"
            f" adapter module ({module.__name__}) has no such name.", name=name) from None


def _missing_message(name: str, destination: str) -> str:
    """Why `name` cannot be imported: its plugin is not installed, or has no adapters."""
    from dlt.plugins import get_plugin_manager
    from dlt.plugins.errors import FIRST_PARTY_DISTRIBUTIONS

    where = f"cannot import {name!r} from dlt.destinations.adapters:"
    if destination in get_plugin_manager().names("destination"):
        return (f"{where} the installed {destination} destination has no adapters (no module"
                f" {_adapter_module(destination)}).")
    distribution = FIRST_PARTY_DISTRIBUTIONS["destination_module"].get(destination)
    if distribution is not None:
        return (f"{where} it comes with the {destination} destination plugin, which is not"
                f" installed. Run: pip install {distribution}")
    return (f"{where} no installed destination plugin provides a {destination} adapter"
            f" (`dlt plugins list` shows the installed destinations).")


def available_adapters() -> list[str]:
    """The names of 1.31's adapters that installed plugins provide."""
    found = []
    for name in DLT_131_ADAPTERS:
        try:
            resolve_adapter(name)
        except ImportError:
            continue
        found.append(name)
    return found


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return available_adapters()
    if name.startswith("__"):
        raise AttributeError(name)
    return resolve_adapter(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *available_adapters()})
