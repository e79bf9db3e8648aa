"""The `dlt` command itself: versions, plugin commands, exit codes and error reporting."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from cli_helpers import RunDlt, write_fake_distribution

FAILING_COMMANDS_MODULE = """
    from dlt import hookimpl


    @hookimpl
    def register_commands(app):
        @app.command("half-added")
        def half_added():
            pass

        raise RuntimeError("commands could not be built")
"""

ERRING_COMMAND_MODULE = """
    from dlt import hookimpl


    @hookimpl
    def register_commands(app):
        @app.command("fail")
        def fail():
            from dlt.utils.exceptions import DltException

            raise DltException("The table 'users' could not be loaded.")
"""


def test_version_lists_dlt_core_dlt_cli_and_every_plugin(run_dlt: RunDlt) -> None:
    result = run_dlt("--version")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"dlt-core {version('dlt-core')}" in lines
    assert f"dlt-cli {version('dlt-cli')}" in lines
    for name, distribution in [
        ("duckdb", "dlt-core"),
        ("filesystem", "dlt-core"),
        ("bigquery", "dlt-destination-bigquery"),
        ("redshift", "dlt-destination-redshift"),
        ("example", "dlt-example-plugin"),
    ]:
        assert f"  {name}: {distribution} {version(distribution)}" in lines


def test_plugin_command_runs(run_dlt: RunDlt) -> None:
    result = run_dlt("example", "hello", "World")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Hello World from dlt-example-plugin"


def test_plugin_commands_are_listed_in_help(run_dlt: RunDlt) -> None:
    result = run_dlt("--help")

    assert result.returncode == 0, result.stderr
    assert "plugins" in result.stdout
    assert "example" in result.stdout


def test_unknown_command_is_a_usage_error(run_dlt: RunDlt) -> None:
    result = run_dlt("no-such-command")

    assert result.returncode == 2
    assert "no-such-command" in result.stderr


def test_unknown_option_is_a_usage_error(run_dlt: RunDlt) -> None:
    result = run_dlt("plugins", "list", "--no-such-option")

    assert result.returncode == 2
    assert "--no-such-option" in result.stderr


def test_plugin_whose_register_commands_raises_is_skipped_with_a_warning(
    run_dlt: RunDlt, site: Path
) -> None:
    write_fake_distribution(site, "dlt-failing-commands", "failing_commands", FAILING_COMMANDS_MODULE)

    hello = run_dlt("example", "hello", "World")
    half_added = run_dlt("half-added")

    assert hello.returncode == 0, hello.stderr
    assert hello.stdout.strip() == "Hello World from dlt-example-plugin"
    assert "failing_commands" in hello.stderr
    assert "dlt-failing-commands" in hello.stderr
    assert "commands could not be built" in hello.stderr
    assert half_added.returncode == 2  # what it added before raising was removed


def test_user_error_is_one_sentence_on_stderr_with_exit_code_1(
    run_dlt: RunDlt, site: Path
) -> None:
    write_fake_distribution(site, "dlt-erring-command", "erring", ERRING_COMMAND_MODULE)

    result = run_dlt("fail")

    assert result.returncode == 1
    assert result.stderr.strip() == "Error: The table 'users' could not be loaded."
    assert result.stdout == ""


def test_verbose_flag_adds_the_traceback_of_a_user_error(run_dlt: RunDlt, site: Path) -> None:
    write_fake_distribution(site, "dlt-erring-command", "erring", ERRING_COMMAND_MODULE)

    result = run_dlt("-v", "fail")

    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().endswith("Error: The table 'users' could not be loaded.")


def test_importing_the_cli_does_not_import_dlt() -> None:
    code = "import sys, dlt_cli.main; print(sorted(m for m in sys.modules if m.split('.')[0] == 'dlt'))"

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
