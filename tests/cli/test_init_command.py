"""`dlt init`: a working project from the plugin registry, run as the real console script."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from cli_helpers import Project, write_fake_distribution

THIRD_PARTY_DESTINATION = """
    from dlt import hookimpl
    from dlt.destinations.base import Destination


    class vault(Destination):
        \"\"\"A destination of a third-party plugin with a required secret.\"\"\"

        destination_name = "vault"
        config_fields = {"token": (True, True), "region": (False, False)}


    @hookimpl
    def register_destinations(register):
        register("vault", vault)
"""


def test_init_then_run_then_pipeline_info_works_from_an_empty_directory(project: Project) -> None:
    init = project.dlt("init", "numbers", "duckdb")
    assert init.returncode == 0, init.stderr

    run = project.python("numbers_pipeline.py")
    info = project.dlt("pipeline", "numbers", "info", "--json")

    assert "items" in run.stdout
    assert info.returncode == 0, info.stderr
    data = json.loads(info.stdout)
    assert data["destination"] == "duckdb"
    assert data["dataset_name"] == "numbers_data"
    assert len(data["loaded_packages"]) == 1
    assert data["last_run"]["steps"] == {
        "extract": "completed", "normalize": "completed", "load": "completed"
    }


def test_init_of_a_registered_source_runs_the_plugin_source(project: Project) -> None:
    init = project.dlt("init", "example_numbers", "duckdb")
    assert init.returncode == 0, init.stderr

    project.python("example_numbers_pipeline.py")
    show = project.dlt("pipeline", "example_numbers", "show", "--json")

    assert "registered source" in init.stdout
    assert "dlt.sources.example_numbers()" in (project.path / "example_numbers_pipeline.py").read_text()
    assert show.returncode == 0, show.stderr
    assert {t["name"]: t["row_count"] for t in json.loads(show.stdout)} == {"numbers": 10}


def test_init_writes_config_stubs_without_values_that_toml_reads_as_empty(project: Project) -> None:
    result = project.dlt("init", "example_numbers", "filesystem")

    assert result.returncode == 0, result.stderr
    config = (project.path / ".dlt" / "config.toml").read_text()
    secrets = (project.path / ".dlt" / "secrets.toml").read_text()
    assert "[destination.filesystem]" in config
    assert '# bucket_url = ""  # required' in config
    assert "[sources.example_numbers]" in config and "# count = 10" in config
    assert "[destination.filesystem]" in secrets and "# credentials = " in secrets
    # stubs are comments: no provider finds a value before the user sets one
    assert tomllib.loads(config) == {"runtime": {}, "destination": {"filesystem": {}},
                                     "sources": {"example_numbers": {}}}
    assert tomllib.loads(secrets) == {"destination": {"filesystem": {}}}
    assert "destination.filesystem.bucket_url" in result.stdout  # named in the next steps


def test_init_stubs_secret_fields_of_a_third_party_destination_in_secrets_toml(
    project: Project, site
) -> None:
    write_fake_distribution(site, "dlt-destination-vault", "vault", THIRD_PARTY_DESTINATION, "2.3")

    result = project.dlt("init", "notes", "vault")

    assert result.returncode == 0, result.stderr
    secrets = (project.path / ".dlt" / "secrets.toml").read_text()
    config = (project.path / ".dlt" / "config.toml").read_text()
    assert "[destination.vault]\n# token = \"\"  # required, secret" in secrets
    assert "token" not in config
    assert "# region = \"\"  # optional" in config
    requirements = (project.path / "requirements.txt").read_text().splitlines()
    assert requirements == [f"dlt-core>={version('dlt-core')}", "dlt-destination-vault>=2.3"]


def test_init_names_the_destination_plugin_distribution_in_requirements(project: Project) -> None:
    result = project.dlt("init", "events", "bigquery")

    assert result.returncode == 0, result.stderr
    requirements = (project.path / "requirements.txt").read_text().splitlines()
    assert requirements == [
        f"dlt-core>={version('dlt-core')}",
        f"dlt-destination-bigquery>={version('dlt-destination-bigquery')}",
    ]


def test_init_keeps_secrets_and_databases_out_of_git(project: Project) -> None:
    project.write(".gitignore", "build/\n")

    result = project.dlt("init", "events", "duckdb")

    assert result.returncode == 0, result.stderr
    lines = (project.path / ".gitignore").read_text().splitlines()
    assert lines[0] == "build/"
    assert ".dlt/secrets.toml" in lines and "*.duckdb" in lines


def test_init_ignores_the_local_data_files_of_a_plugin_destination(project: Project) -> None:
    result = project.dlt("init", "events", "sqlite")

    assert result.returncode == 0, result.stderr
    lines = (project.path / ".gitignore").read_text().splitlines()
    assert "*.sqlite" in lines and ".dlt/secrets.toml" in lines


def test_init_refuses_to_overwrite_files_without_force(project: Project) -> None:
    project.write("events_pipeline.py", "print('my own work')\n")

    refused = project.dlt("init", "events", "duckdb")
    untouched = (project.path / "events_pipeline.py").read_text()
    written_when_refused = sorted(p.name for p in project.path.iterdir())
    forced = project.dlt("init", "events", "duckdb", "--force")

    assert refused.returncode == 1
    assert "events_pipeline.py" in refused.stderr and "--force" in refused.stderr
    assert untouched == "print('my own work')\n"
    assert written_when_refused == ["events_pipeline.py"]  # nothing written when one is refused
    assert forced.returncode == 0, forced.stderr
    assert "dlt.pipeline(" in (project.path / "events_pipeline.py").read_text()


def test_init_with_an_unknown_destination_lists_the_installed_ones(project: Project) -> None:
    result = project.dlt("init", "events", "snowflake")

    assert result.returncode == 1
    assert "snowflake" in result.stderr and "duckdb" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(project.path.iterdir()) == []


def test_init_with_a_source_name_that_is_no_identifier_is_a_usage_error(project: Project) -> None:
    result = project.dlt("init", "my-api", "duckdb")

    assert result.returncode == 2
    assert "my-api" in result.stderr


def test_init_without_arguments_is_a_usage_error(project: Project) -> None:
    result = project.dlt("init")

    assert result.returncode == 2
    assert "--list-sources" in result.stderr


def test_list_sources_shows_sources_of_plugins(project: Project) -> None:
    table = project.dlt("init", "--list-sources")
    as_json = project.dlt("init", "--list-sources", "--json")

    assert table.returncode == 0, table.stderr
    assert "example_numbers" in table.stdout and "dlt-example-plugin" in table.stdout
    (entry,) = [e for e in json.loads(as_json.stdout) if e["name"] == "example_numbers"]
    assert entry["distribution"] == "dlt-example-plugin"
    assert entry["version"] == version("dlt-example-plugin")
    assert "squares" in entry["description"]


def test_list_destinations_shows_built_in_first_party_and_third_party_plugins(
    project: Project, site
) -> None:
    write_fake_distribution(site, "dlt-destination-vault", "vault", THIRD_PARTY_DESTINATION)

    result = project.dlt("init", "--list-destinations", "--json")

    assert result.returncode == 0, result.stderr
    entries = {e["name"]: e for e in json.loads(result.stdout)}
    assert {n: entries[n]["distribution"] for n in ("duckdb", "filesystem", "bigquery", "redshift",
                                                     "example_files", "vault")} == {
        "duckdb": "dlt-core", "filesystem": "dlt-core", "bigquery": "dlt-destination-bigquery",
        "redshift": "dlt-destination-redshift", "example_files": "dlt-example-plugin",
        "vault": "dlt-destination-vault",
    }
    assert entries["vault"]["config_fields"] == {
        "token": {"required": True, "secret": True}, "region": {"required": False, "secret": False}
    }
