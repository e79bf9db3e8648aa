"""Helpers of `dlt.sources.rest_api` that scripts call directly: `check_connection`, `join_url`."""

from __future__ import annotations

import logging
from typing import Any

from dlt_source_rest_api.rest_client.client import join_url

logger = logging.getLogger("dlt.sources.rest_api")


def check_connection(source: Any, *resource_names: str) -> tuple[bool, str]:
    """Extract one item from the resources `resource_names` of `source`: `(True, "")` when that
    works, else `(False, the error message)`, never raising. As in dlt 1.31, naming no resource
    selects none, so nothing is requested and the answer is `(True, "")`."""
    try:
        list(source.with_resources(*resource_names).add_limit(1))
    except Exception as exc:  # noqa: BLE001 - any failure means the connection does not work
        logger.error("Checking the connection failed: %s", exc)
        return False, str(exc)
    return True, ""


__all__ = ["check_connection", "join_url"]
