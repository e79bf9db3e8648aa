"""`dlt run SCRIPT [--schedule CRON] [--progress log|tqdm|...]`: run a pipeline script now, or
again and again on a schedule.

The script runs in a subprocess with the interpreter of this `dlt`, in the current directory,
so it reads the same `.dlt/` configuration. With `--schedule` the command sleeps until the next
time the cron expression fires, runs the script, and repeats (`--max-runs` stops it).
`--progress` sets the `PROGRESS` configuration value for the script, which (as a pipeline
option found in configuration) wins over the `progress=` its pipelines pass in code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Protocol

import typer

from dlt_cli.cron import CronSchedule, parse_cron, schedule_callback
from dlt_cli.errors import CliError
from dlt_cli.output import note

#: Testing switch: an ISO time to start a simulated clock at, whose sleeps return at once.
SIMULATED_CLOCK_ENV = "DLT_CLI_SIMULATED_CLOCK"
#: how long one real sleep lasts at most, so a changed wall clock (suspend, NTP) is noticed
MAX_SLEEP_SECONDS = 60.0


class ProgressChoice(str, Enum):
    """The values of `--progress`: the collector names `dlt.pipeline(progress=...)` takes."""

    log = "log"
    tqdm = "tqdm"
    enlighten = "enlighten"
    alive_progress = "alive_progress"


class Clock(Protocol):
    """The time source of the scheduler."""

    def now(self) -> datetime:
        """The current local time (naive)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """The current local time."""
        return datetime.now()

    def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        import time

        time.sleep(seconds)


@dataclass
class SimulatedClock:
    """A clock that starts at `current` and jumps forward instead of sleeping (for tests)."""

    current: datetime
    slept: list[float] = field(default_factory=list)

    def now(self) -> datetime:
        """The simulated time."""
        return self.current

    def sleep(self, seconds: float) -> None:
        """Advance the simulated time by `seconds` at once."""
        self.slept.append(seconds)
        self.current += timedelta(seconds=seconds)


def clock_from_env() -> Clock:
    """The system clock, or a simulated one when `DLT_CLI_SIMULATED_CLOCK` holds an ISO time."""
    start = os.environ.get(SIMULATED_CLOCK_ENV)
    if not start:
        return SystemClock()
    try:
        return SimulatedClock(datetime.fromisoformat(start))
    except ValueError:
        raise CliError(f"{SIMULATED_CLOCK_ENV}={start!r} is not an ISO date and time,"
                       " e.g. 2024-01-01T00:00:00.") from None


def register(app: typer.Typer) -> None:
    """Add the `run` command to `app`."""
    app.command("run")(run)


def run(
    script: Annotated[Path, typer.Argument(metavar="SCRIPT", help="The pipeline script, e.g. github_pipeline.py.")],
    script_args: Annotated[
        list[str] | None, typer.Argument(metavar="SCRIPT_ARGS", help="Arguments for the script, after --.")
    ] = None,
    schedule: Annotated[
        str | None,
        typer.Option("--schedule", metavar="CRON", callback=schedule_callback,
                     help='Run again and again at these times, a cron expression, e.g. "*/15 * * * *".'),
    ] = None,
    max_runs: Annotated[
        int | None, typer.Option("--max-runs", metavar="N", min=1, help="With --schedule: stop after this many runs.")
    ] = None,
    progress: Annotated[
        ProgressChoice | None,
        typer.Option("--progress", metavar="log|tqdm|enlighten|alive_progress",
                     help="Show the progress of every pipeline the script runs: log lines on stdout,"
                          " or tqdm, enlighten or alive_progress bars (pip install"
                          ' "dlt-core[tqdm]" and so on).'),
    ] = None,
) -> None:
    """Run SCRIPT with this dlt's Python, now or on a cron schedule (local time).

    Without --schedule the exit code is 0 when the script succeeds and 1 when it fails. With
    --schedule a failed run is reported and the schedule goes on; after --max-runs runs the
    exit code is 1 when any run failed.
    """
    if not script.is_file():
        raise CliError(f"The script {script} does not exist in {Path.cwd()}.")
    command = [sys.executable, str(script), *(script_args or [])]
    env = {"PROGRESS": progress.value} if progress else {}
    if schedule is None:
        if max_runs is not None:
            raise typer.BadParameter("--max-runs needs --schedule.", param_hint="--max-runs")
        code = run_script(command, env=env)
        if code != 0:
            raise CliError(f"The script {script} failed with exit code {code}.")
        return
    failures = run_on_schedule(command, parse_cron(schedule), clock_from_env(), max_runs, env)
    if failures:
        raise CliError(f"{failures} scheduled run(s) of {script} failed.")


def run_script(command: Sequence[str], scheduled_at: datetime | None = None,
               env: dict[str, str] | None = None) -> int:
    """Run the script and return its exit code; Ctrl-C waits for it to stop at a safe point.
    `env` adds environment variables (configuration values) for the script."""
    env = {**os.environ, **(env or {})}
    if scheduled_at is not None:
        env["DLT_SCHEDULED_AT"] = scheduled_at.isoformat()
    process = subprocess.Popen(list(command), env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        # the script got the same SIGINT: dlt stops at a safe point and keeps pending packages
        note("Interrupted: waiting for the script to stop at a safe point...")
        process.wait()
        raise


def run_on_schedule(command: Sequence[str], cron: CronSchedule, clock: Clock,
                    max_runs: int | None, env: dict[str, str] | None = None) -> int:
    """Sleep until each time `cron` fires and run the script then (with `env` added to its
    environment); return the number of failures."""
    runs = failures = 0
    script = command[1]
    try:
        while max_runs is None or runs < max_runs:
            due = cron.next_after(clock.now())
            note(f"Next run of {script} at {due.isoformat(sep=' ')}"
                 f" (schedule \"{cron.expression}\").")
            while (remaining := (due - clock.now()).total_seconds()) > 0:
                clock.sleep(min(remaining, MAX_SLEEP_SECONDS))
            runs += 1
            note(f"Run {runs}{f' of {max_runs}' if max_runs else ''} of {script} started at"
                 f" {clock.now().isoformat(sep=' ', timespec='seconds')}.")
            code = run_script(command, due, env)
            if code == 0:
                note(f"Run {runs} of {script} finished.")
            else:
                failures += 1
                note(f"Run {runs} of {script} failed with exit code {code}; the schedule goes on.")
    except KeyboardInterrupt:
        note(f"Stopped after {runs} run(s).")
        raise typer.Exit(130) from None
    return failures
