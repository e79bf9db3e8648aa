"""`dlt run SCRIPT`: run a script now, or on a cron schedule with a clock the test makes fast."""

from __future__ import annotations

import json

from cli_helpers import SHOP_PIPELINE, Project

TICK_SCRIPT = """
    import os
    import sys

    with open("ticks.txt", "a") as ticks:
        ticks.write(f"{os.environ.get('DLT_SCHEDULED_AT')} {' '.join(sys.argv[1:])}\\n")
    sys.exit(int(os.environ.get("TICK_EXIT_CODE", "0")))
"""
SIMULATED_START = "2024-01-01T00:07:00"


def ticks(project: Project) -> list[str]:
    return (project.path / "ticks.txt").read_text().splitlines()


def test_run_loads_a_pipeline_script_with_the_same_interpreter(project: Project) -> None:
    project.write("shop_pipeline.py", SHOP_PIPELINE)

    result = project.dlt("run", "shop_pipeline.py")
    info = project.dlt("pipeline", "shop", "info", "--json")

    assert result.returncode == 0, result.stderr
    assert "Rows loaded" in result.stdout  # the script's own output passes through
    assert json.loads(info.stdout)["loaded_packages"]


def test_run_passes_arguments_after_the_double_dash(project: Project) -> None:
    project.write("tick.py", TICK_SCRIPT)

    result = project.dlt("run", "tick.py", "--", "--full", "x")

    assert result.returncode == 0, result.stderr
    assert ticks(project) == ["None --full x"]


def test_run_of_a_failing_script_exits_1_naming_its_exit_code(project: Project) -> None:
    project.write("tick.py", TICK_SCRIPT)

    result = project.dlt("run", "tick.py", TICK_EXIT_CODE="3")

    assert result.returncode == 1
    assert result.stderr.strip() == "Error: The script tick.py failed with exit code 3."


def test_run_on_a_schedule_runs_at_each_cron_time_until_max_runs(project: Project) -> None:
    project.write("tick.py", TICK_SCRIPT)

    result = project.dlt("run", "tick.py", "--schedule", "*/15 * * * *", "--max-runs", "3",
                         DLT_CLI_SIMULATED_CLOCK=SIMULATED_START)

    assert result.returncode == 0, result.stderr
    assert ticks(project) == ["2024-01-01T00:15:00 ", "2024-01-01T00:30:00 ", "2024-01-01T00:45:00 "]
    assert "Next run of tick.py at 2024-01-01 00:15:00" in result.stderr
    assert "Run 3 of 3 of tick.py started at 2024-01-01 00:45:00" in result.stderr


def test_a_failed_scheduled_run_does_not_stop_the_schedule_but_sets_the_exit_code(
    project: Project,
) -> None:
    project.write("tick.py", TICK_SCRIPT)

    result = project.dlt("run", "tick.py", "--schedule", "@hourly", "--max-runs", "2",
                         DLT_CLI_SIMULATED_CLOCK=SIMULATED_START, TICK_EXIT_CODE="1")

    assert result.returncode == 1
    assert ticks(project) == ["2024-01-01T01:00:00 ", "2024-01-01T02:00:00 "]
    assert "the schedule goes on" in result.stderr
    assert result.stderr.strip().endswith("Error: 2 scheduled run(s) of tick.py failed.")


def test_run_with_an_invalid_schedule_is_a_usage_error(project: Project) -> None:
    project.write("tick.py", TICK_SCRIPT)

    result = project.dlt("run", "tick.py", "--schedule", "* * * * * *")

    assert result.returncode == 2
    assert "6 fields" in result.stderr
    assert not (project.path / "ticks.txt").exists()


def test_max_runs_without_a_schedule_is_a_usage_error(project: Project) -> None:
    project.write("tick.py", TICK_SCRIPT)

    result = project.dlt("run", "tick.py", "--max-runs", "2")

    assert result.returncode == 2


def test_run_of_a_missing_script_is_an_error(project: Project) -> None:
    result = project.dlt("run", "missing.py")

    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: The script missing.py does not exist in {project.path}."


def test_run_with_progress_log_shows_the_counts_of_every_step(project: Project) -> None:
    project.write("shop_pipeline.py", SHOP_PIPELINE)

    result = project.dlt("run", "shop_pipeline.py", "--progress", "log")

    assert result.returncode == 0, result.stderr
    out = result.stdout
    # the script passes no progress=: the option reaches its pipeline through configuration
    assert "Extract shop" in out and "orders: 3 |" in out and "customers: 2 |" in out
    assert "Normalize shop in" in out and "orders__items: 3 |" in out
    assert "Load shop in" in out and "Jobs: 4/4 (100.0%)" in out and "orders (jobs): 1/1" in out
    assert "Rows loaded" in out


def test_run_refuses_an_unknown_progress_name(project: Project) -> None:
    project.write("tick.py", TICK_SCRIPT)

    result = project.dlt("run", "tick.py", "--progress", "bar")

    assert result.returncode == 2
    assert "'bar' is not one of 'log', 'tqdm', 'enlighten', 'alive_progress'" in result.stderr
    assert not (project.path / "ticks.txt").exists()
