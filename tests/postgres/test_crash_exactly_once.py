"""Exactly once under kill -9 on PostgreSQL: the kill matrix of tests/core, here loading into a
real PostgreSQL through the postgres destination (seeded random points of every stage)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from kill_matrix import expected_customers, finish, kill_points, run_script  # noqa: E402


def destination_rows(connection, dataset):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {dataset}.orders ORDER BY id")
        orders = [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT count(*) FROM {dataset}.orders__lines")
        lines = cursor.fetchone()[0]
        cursor.execute(f"SELECT id, version FROM {dataset}.customers ORDER BY id")
        customers = [tuple(r) for r in cursor.fetchall()]
    return orders, lines, customers


@pytest.fixture
def shop_dataset(postgres_server):
    """The kill script's dataset `shop`, dropped before and after each test."""
    def drop():
        postgres_server.admin_execute(
            "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS shop CASCADE;"
            " DROP SCHEMA IF EXISTS shop_staging CASCADE", database="dlt_data")
    drop()
    yield "shop"
    drop()


@pytest.mark.parametrize("stage,nth", kill_points(3, seed=23))
def test_kill_at_a_random_point_then_postgres_holds_every_row_exactly_once(
        tmp_path, stage, nth, postgres_url, shop_dataset, pg_connection):
    env = {"STOPPY_DESTINATION": "postgres", "DESTINATION__POSTGRES__CREDENTIALS": postgres_url}
    stopped = run_script(tmp_path, stage, nth, "kill", "data", env)
    assert stopped.returncode in (0, -signal.SIGKILL), stopped.stderr[-3000:]
    if stopped.returncode != 0 or stage == "extract":
        finish(tmp_path, stopped, stage, env)
    orders, lines, customers = destination_rows(pg_connection, shop_dataset)
    assert orders == list(range(400))
    assert lines == 800
    assert customers == expected_customers()
