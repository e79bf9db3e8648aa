"""The dashboard's Starlette application: the main page and a page per table.

Routes: `/` (pipeline, tables with row counts and columns, loads, last run, packages) and
`/tables/{name}?page=N` (a table's columns and page N of its rows). Pages are plain HTML with
inline CSS: no scripts, no external assets. A Content-Security-Policy that allows no script
backs up the escaping, and only `Host: 127.0.0.1` / `localhost` is answered.
"""

from __future__ import annotations

from typing import Any

from dlt_cli.dashboard.reader import PipelineReader, UnknownTable, error_text
from dlt_cli.dashboard.rendering import Pages

#: headers of every page: no scripts, frames or outside resources; not cached
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
                               " form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
LOCAL_HOSTS = ["127.0.0.1", "localhost"]


def create_app(reader: PipelineReader, pipeline_name: str) -> Any:
    """The ASGI application serving `reader`'s pipeline."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    pages = Pages()

    def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("pipeline_name", pipeline_name)
        context.setdefault("dataset_name", None)
        return HTMLResponse(pages.render(template, **context), status_code=status_code,
                            headers=SECURITY_HEADERS)

    def failed(error: Exception) -> HTMLResponse:
        return page("not_found.html", status_code=500, title="Could not read the pipeline",
                    message=error_text(error))

    def overview(request: Request) -> HTMLResponse:
        try:
            data = reader.overview()
        except Exception as error:  # e.g. the schema picked with --schema is gone
            return failed(error)
        return page("overview.html", o=data, pipeline_name=data.pipeline_name, dataset_name=data.dataset_name)

    def table(request: Request) -> HTMLResponse:
        name = request.path_params["name"]
        try:
            number = int(request.query_params.get("page", "1"))
        except ValueError:
            number = 1
        try:
            data = reader.table_page(name, page=number)
        except UnknownTable:
            return page("not_found.html", status_code=404,
                        message=f"Table {name} is not in the schema of pipeline {pipeline_name}.")
        except Exception as error:
            return failed(error)
        return page("table.html", p=data, pipeline_name=data.pipeline_name, dataset_name=data.dataset_name)

    def not_found(request: Request, exc: Exception) -> HTMLResponse:
        return page("not_found.html", status_code=404, message=f"There is no page {request.url.path}.")

    # sync endpoints run in Starlette's thread pool, so a slow query never blocks the server's loop
    routes = [Route("/", overview), Route("/tables/{name:path}", table)]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=LOCAL_HOSTS)],
                     exception_handlers={404: not_found})
