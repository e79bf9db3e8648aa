"""The pipeline script of the kill matrices (tests/core on DuckDB, tests/postgres on PostgreSQL).

A child process runs a pipeline of two resources (a root table with a nested child table, and a
merge table) and is stopped at a point a seeded random generator picks: the Nth call of a stage
hook (extract pages, normalize row slices, completed load jobs). Further runs finish the work;
the destination must then hold every row exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import dlt
    from dlt.plugins import get_plugin_manager

    stage, nth, how = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    SIGNALS = {"kill": signal.SIGKILL, "term": signal.SIGTERM, "int": signal.SIGINT}

    class StopAt:
        calls = 0

        def _maybe_stop(self, here):
            if here == stage:
                StopAt.calls += 1
                if StopAt.calls == nth:
                    os.kill(os.getpid(), SIGNALS[how])

        @dlt.hookimpl
        def on_extract_items(self, items):
            self._maybe_stop("extract")

        @dlt.hookimpl
        def on_normalize_rows(self, rows):
            self._maybe_stop("normalize")

        @dlt.hookimpl
        def on_load_job_complete(self, job):
            self._maybe_stop("load")

    get_plugin_manager().register_plugin(StopAt(), "stop_at")

    @dlt.resource(name="orders")
    def orders():
        for page in range(8):
            yield [{"id": page * 50 + i, "lines": [{"sku": i}, {"sku": i + 1}]} for i in range(50)]

    @dlt.resource(name="customers", primary_key="id", write_disposition="merge")
    def customers():
        for page in range(4):
            yield [{"id": i, "version": page} for i in range(page * 10, page * 10 + 30)]

    @dlt.source(name="shop")
    def shop():
        return orders, customers

    destination = os.environ.get("STOPPY_DESTINATION", "duckdb")
    pipeline = dlt.pipeline(pipeline_name="stoppy", destination=destination, dataset_name="shop")
    if sys.argv[4] == "data":
        pipeline.run(shop())
    else:
        pipeline.run()
    """
)

STAGES = ("extract", "normalize", "load")
# the hook calls of one run: 12 extract pages; row slices and load jobs differ, so the upper
# bound is generous and a point past the last call simply lets the run finish
CALLS = {"extract": 12, "normalize": 8, "load": 4}


def run_script(tmp_path, stage: str, nth: int, how: str, mode: str,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the pipeline script once, stopped by `how` at the `nth` call of `stage`'s hook.
    `env` adds variables (`STOPPY_DESTINATION` and its credentials for another destination)."""
    script = tmp_path / "stoppy_script.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, DLT_PIPELINES_DIR=str(tmp_path / "pipelines"), **(env or {}))
    return subprocess.run([sys.executable, str(script), stage, str(nth), how, mode], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=180)


def expected_customers():
    latest = {}
    for page in range(4):
        for i in range(page * 10, page * 10 + 30):
            latest[i] = page
    return sorted(latest.items())


def finish(tmp_path, stopped: subprocess.CompletedProcess, stage: str,
           env: dict[str, str] | None = None) -> None:
    """Run until nothing is pending: a crash mid-extract committed nothing, so extract again."""
    mode = "data" if stage == "extract" and stopped.returncode == -signal.SIGKILL else "pending"
    resumed = run_script(tmp_path, "none", 0, "kill", mode, env)
    assert resumed.returncode == 0, resumed.stderr[-3000:]


def kill_points(count: int, seed: int = 19):
    """`count` (stage, nth call) points picked by a seeded generator, covering every stage."""
    rng = random.Random(seed)
    points = [(stage, rng.randint(1, CALLS[stage])) for stage in STAGES]
    while len(points) < count:
        stage = rng.choice(STAGES)
        points.append((stage, rng.randint(1, CALLS[stage])))
    return points
