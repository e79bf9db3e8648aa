"""Implementations of the destinations built into dlt-core (loaded through `dlt.plugins`), and
dlt 1.31's import paths of the others: `dlt.destinations.impl.<name>` of a destination plugin
that registered its package (`register(name, factory, module=...)`) imports as that package, so
`dlt.destinations.impl.postgres.configuration` is the plugin's own `configuration` module. A
first-party name whose plugin is missing raises `ModuleNotFoundError` with its `pip install`.
"""

from __future__ import annotations

from dlt.sources import plugin_modules

plugin_modules.install("dlt.destinations.impl.")
