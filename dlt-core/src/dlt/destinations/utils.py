"""Helpers for destination adapters (`dlt.destinations.adapters`), as dlt 1.31 has them."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("dlt")

ADAPTED_DATA_NAME = "content"
"""The resource name of adapted data that has no `__name__` (a list, a generator object)."""


def get_resource_for_adapter(data: Any) -> Any:
    """The resource an adapter sets its hints on: `data` itself when it is a resource, the one
    selected resource of a source, or `data` made into a resource (named after its `__name__`,
    else `content`). A source with several selected resources raises `ValueError`: an adapter
    sets one table's hints, so pass the resource (`source.resources["name"]`)."""
    from dlt.extract import DltResource, DltSource
    from dlt.extract.decorators import resource

    if isinstance(data, DltResource):
        return data
    if isinstance(data, DltSource):
        selected = list(data.selected_resources.values())
        if len(selected) == 1:
            return selected[0]
        raise ValueError(
            f"An adapter sets the hints of one table, but source {data.name!r} has"
            f" {len(selected)} selected resources ({', '.join(r.name for r in selected)})."
            " Pass one of them instead, e.g. source.resources['name'].")
    if hasattr(data, "__name__"):
        return resource(data)
    logger.info("Adapted data has no name: its resource (and table) is named %r.", ADAPTED_DATA_NAME)
    return resource(data, name=ADAPTED_DATA_NAME)
