"""The cron expressions of `dlt deploy` and `dlt run --schedule`: parsing and next fire times."""

from __future__ import annotations

from datetime import datetime

import pytest
from dlt_cli.cron import CronError, parse_cron
from dlt_cli.run_command import SimulatedClock, run_on_schedule

START = datetime(2024, 3, 1, 0, 7, 30)  # a Friday; 2024 is a leap year


@pytest.mark.parametrize("expression, expected", [
    ("*/15 * * * *", ["2024-03-01T00:15", "2024-03-01T00:30", "2024-03-01T00:45"]),
    ("0 3 * * MON-FRI", ["2024-03-01T03:00", "2024-03-04T03:00", "2024-03-05T03:00"]),
    ("@hourly", ["2024-03-01T01:00", "2024-03-01T02:00", "2024-03-01T03:00"]),
    ("0 0 29 FEB *", ["2028-02-29T00:00", "2032-02-29T00:00", "2036-02-29T00:00"]),
    ("5,35 12 1 */6 *", ["2024-07-01T12:05", "2024-07-01T12:35", "2025-01-01T12:05"]),
    ("10-20/5 8 * * sun", ["2024-03-03T08:10", "2024-03-03T08:15", "2024-03-03T08:20"]),
    ("0 0 * * 7", ["2024-03-03T00:00", "2024-03-10T00:00", "2024-03-17T00:00"]),
    ("30/10 0 * * *", ["2024-03-01T00:30", "2024-03-01T00:40", "2024-03-01T00:50"]),
    ("0 12 31 * *", ["2024-03-31T12:00", "2024-05-31T12:00", "2024-07-31T12:00"]),
])
def test_next_fire_times(expression: str, expected: list[str]) -> None:
    times = parse_cron(expression).upcoming(START, 3)

    assert [t.isoformat(timespec="minutes") for t in times] == expected


def test_restricted_day_of_month_and_day_of_week_fire_on_either() -> None:
    times = parse_cron("0 0 13 * FRI").upcoming(START, 3)  # Friday 1st is excluded (after 00:00)

    assert [t.date().isoformat() for t in times] == ["2024-03-08", "2024-03-13", "2024-03-15"]


def test_the_next_time_is_strictly_after_the_given_one() -> None:
    schedule = parse_cron("0 * * * *")

    assert schedule.next_after(datetime(2024, 1, 1, 5, 0, 0)) == datetime(2024, 1, 1, 6, 0)


def test_macros_expand_to_five_fields() -> None:
    assert parse_cron("@weekly").fields == "0 0 * * 0"
    assert parse_cron(" 0  3 * * * ").fields == "0 3 * * *"


@pytest.mark.parametrize("expression, problem", [
    ("", "0 fields"),
    ("* * * * * *", "6 fields"),
    ("1,,2 * * * *", "empty list item"),
    ("5-1 * * * *", "range 5-1 runs backwards"),
    ("*/x * * * *", "step 'x'"),
    ("0 0 * JANUARY *", "'JANUARY' is not a number 1-12 or a name"),
    ("@often", "unknown macro @often"),
    ("0 0 30 2 *", "never fires"),
])
def test_invalid_expressions_name_the_problem(expression: str, problem: str) -> None:
    with pytest.raises(CronError, match=problem):
        parse_cron(expression)


def test_the_scheduler_sleeps_until_each_fire_time_then_runs(tmp_path) -> None:
    clock = SimulatedClock(datetime(2024, 1, 1, 0, 7))
    script = tmp_path / "noop.py"
    script.write_text("")
    import sys

    failures = run_on_schedule([sys.executable, str(script)], parse_cron("*/15 * * * *"), clock, 2)

    assert failures == 0
    assert clock.now() == datetime(2024, 1, 1, 0, 30)
    assert max(clock.slept) <= 60  # long waits are cut in steps that notice clock changes
