"""Starting the dashboard of one pipeline: check, build the app, serve."""

from __future__ import annotations

from pathlib import Path

from dlt_cli.errors import CliError
from dlt_cli.output import note
from dlt_cli.pipeline_locator import attach


def show_dashboard(name: str, working_dir: Path | None, *, schema_name: str | None, port: int,
                   open_browser: bool) -> None:
    """Serve the dashboard of pipeline `name` on 127.0.0.1:`port` until Ctrl-C.

    Fails before serving when the web libraries are missing, the pipeline is not there, or
    `schema_name` is not one of its schemas; a destination that cannot be read is only noted,
    as the page still shows the schema, the last run and the packages.
    """
    from dlt_cli.dashboard.libraries import require_dashboard_libraries

    require_dashboard_libraries()
    from dlt_cli.dashboard.app import create_app
    from dlt_cli.dashboard.reader import PipelineReader, destination_problem
    from dlt_cli.dashboard.server import serve

    pipeline = attach(name, working_dir)
    if schema_name is not None and schema_name not in pipeline.schema_names:
        known = ", ".join(pipeline.schema_names) or "none"
        raise CliError(f"Pipeline {pipeline.pipeline_name} has no schema {schema_name}; its schemas: {known}.")
    problem = destination_problem(pipeline)
    if problem is not None:
        note(f"Note: {problem} The dashboard shows the schema, the last run and the packages only.")
    reader = PipelineReader(lambda: attach(name, working_dir), schema_name)
    serve(create_app(reader, pipeline.pipeline_name), port,
          title=f"Dashboard of pipeline {pipeline.pipeline_name}", open_browser=open_browser)
