"""A process killed with SIGKILL mid-extract, mid-normalize or mid-load loses nothing and loads
nothing twice: the next run finishes the work. The kill comes from a plugin hook at that point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import duckdb
import pytest

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import dlt
    from dlt.plugins import get_plugin_manager

    stage, mode = sys.argv[1], sys.argv[2]

    class KillAt:
        calls = 0

        def _maybe_kill(self, here):
            if here == stage:
                KillAt.calls += 1
                if KillAt.calls == 2:
                    os.kill(os.getpid(), signal.SIGKILL)

        @dlt.hookimpl
        def on_extract_items(self, items):
            self._maybe_kill("extract")

        @dlt.hookimpl
        def on_normalize_rows(self, rows):
            self._maybe_kill("normalize")

        @dlt.hookimpl
        def on_load_job_complete(self, job):
            self._maybe_kill("load")

    get_plugin_manager().register_plugin(KillAt(), "kill_at")

    @dlt.resource(name="orders")
    def orders():
        for page in range(10):
            yield [{"id": page * 100 + i, "lines": [{"sku": i}, {"sku": i + 1}]} for i in range(100)]

    pipeline = dlt.pipeline(pipeline_name="crashy", destination="duckdb", dataset_name="shop")
    if mode == "data":
        pipeline.run(orders())
    else:
        pipeline.run()
    """
)


def run_script(tmp_path, stage, mode):
    script = tmp_path / "crashy_script.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, DLT_PIPELINES_DIR=str(tmp_path / "pipelines"))
    return subprocess.run([sys.executable, str(script), stage, mode], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def loaded_rows(tmp_path):
    with duckdb.connect(str(tmp_path / "crashy.duckdb"), read_only=True) as con:
        ids = [r[0] for r in con.execute("SELECT id FROM crashy.shop.orders").fetchall()]
        lines = con.execute("SELECT count(*) FROM crashy.shop.orders__lines").fetchone()[0]
    return ids, lines


@pytest.mark.parametrize("stage", ["extract", "normalize", "load"])
def test_killed_run_is_finished_by_the_next_run_exactly_once(tmp_path, stage):
    killed = run_script(tmp_path, stage, "data")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # after a crash mid-extract nothing was committed, so the data is extracted again;
    # after a crash in normalize or load, the pending package is what the next run finishes
    resumed = run_script(tmp_path, "none", "data" if stage == "extract" else "pending")
    assert resumed.returncode == 0, resumed.stderr
    ids, lines = loaded_rows(tmp_path)
    assert sorted(ids) == list(range(1000))
    assert lines == 2000


def test_pending_package_is_finished_before_new_data(tmp_path):
    killed = run_script(tmp_path, "load", "data")
    assert killed.returncode == -signal.SIGKILL
    # as in dlt 1.31, a run with a pending package finishes that package and extracts nothing
    resumed = run_script(tmp_path, "none", "data")
    assert resumed.returncode == 0, resumed.stderr
    assert "does not extract the data passed to it" in resumed.stderr
    ids, _ = loaded_rows(tmp_path)
    assert sorted(ids) == list(range(1000))
    # the next run loads the new data: the interrupted package and the new one, each exactly once
    again = run_script(tmp_path, "none", "data")
    assert again.returncode == 0, again.stderr
    ids, _ = loaded_rows(tmp_path)
    assert sorted(ids) == sorted(list(range(1000)) * 2)
