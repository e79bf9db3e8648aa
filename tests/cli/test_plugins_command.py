"""`dlt plugins list`, run as the real console script with every first-party plugin installed."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from cli_helpers import RunDlt, write_fake_distribution

INSTALLED = {
    "duckdb": "dlt-core",
    "filesystem": "dlt-core",
    "bigquery": "dlt-destination-bigquery",
    "redshift": "dlt-destination-redshift",
    "example": "dlt-example-plugin",
}
STABLE_KEYS = {"name", "distribution", "version", "hooks", "provides", "status", "error"}
BROKEN_MODULE = 'raise RuntimeError("broken plugin exploded on import")\n'


def table_rows(output: str) -> dict[str, list[str]]:
    """Rows of the plugins table by plugin name, split into cells."""
    lines = output.splitlines()
    assert lines[0].split() == ["NAME", "DISTRIBUTION", "VERSION", "HOOKS", "PROVIDES", "STATUS"]
    rows = {}
    for line in lines[1:]:
        if not line.strip():
            break
        cells = line.split()
        rows[cells[0]] = cells
    return rows


def test_plugins_list_shows_every_installed_plugin_ok(run_dlt: RunDlt) -> None:
    result = run_dlt("plugins", "list")

    assert result.returncode == 0, result.stderr
    rows = table_rows(result.stdout)
    for name, distribution in INSTALLED.items():
        assert rows[name][1] == distribution
        assert rows[name][2] == version(distribution)
        assert rows[name][-1] == "ok"


def test_plugins_list_json_has_stable_keys_and_distribution_versions(run_dlt: RunDlt) -> None:
    result = run_dlt("plugins", "list", "--json")

    assert result.returncode == 0, result.stderr
    records = {record["name"]: record for record in json.loads(result.stdout)}
    for name, distribution in INSTALLED.items():
        assert set(records[name]) == STABLE_KEYS
        assert records[name]["distribution"] == distribution
        assert records[name]["version"] == version(distribution)
        assert records[name]["status"] == "ok"
        assert records[name]["error"] is None
    assert records["example"]["provides"] == {
        "destination": ["example_files"], "source": ["example_numbers"]
    }
    assert records["bigquery"]["hooks"] == ["register_destinations"]


def test_plugins_list_check_exits_0_when_every_plugin_is_ok(run_dlt: RunDlt) -> None:
    result = run_dlt("plugins", "list", "--check")

    assert result.returncode == 0, result.stderr


def test_plugins_list_check_exits_1_with_a_broken_plugin(run_dlt: RunDlt, site: Path) -> None:
    write_fake_distribution(site, "dlt-broken-plugin", "broken", BROKEN_MODULE)

    result = run_dlt("plugins", "list", "--check")

    assert result.returncode == 1
    assert table_rows(result.stdout)["broken"][-1] == "error"
    assert "broken (error)" in result.stderr
    assert "Traceback" not in result.stderr


def test_plugins_list_check_json_stays_parseable_with_a_broken_plugin(
    run_dlt: RunDlt, site: Path
) -> None:
    write_fake_distribution(site, "dlt-broken-plugin", "broken", BROKEN_MODULE)

    result = run_dlt("plugins", "list", "--json", "--check")

    assert result.returncode == 1
    broken = next(r for r in json.loads(result.stdout) if r["name"] == "broken")
    assert broken["status"] == "error"
    assert broken["distribution"] == "dlt-broken-plugin"
    assert broken["version"] == "1.0"
    assert broken["error"] == "RuntimeError: broken plugin exploded on import"


def test_plugins_list_shows_the_error_of_a_broken_plugin(run_dlt: RunDlt, site: Path) -> None:
    write_fake_distribution(site, "dlt-broken-plugin", "broken", BROKEN_MODULE)

    result = run_dlt("plugins", "list")

    assert result.returncode == 0, result.stderr
    assert "broken: RuntimeError: broken plugin exploded on import" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_plugins_list_verbose_shows_the_traceback_of_a_broken_plugin(
    run_dlt: RunDlt, site: Path
) -> None:
    write_fake_distribution(site, "dlt-broken-plugin", "broken", BROKEN_MODULE)

    result = run_dlt("plugins", "list", "-v")

    assert result.returncode == 0, result.stderr
    assert "Traceback (most recent call last)" in result.stderr
    assert "dlt_broken_plugin.py" in result.stderr
    assert "RuntimeError: broken plugin exploded on import" in result.stderr


def test_plugins_list_shows_blocked_plugins(run_dlt: RunDlt) -> None:
    result = run_dlt("plugins", "list", DLT_DISABLE_PLUGINS="example")

    assert result.returncode == 0, result.stderr
    assert table_rows(result.stdout)["example"][-1] == "blocked"
    assert "DLT_DISABLE_PLUGINS" in result.stdout


FUTURE_DESTINATION_MODULE = """
    from dlt import hookimpl


    @hookimpl
    def register_destinations(register):
        raise AssertionError("a plugin outside its dlt-core range must not even be imported")
"""


def test_plugins_list_refuses_a_plugin_made_for_another_dlt_core(run_dlt: RunDlt, site: Path) -> None:
    write_fake_distribution(site, "dlt-destination-future", "future", FUTURE_DESTINATION_MODULE,
                            version="2.0", requires_core="dlt-core>=99,<100")

    result = run_dlt("plugins", "list", "--check")

    assert result.returncode == 1
    assert table_rows(result.stdout)["future"][-1] == "incompatible"
    assert "it requires dlt-core<100,>=99" in result.stdout
    assert f"dlt-core {version('dlt-core')} is installed" in result.stdout
    assert "a plugin outside its dlt-core range must not even be imported" not in result.stdout + result.stderr
    assert table_rows(result.stdout)["duckdb"][-1] == "ok"
