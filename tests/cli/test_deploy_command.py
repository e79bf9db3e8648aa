"""`dlt deploy`: scheduled runs on GitHub Actions, Airflow and cron, secrets by name only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from cli_helpers import Project

SECRET_VALUES = ("s3cr3t-token-value", "-----BEGIN PRIVATE KEY-----abc")
SECRETS_TOML = f"""
    [sources.github]
    api_key = "{SECRET_VALUES[0]}"

    [destination.bigquery.credentials]
    project_id = "my-project"
    private_key = "{SECRET_VALUES[1]}"

    [destination.duckdb]
    # credentials = ""  # optional, secret
"""
SET_SECRETS = [
    "DESTINATION__BIGQUERY__CREDENTIALS__PRIVATE_KEY",
    "DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID",
    "SOURCES__GITHUB__API_KEY",
]


@pytest.fixture
def github(project: Project) -> Project:
    """A project made by `dlt init github duckdb`, with secrets set in .dlt/secrets.toml."""
    assert project.dlt("init", "github", "duckdb").returncode == 0
    project.write(".dlt/secrets.toml", SECRETS_TOML)
    return project


def assert_no_secret_values(*texts: str) -> None:
    for text in texts:
        for value in SECRET_VALUES:
            assert value not in text


def test_github_action_runs_the_script_on_the_schedule_with_secrets_by_name(github: Project) -> None:
    result = github.dlt("deploy", "github_pipeline.py", "github-action", "--schedule", "*/30 6-18 * * MON-FRI")

    assert result.returncode == 0, result.stderr
    path = github.path / ".github" / "workflows" / "run_github_pipeline.yml"
    text = path.read_text()
    workflow = yaml.safe_load(text)
    assert workflow[True]["schedule"] == [{"cron": "*/30 6-18 * * MON-FRI"}]  # `on:` reads as True
    assert workflow["env"] == {name: f"${{{{ secrets.{name} }}}}" for name in SET_SECRETS}
    steps = workflow["jobs"]["run_pipeline"]["steps"]
    assert {"name": "Install dependencies", "run": "pip install -r requirements.txt"} in steps
    assert steps[-1]["run"] == "python github_pipeline.py"
    for name in SET_SECRETS:
        assert name in result.stdout
    assert_no_secret_values(text, result.stdout, result.stderr)


def test_commented_stubs_are_not_passed_because_an_unset_secret_would_be_empty(github: Project) -> None:
    result = github.dlt("deploy", "github_pipeline.py", "github-action", "--schedule", "0 3 * * *")

    assert result.returncode == 0, result.stderr
    workflow = (github.path / ".github" / "workflows" / "run_github_pipeline.yml").read_text()
    assert "DESTINATION__DUCKDB__CREDENTIALS" not in workflow
    assert "DESTINATION__DUCKDB__CREDENTIALS" in result.stdout  # named as "not passed"
    assert "stubs" in result.stdout


def test_airflow_dag_runs_the_scripts_source_with_pipeline_tasks_group(github: Project) -> None:
    result = github.dlt("deploy", "github_pipeline.py", "airflow", "--schedule", "@daily",
                        "--decompose", "parallel")

    assert result.returncode == 0, result.stderr
    text = (github.path / "dags" / "dlt_github_pipeline_dag.py").read_text()
    compile(text, "dlt_github_pipeline_dag.py", "exec")
    assert 'schedule="0 0 * * *"' in text
    assert "from github_pipeline import github_source" in text
    assert "from dlt.helpers.airflow_helper import PipelineTasksGroup" in text
    assert 'tasks.add_run(pipeline, github_source(), decompose="parallel"' in text
    assert 'pipeline_name="github"' in text and 'destination="duckdb"' in text
    assert f'PROJECT_DIR = os.environ.get("DLT_DEPLOY_PROJECT_DIR", "{github.path}")' in text
    assert "dlt_secrets_toml" in result.stdout
    assert_no_secret_values(text, result.stdout, result.stderr)


def test_airflow_dag_serializes_by_default(github: Project) -> None:
    result = github.dlt("deploy", "github_pipeline.py", "airflow", "--schedule", "@daily")

    assert result.returncode == 0, result.stderr
    assert 'decompose="serialize"' in (github.path / "dags" / "dlt_github_pipeline_dag.py").read_text()


def test_airflow_names_the_sources_when_the_chosen_one_does_not_exist(github: Project) -> None:
    result = github.dlt("deploy", "github_pipeline.py", "airflow", "--schedule", "@daily",
                        "--source", "nope")

    assert result.returncode != 0
    assert "github_source" in result.stderr


def test_cron_prints_a_crontab_entry_running_the_script_in_the_project(github: Project) -> None:
    result = github.dlt("deploy", "github_pipeline.py", "cron", "--schedule", "15 2 * * *")

    assert result.returncode == 0, result.stderr
    (entry,) = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    prefix = f"15 2 * * * cd {github.path} && "
    suffix = f" github_pipeline.py >> {github.path / 'github_pipeline.log'} 2>&1"
    assert entry.startswith(prefix) and entry.endswith(suffix)
    interpreter = Path(entry[len(prefix):-len(suffix)])
    assert interpreter.parent == Path(sys.executable).parent  # the Python that has dlt installed
    for name in SET_SECRETS:
        assert f"# {name}=<set me>" in result.stdout
    assert "crontab" in result.stderr
    assert_no_secret_values(result.stdout, result.stderr)


@pytest.mark.parametrize("schedule, problem", [
    ("0 3 * *", "4 fields"),
    ("60 * * * *", "minute field '60': 60 is out of range 0-59"),
    ("0 24 * * *", "hour field '24'"),
    ("0 0 0 * *", "day of month field '0'"),
    ("0 0 * 13 *", "month field '13'"),
    ("0 0 * * 8", "day of week field '8'"),
    ("*/0 * * * *", "step '0'"),
    ("0 0 * * FUNDAY", "'FUNDAY' is not a number 0-7 or a name"),
    ("0 0 31 2 *", "never fires"),
])
def test_an_invalid_schedule_is_a_usage_error_naming_the_problem(
    github: Project, schedule: str, problem: str
) -> None:
    result = github.dlt("deploy", "github_pipeline.py", "cron", "--schedule", schedule)

    assert result.returncode == 2
    assert problem in " ".join(result.stderr.replace("│", " ").split())
    assert not (github.path / ".github").exists()


def test_deploy_refuses_to_overwrite_a_workflow_without_force(github: Project) -> None:
    first = github.dlt("deploy", "github_pipeline.py", "github-action", "--schedule", "0 3 * * *")
    second = github.dlt("deploy", "github_pipeline.py", "github-action", "--schedule", "0 4 * * *")
    forced = github.dlt("deploy", "github_pipeline.py", "github-action", "--schedule", "0 4 * * *", "--force")

    assert first.returncode == 0, first.stderr
    assert second.returncode == 1 and "--force" in second.stderr
    assert forced.returncode == 0, forced.stderr
    assert '"0 4 * * *"' in (github.path / ".github" / "workflows" / "run_github_pipeline.yml").read_text()


def test_deploy_of_a_missing_script_is_an_error(project: Project) -> None:
    result = project.dlt("deploy", "nope.py", "cron", "--schedule", "0 3 * * *")

    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: The script nope.py does not exist in {project.path}."


def test_deploy_to_an_unknown_target_is_a_usage_error(github: Project) -> None:
    result = github.dlt("deploy", "github_pipeline.py", "kubernetes", "--schedule", "0 3 * * *")

    assert result.returncode == 2
    assert "kubernetes" in result.stderr
