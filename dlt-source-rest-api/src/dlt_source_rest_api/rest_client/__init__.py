"""`dlt.sources.helpers.rest_client`: `RESTClient`, `paginate`, `PageData`, and the
`paginators`, `auth`, `detector`, `typing` and `exceptions` modules."""

from __future__ import annotations

from dlt_source_rest_api.rest_client.auth import AuthConfigBase
from dlt_source_rest_api.rest_client.client import PageData, RESTClient, join_url, paginate
from dlt_source_rest_api.rest_client.paginators import BasePaginator
from dlt_source_rest_api.rest_client.typing import HTTPMethodBasic, Hooks

__all__ = ["AuthConfigBase", "BasePaginator", "HTTPMethodBasic", "Hooks", "PageData", "RESTClient", "join_url", "paginate"]
