"""`refresh=`: start a source or some of its resources over, as dlt 1.31 does.

- `drop_sources`: every table of the source's schema is dropped (also tables of resources that
  are no longer in the source) and the whole source state is wiped.
- `drop_resources`: the tables of the selected resources are dropped (with their nested tables)
  and their resource state is wiped; source-level state and other resources stay.
- `drop_data`: the tables of the selected resources are emptied, the schema is kept, and their
  resource state (incremental cursors included) is wiped.

The schema and state changes are made before extraction, so resources see the fresh state. The
tables to drop or empty travel in the load package (`package.json` `refresh`), and the job
client drops them before it migrates the schema and empties them inside the package's
transaction: a crash before the load commits repeats both on the next run, which is harmless.
"""

from __future__ import annotations

from typing import Any

from dlt.pipeline.exceptions import PipelineException
from dlt.schema import Schema

REFRESH_MODES = ("drop_sources", "drop_resources", "drop_data")
"""The values `refresh=` accepts on `dlt.pipeline()` and `run()`."""


def check_refresh_mode(mode: str | None) -> str | None:
    """Return `mode` when it is None or a refresh mode; raise a sentence saying the choices."""
    if mode is not None and mode not in REFRESH_MODES:
        raise PipelineException(
            f"refresh={mode!r} is not a refresh mode; use one of: {', '.join(REFRESH_MODES)}"
            " (or leave it out)."
        )
    return mode


def resource_tables(schema: Schema, resources: list[str]) -> list[str]:
    """Tables loaded by `resources` (root tables with their `resource` and every nested
    table below them), parents first."""
    names: list[str] = []
    for table in schema.data_tables(include_incomplete=True):
        if table.get("parent") or table.get("resource") not in resources:
            continue
        for member in [table, *schema.child_tables(table["name"])]:
            if member["name"] not in names:
                names.append(member["name"])
    return names


def apply_refresh(mode: str | None, source: Any, schema: Schema, state: dict[str, Any]) -> dict[str, list[str]]:
    """Reset `schema` and `state` for one source being extracted with refresh `mode`; returns
    the tables the load of its package drops (`dropped_tables`) or empties
    (`truncated_tables`). An empty dict when there is nothing to refresh."""
    if check_refresh_mode(mode) is None:
        return {}
    sources_state = state.setdefault("sources", {})
    if mode == "drop_sources":
        dropped = [t["name"] for t in schema.data_tables(include_incomplete=True)]
        for name in dropped:
            schema.tables.pop(name, None)
        # the source's own table hints (declared on its schema) stay
        for table in source.schema.tables.values():
            if not table["name"].startswith("_dlt"):
                schema.update_table(table)
        sources_state[source.name] = {}
        return {"dropped_tables": dropped}
    selected = list(source.selected_resources)
    tables = resource_tables(schema, selected)
    resources_state = sources_state.get(source.name, {}).get("resources", {})
    for resource in selected:
        resources_state.pop(resource, None)
    if mode == "drop_resources":
        for name in tables:
            schema.tables.pop(name, None)
        return {"dropped_tables": tables}
    return {"truncated_tables": tables}
