"""Exactly once under kill -9 and stop signals, at seeded random points of every stage.

A child process runs a pipeline of two resources (a root table with a nested child table, and a
merge table) and is stopped at a point a seeded random generator picks: the Nth call of a stage
hook (extract pages, normalize row slices, completed load jobs). After the crash, further runs
finish the work; the destination must then hold every row exactly once. SIGINT and SIGTERM stop
the run at a safe point, leaving pending packages that the next run finishes.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from kill_matrix import expected_customers, finish, kill_points, run_script  # noqa: E402


def destination_rows(tmp_path):
    with duckdb.connect(str(tmp_path / "stoppy.duckdb"), read_only=True) as con:
        orders = sorted(r[0] for r in con.execute("SELECT id FROM stoppy.shop.orders").fetchall())
        lines = con.execute("SELECT count(*) FROM stoppy.shop.orders__lines").fetchone()[0]
        customers = con.execute(
            "SELECT id, version FROM stoppy.shop.customers ORDER BY id").fetchall()
        loads = con.execute("SELECT count(*) FROM stoppy.shop._dlt_loads").fetchone()[0]
    return orders, lines, customers, loads


@pytest.mark.parametrize("stage,nth", kill_points(6))
def test_kill_at_a_random_point_then_every_row_is_loaded_exactly_once(tmp_path, stage, nth):
    stopped = run_script(tmp_path, stage, nth, "kill", "data")
    assert stopped.returncode in (0, -signal.SIGKILL), stopped.stderr[-3000:]
    if stopped.returncode != 0 or stage == "extract":
        finish(tmp_path, stopped, stage)
    orders, lines, customers, _ = destination_rows(tmp_path)
    assert orders == list(range(400))
    assert lines == 800
    assert customers == expected_customers()


@pytest.mark.parametrize("how", ["term", "int"])
def test_a_stop_signal_mid_load_leaves_a_pending_package_the_next_run_finishes(tmp_path, how):
    stopped = run_script(tmp_path, "load", 1, how, "data")
    assert stopped.returncode != 0
    assert "Stopped by SIG" in stopped.stderr
    resumed = run_script(tmp_path, "none", 0, "kill", "pending")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    orders, lines, customers, loads = destination_rows(tmp_path)
    assert orders == list(range(400)) and lines == 800
    assert customers == expected_customers()
    assert loads == 1
