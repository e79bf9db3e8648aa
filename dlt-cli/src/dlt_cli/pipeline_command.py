"""`dlt pipeline`: list pipelines and inspect or manage one by name.

`dlt pipeline --list`, and `dlt pipeline NAME info|show|trace|schema|failed-jobs|sync|drop|
load-package`. Read commands take `--json`; `show` serves a web dashboard (`dlt_cli.dashboard`)
unless `--text` or `--json` asks for the table counts. Commands that reach the destination (show, sync,
drop) resolve it as the pipeline's script does, from `.dlt/` and the environment of the current
directory, so run them where the pipeline runs.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dlt_cli.errors import CliError
from dlt_cli.output import note, print_json, print_pairs, print_table, progress
from dlt_cli.pipeline_locator import (
    TRACE_FILE,
    attach,
    find_pipelines,
    pipeline_folder,
    require_destination,
    search_dirs,
)
from dlt_cli.schema_command import SchemaFormat, schema_text

if TYPE_CHECKING:
    from dlt import Pipeline

JSON_OPTION = typer.Option("--json", help="Print JSON instead of tables.")
PACKAGE_STATES = ("extracted", "normalized", "loaded")
#: the port `show` serves the dashboard on (kept here so `dlt pipeline --help` needs no web library)
DASHBOARD_PORT = 8765


@dataclass
class Selection:
    """The pipeline a sub-command works on, as given on the command line."""

    name: str
    working_dir: Path | None

    def attach(self) -> Pipeline:
        """The pipeline, reopened from its working dir."""
        return attach(self.name, self.working_dir)


def register(app: typer.Typer) -> None:
    """Add the `pipeline` command group to `app`."""
    pipeline_app = typer.Typer(
        name="pipeline", invoke_without_command=True,
        help="List pipelines, or inspect and manage the pipeline NAME (default command: info).",
    )
    pipeline_app.callback()(select_pipeline)
    pipeline_app.command("info")(info)
    pipeline_app.command("show")(show)
    pipeline_app.command("trace")(trace)
    pipeline_app.command("schema")(schema)
    pipeline_app.command("failed-jobs")(failed_jobs)
    pipeline_app.command("load-package")(load_package)
    pipeline_app.command("sync")(sync)
    pipeline_app.command("drop")(drop)
    app.add_typer(pipeline_app, name="pipeline")


def select_pipeline(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="The pipeline name.")] = None,
    list_pipelines: Annotated[
        bool, typer.Option("--list", "-l", help="List the pipelines in the pipelines dirs.")
    ] = False,
    working_dir: Annotated[
        Path | None,
        typer.Option("--working-dir", "--pipelines-dir",
                     help="A folder of pipeline working dirs (or one pipeline's working dir)"
                          " to use besides the default $DLT_PIPELINES_DIR or <tmp>/dlt_pipelines."),
    ] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """List pipelines with --list, or work on the pipeline NAME."""
    if list_pipelines:
        if ctx.invoked_subcommand is not None:
            raise typer.BadParameter("--list takes no command.", param_hint="--list")
        _list(working_dir, as_json)
        raise typer.Exit()
    if name is None:
        raise typer.BadParameter("give a pipeline NAME and a command, or --list.", param_hint="NAME")
    ctx.obj = Selection(name, working_dir)
    if ctx.invoked_subcommand is None:
        info(ctx, as_json=as_json)


def _selection(ctx: typer.Context) -> Selection:
    selection = ctx.obj
    assert isinstance(selection, Selection)
    return selection


def _verbose(ctx: typer.Context) -> bool:
    return bool(ctx.find_root().params.get("verbose"))


# -- --list ------------------------------------------------------------------------------------


def _list(working_dir: Path | None, as_json: bool) -> None:
    found = find_pipelines(working_dir)
    if as_json:
        print_json([pipeline.to_dict() for pipeline in found])
        return
    folders = ", ".join(str(folder) for folder in search_dirs(working_dir))
    if not found:
        typer.echo(f"No pipelines in {folders}.")
        return
    print_table(("NAME", "DESTINATION", "DATASET", "STATE VERSION", "LAST RUN", "WORKING DIR"),
                [(p.name, p.destination, p.dataset_name, p.state_version, p.last_run, p.working_dir)
                 for p in found])
    note(f"{len(found)} pipeline(s) in {folders}.")


# -- info ----------------------------------------------------------------------------------------


def info(ctx: typer.Context, as_json: Annotated[bool, JSON_OPTION] = False) -> None:
    """The pipeline's destination, dataset, schemas, state, packages and last run."""
    pipeline = _selection(ctx).attach()
    data = pipeline_info(pipeline)
    if as_json:
        print_json(data)
        return
    pending = data["pending_packages"]
    loaded = data["loaded_packages"]
    last_run = data["last_run"]
    print_pairs([
        ("Pipeline", data["pipeline_name"]),
        ("Working dir", data["working_dir"]),
        ("Destination", data["destination"]),
        ("Dataset", data["dataset_name"]),
        ("Schemas", ", ".join(f"{n} (default)" if n == data["default_schema_name"] else n
                              for n in data["schema_names"]) or None),
        ("State version", data["state_version"]),
        ("First run", "yes" if data["first_run"] else "no"),
        ("Pending packages", f"{len(pending['extracted'])} extracted, {len(pending['normalized'])}"
                             " normalized" + (" (the next run loads them)" if any(pending.values()) else "")),
        ("Loaded packages", f"{len(loaded)}" + (f" (last {loaded[-1]})" if loaded else "")),
        ("Last run", _last_run_text(last_run)),
    ])
    resources = [(source, resource, ", ".join(sorted(state)) if isinstance(state, dict) else state)
                 for source, source_state in sorted(data.get("sources", {}).items())
                 for resource, state in sorted((source_state.get("resources") or {}).items())]
    if resources:
        typer.echo()
        print_table(("SOURCE", "RESOURCE", "STATE KEYS"), resources, title="Resource state")


def pipeline_info(pipeline: Pipeline) -> dict[str, Any]:
    """What `dlt pipeline NAME info --json` prints."""
    from dlt.pipeline.state import destination_of_state

    state = pipeline.state
    trace_data = _read_trace(pipeline)
    last_run = None
    if trace_data is not None:
        last_run = {"started_at": trace_data.get("started_at"),
                    "steps": {step["step"]: "failed" if step.get("error") else "completed"
                              for step in trace_data.get("steps", [])}}
    return {
        "pipeline_name": pipeline.pipeline_name,
        "working_dir": str(pipeline.working_dir),
        "destination": destination_of_state(state)[0],
        "dataset_name": pipeline.dataset_name,
        "schema_names": pipeline.schema_names,
        "default_schema_name": pipeline.default_schema_name,
        "state_version": state.get("_state_version", 0),
        "first_run": pipeline.first_run,
        "pending_packages": {"extracted": pipeline.list_extracted_load_packages(),
                             "normalized": pipeline.list_normalized_load_packages()},
        "loaded_packages": pipeline.list_completed_load_packages(),
        "last_run": last_run,
        "sources": state.get("sources", {}),
    }


def _last_run_text(last_run: dict[str, Any] | None) -> str | None:
    if last_run is None:
        return None
    steps = ", ".join(f"{step} {outcome}" for step, outcome in last_run["steps"].items())
    return f"{last_run['started_at']} ({steps or 'no steps'})"


# -- show ----------------------------------------------------------------------------------------


def show(
    ctx: typer.Context,
    schema_name: Annotated[str | None, typer.Option("--schema", help="A schema other than the default.")] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="The port on 127.0.0.1 to serve the dashboard on (0: a free one).")
                    ] = DASHBOARD_PORT,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser; only print the URL.")] = False,
    text: Annotated[bool, typer.Option("--text", help="Print the tables with row counts instead of serving the dashboard.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the tables with row counts as JSON instead of"
                                                         " serving the dashboard.")] = False,
) -> None:
    """Serve a dashboard of the pipeline on 127.0.0.1 until Ctrl-C: tables, columns and hints,
    row counts, loads, the last run, load packages and a preview of any table's data.

    Needs the dashboard extra: pip install 'dlt-cli\\[dashboard]'. With --text or --json,
    print the tables with their row counts instead.
    """
    selection = _selection(ctx)
    if text or as_json:
        _print_table_counts(selection, schema_name, as_json)
        return
    from dlt_cli.dashboard.launch import show_dashboard

    show_dashboard(selection.name, selection.working_dir, schema_name=schema_name, port=port,
                   open_browser=not no_browser)


def _print_table_counts(selection: Selection, schema_name: str | None, as_json: bool) -> None:
    """`show --text` and `show --json`: the tables with their row counts, queried from the destination."""
    pipeline = selection.attach()
    destination = require_destination(pipeline)
    schema = _schema_of(pipeline, schema_name)
    with progress(f"Counting rows in {destination.name} dataset {pipeline.dataset_name}"):
        tables = table_counts(pipeline, schema)
    if as_json:
        print_json(tables)
        return
    if not tables:
        typer.echo(f"Schema {schema.name} of pipeline {pipeline.pipeline_name} has no data tables.")
        return
    typer.echo(f"Dataset {pipeline.dataset_name} in {destination.name}, schema {schema.name}:")
    print_table(("TABLE", "PARENT", "ROWS", "COLUMNS", "WRITE DISPOSITION"),
                [(t["name"], t["parent"], "not in destination" if t["row_count"] is None else t["row_count"],
                  t["columns"], t["write_disposition"]) for t in tables])


def table_counts(pipeline: Pipeline, schema: Any) -> list[dict[str, Any]]:
    """Each data table of `schema` with its row count in the destination (None: not there)."""
    tables = []
    with pipeline.sql_client(schema.name) as client:
        has_dataset = client.has_dataset()
        for table in schema.data_tables():
            count = None
            if has_dataset:
                try:
                    rows = client.execute_sql(
                        f"SELECT COUNT(*) FROM {client.make_qualified_table_name(table['name'])}")
                    count = rows[0][0] if rows else None
                except Exception:  # not created yet, or dropped outside dlt
                    count = None
            tables.append({
                "name": table["name"], "parent": table.get("parent"), "row_count": count,
                "columns": len(table.get("columns", {})),
                "write_disposition": schema.write_disposition(table["name"]),
            })
    return tables


def _schema_of(pipeline: Pipeline, schema_name: str | None) -> Any:
    if schema_name is None:
        if not pipeline.default_schema_name:
            raise CliError(f"Pipeline {pipeline.pipeline_name} has no schema yet; run it first.")
        return pipeline.default_schema
    if schema_name not in pipeline.schema_names:
        known = ", ".join(pipeline.schema_names) or "none"
        raise CliError(f"Pipeline {pipeline.pipeline_name} has no schema {schema_name}; its schemas: {known}.")
    return pipeline.schemas[schema_name]


# -- trace ---------------------------------------------------------------------------------------


def trace(ctx: typer.Context, as_json: Annotated[bool, JSON_OPTION] = False) -> None:
    """The last run: its steps, their outcome, and where each config value came from (no values)."""
    pipeline = _selection(ctx).attach()
    data = _read_trace(pipeline)
    if data is None:
        raise CliError(f"Pipeline {pipeline.pipeline_name} has no trace yet; it is written when the pipeline runs.")
    data["resolved_config"] = resolved_config(data)
    if as_json:
        print_json(data)
        return
    typer.echo(f"Last run of pipeline {data.get('pipeline_name')} started at {data.get('started_at')}:")
    rows = []
    for step in data.get("steps", []):
        rows.append((step["step"], step.get("started_at"), _duration(step),
                     "failed" if step.get("error") else "completed", _step_details(step)))
    print_table(("STEP", "STARTED", "DURATION", "OUTCOME", "DETAILS"), rows)
    for step in data.get("steps", []):
        if step.get("error"):
            typer.echo(f"\n{step['step']} failed: {step['error']}")
            if _verbose(ctx) and step.get("traceback"):
                typer.echo(step["traceback"].rstrip())
    typer.echo()
    if data["resolved_config"]:
        print_table(("FIELD", "PROVIDER", "KEY", "SECRET"),
                    [(c["field"], c["provider"], c["key"], "yes" if c["secret"] else "no")
                     for c in data["resolved_config"]],
                    title="Resolved configuration (where each value came from; values are never shown)")
    else:
        typer.echo("Resolved configuration: none (every value came from code or defaults).")


def resolved_config(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Where config values came from, each once: field, provider, key and whether it is secret.

    Only these four keys are kept, so a value can never reach the output.
    """
    unique: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entry in data.get("resolved_config") or []:
        kept = {"field": entry.get("field"), "provider": entry.get("provider"),
                "key": entry.get("key"), "secret": bool(entry.get("secret"))}
        unique.setdefault(tuple(kept.values()), kept)
    return list(unique.values())


def _read_trace(pipeline: Pipeline) -> dict[str, Any] | None:
    path = pipeline.working_dir / TRACE_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CliError(f"The trace {path} is not valid JSON ({exc}); it is rewritten on the next run.") from None
    return data if isinstance(data, dict) else None


def _duration(step: dict[str, Any]) -> str | None:
    from datetime import datetime

    if not step.get("started_at") or not step.get("finished_at"):
        return None
    took = datetime.fromisoformat(step["finished_at"]) - datetime.fromisoformat(step["started_at"])
    return f"{took.total_seconds():.2f}s"


def _step_details(step: dict[str, Any]) -> str:
    info = step.get("info")
    if not isinstance(info, dict):
        return ""
    counts = info.get("row_counts") or info.get("item_counts") or {}
    if isinstance(counts, list):  # NormalizeInfo.asdict(): a list of {table_name, count}
        counts = {entry.get("table_name"): entry.get("count") for entry in counts}
    shown = ", ".join(f"{table}: {count}" for table, count in counts.items() if not table.startswith("_dlt"))
    packages = info.get("loads_ids") or ([info["load_id"]] if info.get("load_id") else [])
    parts = [f"{len(packages)} package(s)"] if packages else []
    if shown:
        parts.append(shown)
    failed = info.get("failed_jobs") or [
        job for package in info.get("load_packages") or [] for job in package.get("jobs") or []
        if job.get("state") == "failed_jobs"]
    if failed:
        parts.append(f"{len(failed)} failed job(s)")
    return "; ".join(parts)


# -- schema --------------------------------------------------------------------------------------


def schema(
    ctx: typer.Context,
    schema_name: Annotated[str | None, typer.Option("--schema", help="A schema other than the default.")] = None,
    output_format: Annotated[
        SchemaFormat, typer.Option("--format", help="The format to print.", case_sensitive=False)
    ] = SchemaFormat.yaml,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """The pipeline's schema as YAML (or JSON)."""
    pipeline = _selection(ctx).attach()
    text = schema_text(_schema_of(pipeline, schema_name), SchemaFormat.json if as_json else output_format)
    typer.echo(text, nl=not text.endswith("\n"))


# -- failed-jobs and load-package ----------------------------------------------------------------


def _all_load_ids(pipeline: Pipeline) -> list[str]:
    load_ids = {*pipeline.list_extracted_load_packages(), *pipeline.list_normalized_load_packages(),
                *pipeline.list_completed_load_packages()}
    return sorted(load_ids, key=_load_id_order)


def _load_id_order(load_id: str) -> tuple[float, str]:
    try:
        return float(load_id), load_id
    except ValueError:
        return float("inf"), load_id


def _package_summary(pipeline: Pipeline, load_id: str) -> dict[str, Any]:
    """A load package as plain data: status, schema, row counts, path and jobs by state (each
    with file, table, size and error)."""
    package = pipeline.get_load_package_info(load_id)
    jobs = {
        state: [{"file": job.job_file, "table": job.table_name, "size": job.file_size, "error": job.failed_message}
                for job in state_jobs]
        for state, state_jobs in package.jobs.items() if state_jobs
    }
    return {"load_id": load_id, "status": package.state, "schema_name": package.schema_name,
            "row_counts": package.row_counts, "jobs": jobs, "path": package.package_path}


def failed_jobs(ctx: typer.Context, as_json: Annotated[bool, JSON_OPTION] = False) -> None:
    """Every load job that failed for good, in any package, with its error; and jobs of pending
    packages that failed terminally and wait for a retry (the package is not loaded until they
    load or `abort_packages()` gives it up)."""
    pipeline = _selection(ctx).attach()
    failed = []
    for load_id in _all_load_ids(pipeline):
        package = _package_summary(pipeline, load_id)
        for job in package["jobs"].get("failed_jobs", []):
            failed.append({"load_id": load_id, "package_status": package["status"], **job})
        for job in package["jobs"].get("new_jobs", []):
            if job["error"]:
                failed.append({"load_id": load_id, "package_status": f"{package['status']} (pending retry)", **job})
    if as_json:
        print_json(failed)
        return
    if not failed:
        typer.echo(f"No failed jobs in the packages of pipeline {pipeline.pipeline_name}.")
        return
    print_table(("LOAD ID", "TABLE", "FILE", "ERROR"),
                [(job["load_id"], job["table"], job["file"], (job["error"] or "").strip()) for job in failed])


def load_package(
    ctx: typer.Context,
    load_id: Annotated[str | None, typer.Argument(help="The load id (default: the newest package).")] = None,
    as_json: Annotated[bool, JSON_OPTION] = False,
) -> None:
    """A load package: its status, row counts and jobs with their errors."""
    pipeline = _selection(ctx).attach()
    if load_id is None:
        load_ids = _all_load_ids(pipeline)
        if not load_ids:
            raise CliError(f"Pipeline {pipeline.pipeline_name} has no load packages yet; run it first.")
        load_id = load_ids[-1]
    package = _package_summary(pipeline, load_id)
    if as_json:
        print_json(package)
        return
    print_pairs([("Load id", package["load_id"]), ("Status", package["status"]),
                 ("Schema", package.get("schema_name")), ("Path", package.get("path"))])
    counts = package.get("row_counts") or {}
    if counts:
        typer.echo()
        print_table(("TABLE", "ROWS"), sorted(counts.items()), title="Rows")
    jobs = [(state.removesuffix("_jobs"), job["table"], job["file"], job["size"], (job["error"] or "").strip() or None)
            for state, state_jobs in package["jobs"].items() for job in state_jobs]
    typer.echo()
    if jobs:
        print_table(("STATE", "TABLE", "FILE", "SIZE", "ERROR"), jobs, title="Jobs")
    else:
        typer.echo("Jobs: none")


# -- sync and drop -------------------------------------------------------------------------------


def sync(
    ctx: typer.Context,
    destination: Annotated[
        str | None, typer.Option("--destination", help="For a pipeline with no local working dir: its destination.")
    ] = None,
    dataset_name: Annotated[
        str | None, typer.Option("--dataset-name", help="For a pipeline with no local working dir: its dataset.")
    ] = None,
) -> None:
    """Restore the pipeline's state and schemas from the destination when it holds newer ones.

    With no local working dir, give --destination (and --dataset-name unless it is
    `<NAME>_dataset`) to recreate the pipeline from what the destination stores.
    """
    selection = _selection(ctx)
    if pipeline_folder(selection.name, selection.working_dir) is None:
        if not destination:
            raise CliError(
                f"Pipeline {selection.name} has no working dir here; pass --destination (and"
                " --dataset-name) to restore it from what the destination stores."
            )
        import dlt

        pipelines_dir = str(selection.working_dir) if selection.working_dir else None
        pipeline = dlt.pipeline(selection.name, destination=destination, dataset_name=dataset_name,
                                pipelines_dir=pipelines_dir)
    else:
        pipeline = selection.attach()
    destination_obj = require_destination(pipeline)
    with progress(f"Syncing pipeline {pipeline.pipeline_name} with {destination_obj.name}"):
        restored = pipeline.sync_destination()
    if restored:
        typer.echo(f"Restored the state (version {pipeline.state.get('_state_version', 0)}) and schemas"
                   f" ({', '.join(pipeline.schema_names) or 'none'}) of pipeline {pipeline.pipeline_name}"
                   f" from {destination_obj.name} dataset {pipeline.dataset_name}.")
    else:
        typer.echo(f"Pipeline {pipeline.pipeline_name} is up to date: {destination_obj.name} dataset"
                   f" {pipeline.dataset_name} holds no newer state or schema.")


def drop(
    ctx: typer.Context,
    tables: Annotated[list[str], typer.Argument(help="The tables to drop (their child tables go too).")],
    schema_name: Annotated[str | None, typer.Option("--schema", help="A schema other than the default.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Drop without asking for confirmation.")] = False,
) -> None:
    """Drop TABLES and their child tables from the destination and the schema.

    The state of the resources that loaded them is reset, so the next run loads them from scratch.
    """
    pipeline = _selection(ctx).attach()
    destination = require_destination(pipeline)
    schema_obj = _schema_of(pipeline, schema_name)
    known = {t["name"] for t in schema_obj.data_tables(include_incomplete=True)}
    unknown = [t for t in tables if t not in known]
    if unknown:
        raise CliError(f"Cannot drop {', '.join(unknown)}: not a data table of schema {schema_obj.name}."
                       f" Its tables: {', '.join(sorted(known)) or 'none'}.")
    doomed: list[str] = []
    for table in tables:
        for name in [table, *(child["name"] for child in schema_obj.child_tables(table))]:
            if name not in doomed:
                doomed.append(name)
    resources = sorted({r for t in tables if (r := schema_obj.tables[t].get("resource"))})
    typer.echo(f"Dropping from {destination.name} dataset {pipeline.dataset_name}: {', '.join(doomed)}.")
    if resources:
        typer.echo(f"The state of resource(s) {', '.join(resources)} is reset.")
    if not yes and not _confirm("Drop these tables?"):
        typer.echo("Nothing dropped.")
        return
    with progress(f"Dropping {len(doomed)} table(s)"):
        dropped = pipeline.drop_tables(*tables, schema_name=schema_obj.name)
    typer.echo(f"Dropped {', '.join(dropped)}.")


def _confirm(question: str) -> bool:
    """Ask on stderr, read the answer from stdin; no answer (no terminal, no input) is an error."""
    typer.echo(f"{question} [y/N]: ", nl=False, err=True)
    answer = sys.stdin.readline()
    if not answer:
        typer.echo(err=True)
        raise CliError("Nothing dropped: no answer to the confirmation; pass --yes to drop without asking.")
    return answer.strip().lower() in ("y", "yes")
