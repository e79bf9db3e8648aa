"""Help texts read as plain text, and `dlt init` config stubs show the real defaults."""

from __future__ import annotations

import re

import pytest

from cli_helpers import Project

COMMANDS = [(), ("run",), ("deploy",), ("schema",), ("init",), ("pipeline",), ("plugins",)]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "dlt")
def test_help_has_no_type_placeholders_for_flags_and_no_markup_eaten(run_dlt, command):
    result = run_dlt(*command, "--help", COLUMNS="80")

    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "<bool>" not in text and "╭" not in text
    # a paragraph of a docstring is re-wrapped, never cut after a word mid-sentence
    for line in text.splitlines():
        assert len(line) <= 80, line


def test_run_help_names_its_values_and_keeps_brackets(run_dlt):
    text = run_dlt("run", "--help", COLUMNS="100").stdout

    assert "Usage: dlt run [OPTIONS] {SCRIPT} [SCRIPT_ARGS]..." in text
    assert "--schedule CRON" in text and "--max-runs N" in text
    assert "--progress log|tqdm|enlighten|alive_progress" in text
    assert '"dlt-core[tqdm]"' in " ".join(text.split())  # not swallowed as markup
    # the docstring's lines are joined into one paragraph
    assert "when it fails. With --schedule a failed run" in " ".join(text.split())


def test_deploy_and_schema_help_use_upper_case_names(run_dlt):
    deploy = run_dlt("deploy", "--help", COLUMNS="100").stdout
    schema = run_dlt("schema", "--help", COLUMNS="100").stdout

    assert "Usage: dlt deploy [OPTIONS] {SCRIPT} {TARGET}" in deploy and "{script}" not in deploy
    assert "--schedule CRON" in deploy and "--python-version VERSION" in deploy
    assert "Usage: dlt schema [OPTIONS] {FILE}" in schema and "-o, --output PATH" in schema


def test_init_config_stubs_show_the_destination_defaults(project: Project):
    result = project.dlt("init", "numbers", "duckdb")

    assert result.returncode == 0, result.stderr
    config = (project.path / ".dlt" / "config.toml").read_text()
    assert re.search(r'^# memory_limit = "64MB"  # optional, this is the default$', config, re.M)
    assert re.search(r"^# preserve_insertion_order = false  # optional, this is the default$", config, re.M)
    assert 'memory_limit = ""' not in config
