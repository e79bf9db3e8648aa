"""`dlt.sources.helpers.rest_client.utils`: `join_url`."""

from __future__ import annotations

from dlt_source_rest_api.rest_client.client import join_url

__all__ = ["join_url"]
