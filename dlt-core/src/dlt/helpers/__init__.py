"""`dlt.helpers.<name>`: helper modules that plugins provide, as dlt 1.31 ships them
(`dlt.helpers.airflow_helper` from dlt-airflow).

Nothing lives here: plugins register their module with the `register_helpers` hook and the
finder in `dlt.sources.plugin_modules` imports `dlt.helpers.<name>` as that module. A known
name whose distribution is missing raises `ModuleNotFoundError` with its `pip install`.
"""

from __future__ import annotations

from dlt.sources import plugin_modules

plugin_modules.install("dlt.helpers.")
