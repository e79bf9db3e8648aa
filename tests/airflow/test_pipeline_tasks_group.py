"""PipelineTasksGroup on a real Airflow: every decompose mode, retries, load info and trace."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import load_dag, run_dag, task_states
from sources import EXPECTED, ORDERS, shop

import dlt
from dlt.helpers.airflow_helper import PipelineTasksGroup


DAG_FILE = """
from datetime import timedelta

import pendulum
from airflow.sdk import DAG
from sources import shop

import dlt
from dlt.helpers.airflow_helper import PipelineTasksGroup

with DAG(dag_id={dag_id!r}, schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
         catchup=False) as dag:
    group = PipelineTasksGroup("shop_group", local_data_folder={data!r}, {group_args})
    pipeline = dlt.pipeline(pipeline_name="shop_pipeline", dataset_name="shop_data",
                            destination={destination})
    group.add_run(pipeline, shop(**{source_args!r}), decompose={decompose!r}, {run_args})
"""


def duckdb_counts(path: Path, dataset: str, tables: list[str]) -> dict[str, tuple[int, int]]:
    """table -> (rows, distinct ids)."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f'SELECT count(*), count(DISTINCT id) FROM "{dataset}"."{t}"').fetchone()
                for t in tables}


def shop_dag(tmp_path: Path, dags_folder: Path, decompose: str, *, group_args: str = "",
             source_args: dict[str, Any] | None = None, run_args: str = "",
             destination: str | None = None) -> Any:
    """Write a DAG file running the shop source with `decompose`, parse it and return the DAG."""
    dag_id = f"shop_{decompose.replace('-', '_')}_{uuid.uuid4().hex[:6]}"
    destination = destination or f"dlt.destinations.duckdb({str(tmp_path / 'shop.duckdb')!r})"
    path = dags_folder / f"{dag_id}.py"
    path.write_text(DAG_FILE.format(dag_id=dag_id, data=str(tmp_path / "data"), group_args=group_args,
                                    destination=destination, source_args=source_args or {},
                                    decompose=decompose, run_args=run_args), encoding="utf-8")
    return load_dag(path, dag_id)


def group_tasks(dag: Any) -> list[Any]:
    """The tasks of the shop group in the order add_run created them."""
    return [task for task in dag.tasks if task.task_id.startswith("shop_group.")]


def test_parallel_runs_the_transformer_with_its_parent_and_loads_every_row_once(
    tmp_path: Path, dags_folder: Path,
) -> None:
    evaluations = tmp_path / "evaluations.txt"
    dag = shop_dag(tmp_path, dags_folder, "parallel", source_args={"evaluations": str(evaluations)})

    tasks = group_tasks(dag)
    by_id = {t.task_id: t for t in tasks}
    first, orders, products, end = (
        "shop_group.shop_users-user_details", "shop_group.shop_orders", "shop_group.shop_products",
        "shop_group.shop_users-user_details-orders-products_end")
    assert set(by_id) == {first, orders, products, end}
    assert by_id[first].downstream_task_ids == {orders, products}
    assert by_id[orders].downstream_task_ids == by_id[products].downstream_task_ids == {end}

    dag_run = run_dag(dag)

    assert str(dag_run.state) == "success"
    assert {state for state, _ in task_states(dag_run).values()} == {"success"}
    counts = duckdb_counts(tmp_path / "shop.duckdb", "shop_data", list(EXPECTED))
    assert counts == {table: (rows, rows) for table, rows in EXPECTED.items()}
    # each resource was evaluated exactly once, the parent of the transformer too
    assert sorted(evaluations.read_text().split()) == ["orders", "products", "user_details", "users"]


def test_serialize_chains_the_groups_in_declaration_order(tmp_path: Path, dags_folder: Path) -> None:
    evaluations = tmp_path / "evaluations.txt"
    dag = shop_dag(tmp_path, dags_folder, "serialize", source_args={"evaluations": str(evaluations)})

    chain = ["shop_group.shop_users-user_details", "shop_group.shop_orders", "shop_group.shop_products"]
    by_id = {t.task_id: t for t in group_tasks(dag)}
    assert set(by_id) == set(chain)
    assert [by_id[t].downstream_task_ids for t in chain] == [{chain[1]}, {chain[2]}, set()]

    dag_run = run_dag(dag)

    assert str(dag_run.state) == "success"
    assert evaluations.read_text().split() == ["users", "user_details", "orders", "products"]
    counts = duckdb_counts(tmp_path / "shop.duckdb", "shop_data", list(EXPECTED))
    assert counts == {table: (rows, rows) for table, rows in EXPECTED.items()}


def test_parallel_isolated_gives_every_task_its_own_pipeline_state(tmp_path: Path, dags_folder: Path) -> None:
    dag = shop_dag(tmp_path, dags_folder, "parallel-isolated")

    dag_run = run_dag(dag)

    assert str(dag_run.state) == "success"
    counts = duckdb_counts(tmp_path / "shop.duckdb", "shop_data", list(EXPECTED))
    assert counts == {table: (rows, rows) for table, rows in EXPECTED.items()}
    with duckdb.connect(str(tmp_path / "shop.duckdb"), read_only=True) as con:
        names = {row[0] for row in con.execute(
            "SELECT DISTINCT pipeline_name FROM shop_data._dlt_pipeline_state").fetchall()}
    # every task, the first one too, has a pipeline named after its task (as in dlt 1.31)
    assert names == {"shop_users_user_details", "shop_orders", "shop_products"}


def test_a_task_failing_on_its_first_try_is_retried_by_airflow_and_loads_nothing_twice(
    tmp_path: Path, dags_folder: Path,
) -> None:
    marker = tmp_path / "orders-failed-once"
    dag = shop_dag(tmp_path, dags_folder, "parallel", source_args={"fail_once_marker": str(marker)},
                   run_args="retries=1, retry_delay=timedelta(seconds=0)")

    dag_run = run_dag(dag)

    assert marker.exists()  # the first try did fail halfway through orders
    assert task_states(dag_run)["shop_group.shop_orders"] == ("success", 2)
    assert str(dag_run.state) == "success"
    counts = duckdb_counts(tmp_path / "shop.duckdb", "shop_data", list(EXPECTED))
    assert counts == {table: (rows, rows) for table, rows in EXPECTED.items()}


def test_a_retry_policy_retries_the_failed_extract_inside_the_task(tmp_path: Path, dags_folder: Path) -> None:
    marker = tmp_path / "orders-failed-once"
    dag = shop_dag(
        tmp_path, dags_folder, "serialize", source_args={"fail_once_marker": str(marker)},
        group_args="retry_policy=__import__('tenacity').Retrying(stop=__import__('tenacity')"
                   ".stop_after_attempt(2), reraise=True), retry_pipeline_steps=('extract', 'load')")

    dag_run = run_dag(dag)

    assert marker.exists()
    assert task_states(dag_run)["shop_group.shop_orders"] == ("success", 1)  # one Airflow try
    counts = duckdb_counts(tmp_path / "shop.duckdb", "shop_data", ["orders"])
    assert counts == {"orders": (ORDERS, ORDERS)}


def test_without_retries_the_failing_task_fails_the_dag_run(tmp_path: Path, dags_folder: Path) -> None:
    dag = shop_dag(tmp_path, dags_folder, "serialize",
                   source_args={"fail_once_marker": str(tmp_path / "m")})

    dag_run = run_dag(dag)

    states = task_states(dag_run)
    assert str(dag_run.state) == "failed"
    assert states["shop_group.shop_orders"][0] == "failed"
    assert states["shop_group.shop_products"][0] == "upstream_failed"


def test_load_info_and_trace_are_saved_to_the_destination(tmp_path: Path, dags_folder: Path) -> None:
    dag = shop_dag(tmp_path, dags_folder, "none", group_args="save_load_info=True, save_trace_info=True")

    assert str(run_dag(dag).state) == "success"
    with duckdb.connect(str(tmp_path / "shop.duckdb"), read_only=True) as con:
        load_info = con.execute("SELECT pipeline__pipeline_name FROM shop_data._load_info").fetchall()
        trace = con.execute("SELECT count(*) FROM shop_data._trace").fetchone()
    assert load_info == [("shop_pipeline",)]
    assert trace[0] >= 1


def test_a_pipeline_made_before_the_group_is_refused(tmp_path: Path) -> None:
    from airflow.sdk import DAG

    with DAG(dag_id="refused", schedule=None):
        pipeline = dlt.pipeline(pipeline_name="early", destination="duckdb",
                                pipelines_dir=str(tmp_path / "elsewhere"))
        group = PipelineTasksGroup("early_group", local_data_folder=str(tmp_path / "data"))
        with pytest.raises(ValueError, match="Instantiate PipelineTasksGroup BEFORE creating the Pipeline"):
            group.add_run(pipeline, shop(), decompose="serialize")


def test_decomposing_something_that_is_not_a_source_says_so(tmp_path: Path) -> None:
    from airflow.sdk import DAG

    with DAG(dag_id="not_a_source", schedule=None):
        group = PipelineTasksGroup("g", local_data_folder=str(tmp_path / "data"))
        pipeline = dlt.pipeline(pipeline_name="p", destination="duckdb")
        with pytest.raises(ValueError, match="splits a dlt source into tasks"):
            group.add_run(pipeline, [{"id": 1}], decompose="parallel")
        with pytest.raises(ValueError, match="not a decomposition mode"):
            group.add_run(pipeline, shop(), decompose="sideways")
