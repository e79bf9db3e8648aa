"""`dlt deploy SCRIPT github-action|airflow|cron --schedule CRON`: run a pipeline on a schedule.

Each target gets the files (or the crontab entry) that run the script on the schedule. For
GitHub Actions and cron, secrets are passed as environment variables whose names come from the
keys of `.dlt/secrets.toml` (`destination.bigquery.credentials.project_id` ->
`DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID`); the Airflow DAG runs the script's source
with `dlt.helpers.airflow_helper.PipelineTasksGroup` (dlt-airflow) and reads secrets from the
Airflow Variable `dlt_secrets_toml`. Secret values are never read into the output.
"""

from __future__ import annotations

import ast
import enum
import json
import re
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from dlt_cli.cron import CronSchedule, parse_cron, schedule_callback
from dlt_cli.errors import CliError
from dlt_cli.output import note

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: dlt-core depends on tomli there
    import tomli as tomllib

SECRETS_FILE = Path(".dlt") / "secrets.toml"
PYTHON_VERSION = "3.11"
#: `key = ...` and the commented stubs `# key = ...` that `dlt init` writes
_KEY_LINE = re.compile(r"^\s*#?\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*=")
_SECTION_LINE = re.compile(r"^\s*\[\s*([A-Za-z0-9_\-.\s]+?)\s*\]\s*(#.*)?$")


class Decompose(str, enum.Enum):
    """How the Airflow DAG splits the source into tasks (see PipelineTasksGroup.add_run)."""

    none = "none"
    serialize = "serialize"
    parallel = "parallel"
    parallel_isolated = "parallel-isolated"


class Target(str, enum.Enum):
    """Where the scheduled runs happen."""

    github_action = "github-action"
    airflow = "airflow"
    cron = "cron"


def register(app: typer.Typer) -> None:
    """Add the `deploy` command to `app`."""
    app.command("deploy")(deploy)


def deploy(
    script: Annotated[Path, typer.Argument(metavar="SCRIPT", help="The pipeline script to run, e.g. github_pipeline.py.")],
    target: Annotated[Target, typer.Argument(metavar="TARGET", help="Where to run it.", case_sensitive=False)],
    schedule: Annotated[
        str, typer.Option("--schedule", metavar="CRON", callback=schedule_callback,
                     help='When to run, as a cron expression, e.g. "0 3 * * *".')
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite a file that already exists.")] = False,
    python_version: Annotated[
        str, typer.Option("--python-version", metavar="VERSION", help="The Python of the GitHub Actions runner.")
    ] = PYTHON_VERSION,
    decompose: Annotated[
        Decompose, typer.Option("--decompose", case_sensitive=False,
                                help="Airflow: how to split the source into tasks.")
    ] = Decompose.serialize,
    source: Annotated[
        str | None, typer.Option("--source", help="Airflow: the @dlt.source function of the script to run"
                                 " (needed when it has more than one).")
    ] = None,
) -> None:
    """Generate a GitHub Actions workflow, an Airflow DAG or a crontab entry running SCRIPT.

    Run it from the project directory (the one holding .dlt/). Secrets of .dlt/secrets.toml are
    passed as environment variables by name, never by value.
    """
    cron = parse_cron(schedule)
    project = Path.cwd()
    script_path = (project / script).resolve()
    if not script_path.is_file():
        raise CliError(f"The script {script} does not exist in {project}.")
    try:
        relative = script_path.relative_to(project.resolve()).as_posix()
    except ValueError:
        raise CliError(
            f"The script {script} is outside the project directory {project}; run dlt deploy"
            " from the folder that holds the script and its .dlt/ folder."
        ) from None
    env_vars, unset = secret_env_vars(project / SECRETS_FILE)
    stem = script_path.stem
    if target is Target.cron:
        typer.echo(crontab_entry(cron, project, relative, env_vars), nl=False)
        note(f"Add the lines above to your crontab (`crontab -e`); the entry runs {relative} with"
             f" {sys.executable}.")
        _note_secrets(env_vars, unset, "set them in the crontab as NAME=value lines above the entry")
        return
    if target is Target.github_action:
        path = project / ".github" / "workflows" / f"run_{stem}.yml"
        has_requirements = (project / "requirements.txt").exists()
        text = github_workflow(cron, relative, stem, env_vars, python_version, has_requirements)
        how = "add them as repository secrets (Settings > Secrets and variables > Actions)"
    else:
        path = project / "dags" / f"dlt_{stem}_dag.py"
        plan = airflow_plan(script_path, relative, source)
        text = airflow_dag(cron, project, relative, plan, decompose.value)
    if path.exists() and not force:
        raise CliError(f"Not overwriting {path.relative_to(project)}; run again with --force to replace it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    typer.echo(f"Created {path.relative_to(project)}: runs {relative} on the schedule \"{cron.fields}\".")
    if target is Target.github_action:
        typer.echo("GitHub runs schedules in UTC, at most every 5 minutes; commit and push the file.")
        _note_secrets(env_vars, unset, how, to_stdout=True)
    else:
        typer.echo(
            f"Copy the file into the dags folder of your Airflow, with .dlt/config.toml as"
            f" <dags folder>/.dlt/config.toml; the project must be at {project} on the workers"
            " (or set DLT_DEPLOY_PROJECT_DIR there) and dlt-airflow installed (pip install dlt-airflow).")
        if env_vars:
            typer.echo(f"Store the secrets of {SECRETS_FILE} ({len(env_vars)} set) in the Airflow"
                       " Variable dlt_secrets_toml, e.g. `airflow variables set dlt_secrets_toml"
                       f" \"$(cat {SECRETS_FILE})\"`.")
        else:
            typer.echo(f"No secrets are set in {SECRETS_FILE}; the DAG gets none.")


def _note_secrets(env_vars: list[str], unset: list[str], how: str, to_stdout: bool = False) -> None:
    echo = typer.echo if to_stdout else note
    if env_vars:
        echo(f"Secrets of {SECRETS_FILE} are passed as environment variables; {how}:")
        for name in env_vars:
            echo(f"  {name}")
    else:
        echo(f"No secrets are set in {SECRETS_FILE}; the script gets none.")
    if unset:
        # an unset CI secret arrives as an empty string, which dlt would take as a value
        echo(f"Not passed, because they are only commented stubs in {SECRETS_FILE} (set them"
             f" there and deploy again to pass them): {', '.join(unset)}")


# -- secrets ---------------------------------------------------------------------------------


def env_var_name(key: str) -> str:
    """The environment variable dlt reads a dotted key from: sections joined by `__`, upper case."""
    return "__".join(part.upper() for part in key.split("."))


def secret_keys(path: Path) -> tuple[list[str], list[str]]:
    """Dotted keys of a secrets.toml: those with a value, and the commented stubs `dlt init` wrote.

    Values are parsed only to find their keys, and never returned.
    """
    if not path.exists():
        return [], []
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CliError(f"The secrets file {path} is not valid TOML: {exc}. Fix that line and run again.") from None
    keys: list[str] = []

    def walk(node: object, prefix: str) -> None:
        if isinstance(node, dict):
            for name, child in node.items():
                walk(child, f"{prefix}.{name}" if prefix else name)
        else:
            keys.append(prefix)

    walk(data, "")
    stubs: list[str] = []
    section = ""
    for line in text.splitlines():
        if match := _SECTION_LINE.match(line):
            section = ".".join(part.strip() for part in match.group(1).split("."))
        elif line.lstrip().startswith("#") and (match := _KEY_LINE.match(line)):
            stubs.append(f"{section}.{match.group(1)}" if section else match.group(1))
    return sorted(set(keys)), sorted(set(stubs) - set(keys))


def secret_env_vars(path: Path) -> tuple[list[str], list[str]]:
    """Environment variable names of the secrets set in `path`, and of its unset stubs."""
    keys, stubs = secret_keys(path)
    return [env_var_name(key) for key in keys], [env_var_name(key) for key in stubs]


# -- targets ---------------------------------------------------------------------------------


def github_workflow(cron: CronSchedule, script: str, stem: str, env_vars: list[str],
                    python_version: str, has_requirements: bool) -> str:
    """A GitHub Actions workflow running `script` on `cron`, secrets from repository secrets."""
    install = "pip install -r requirements.txt" if has_requirements else "pip install dlt-core"
    env_lines = "".join(f"  {name}: ${{{{ secrets.{name} }}}}\n" for name in env_vars)
    env_block = f"env:\n{env_lines}" if env_vars else ""
    return f"""# Generated by `dlt deploy {script} github-action --schedule "{cron.expression}"`.
name: Run {stem} pipeline
on:
  schedule:
    - cron: {json.dumps(cron.fields)}
  workflow_dispatch:
{env_block}jobs:
  run_pipeline:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: {json.dumps(python_version)}
      - name: Install dependencies
        run: {install}
      - name: Run {script}
        run: python {shlex.quote(script)}
"""


class AirflowPlan:
    """What the DAG imports and builds, read from the script without running it."""

    def __init__(self, module: str, source: str, pipeline_args: dict[str, str]) -> None:
        self.module = module
        self.source = source
        self.pipeline_args = pipeline_args


def _is_dlt_source_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr == "source" and isinstance(target.value, ast.Name) and target.value.id == "dlt"
    return isinstance(target, ast.Name) and target.id == "source"


def _runs_at_import(statement: ast.stmt) -> bool:
    """A top-level statement that calls `.run(...)` (outside `if __name__ == "__main__":`)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If,
                              ast.Import, ast.ImportFrom)):
        return False
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and node.func.attr == "run" for node in ast.walk(statement))


def airflow_plan(script_path: Path, relative: str, source: str | None) -> AirflowPlan:
    """Find the `@dlt.source` function and the literal `dlt.pipeline(...)` arguments of the script."""
    tree = ast.parse(script_path.read_text(encoding="utf-8"), filename=relative)
    sources = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
               and any(_is_dlt_source_decorator(d) for d in node.decorator_list)]
    if source is not None and source not in sources:
        raise CliError(f"{relative} has no @dlt.source function named '{source}'; it has:"
                       f" {', '.join(sources) or 'none'}.")
    if source is None:
        if len(sources) != 1:
            raise CliError(
                f"The Airflow DAG runs a @dlt.source function of {relative}, which has"
                f" {'none' if not sources else 'several: ' + ', '.join(sources)}. "
                + ("Pass the one to run with --source NAME." if sources else
                   "Put the resources in a function decorated with @dlt.source and deploy again.")
            )
        source = sources[0]
    running = [node.lineno for node in tree.body if _runs_at_import(node)]
    if running:
        raise CliError(
            f"{relative} runs a pipeline when imported (line {running[0]}); Airflow imports the"
            " script to get its source. Move the run under `if __name__ == \"__main__\":`.")
    pipeline_args: dict[str, str] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "pipeline" and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "dlt"):
            for keyword in node.keywords:
                if keyword.arg in ("pipeline_name", "destination", "dataset_name") and isinstance(
                        keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    pipeline_args[keyword.arg] = keyword.value.value
            break
    pipeline_args.setdefault("pipeline_name", script_path.stem)
    module = relative[:-3].replace("/", ".") if relative.endswith(".py") else relative
    return AirflowPlan(module, source, pipeline_args)


def airflow_dag(cron: CronSchedule, project: Path, script: str, plan: AirflowPlan, decompose: str) -> str:
    """An Airflow DAG running the script's source with PipelineTasksGroup.add_run(decompose=...)."""
    dag_id = re.sub(r"[^A-Za-z0-9_]", "_", f"dlt_{Path(script).stem}")
    arguments = "".join(f"        {name}={json.dumps(value)},\n" for name, value in plan.pipeline_args.items())
    return f'''"""Airflow DAG generated by `dlt deploy {script} airflow --schedule "{cron.expression}" --decompose {decompose}`.

Runs the source `{plan.source}` of {script} (the project in PROJECT_DIR) with dlt-airflow's
PipelineTasksGroup, split into tasks with decompose="{decompose}". dlt reads config from
<dags folder>/.dlt/config.toml and secrets from the Airflow Variable `dlt_secrets_toml` (a
secrets.toml document), Variables named by the dotted key, or Connections for credentials.
"""

import os
import sys

import pendulum
from airflow.sdk import DAG

import dlt
from dlt.helpers.airflow_helper import PipelineTasksGroup

# where the script lives on the workers (PipelineTasksGroup points DLT_PROJECT_DIR at the dags
# folder, so the script's folder has a variable of its own)
PROJECT_DIR = os.environ.get("DLT_DEPLOY_PROJECT_DIR", {json.dumps(str(project))})
if PROJECT_DIR not in sys.path:
    sys.path.insert(0, PROJECT_DIR)

from {plan.module} import {plan.source}  # noqa: E402

with DAG(
    dag_id={json.dumps(dag_id)},
    schedule={json.dumps(cron.fields)},
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["dlt"],
) as dag:
    # the group first: it gives this worker a fresh pipelines folder that the pipeline then uses
    tasks = PipelineTasksGroup({json.dumps(plan.pipeline_args["pipeline_name"])}, use_data_folder=False, wipe_local_data=True)
    pipeline = dlt.pipeline(
{arguments}    )
    tasks.add_run(pipeline, {plan.source}(), decompose={json.dumps(decompose)}, retries=0)
'''


def crontab_entry(cron: CronSchedule, project: Path, script: str, env_vars: list[str]) -> str:
    """Crontab lines: commented secret names to set, then the entry running `script` on `cron`."""
    lines = [f"# dlt pipeline {script}: generated by `dlt deploy {script} cron`"]
    lines += [f"# {name}=<set me>" for name in env_vars]
    log = project / f"{Path(script).stem}.log"
    command = (f"cd {shlex.quote(str(project))} && {shlex.quote(sys.executable)}"
               f" {shlex.quote(script)} >> {shlex.quote(str(log))} 2>&1")
    lines.append(f"{cron.fields} {command.replace('%', chr(92) + '%')}")  # cron reads % as newline
    return "\n".join(lines) + "\n"
