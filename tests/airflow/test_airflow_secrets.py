"""Secrets from Airflow: the Variable `dlt_secrets_toml`, and a Connection for credentials that
loads the decomposed source into a real PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import duckdb
import psycopg
from conftest import load_dag, run_dag
from sources import EXPECTED

SECRET = "tok-" + uuid.uuid4().hex

SECRET_DAG = """
import pendulum
from airflow.sdk import DAG

import dlt
from dlt.helpers.airflow_helper import PipelineTasksGroup


@dlt.source(name="vault_check")
def vault_check(api_key=dlt.secrets.value):
    @dlt.resource
    def checks():
        yield {{"id": 1, "key_length": len(api_key), "key_matches": api_key == {secret!r}}}

    return checks


with DAG(dag_id={dag_id!r}, schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC")):
    group = PipelineTasksGroup("vault", local_data_folder={data!r})
    pipeline = dlt.pipeline(pipeline_name="vault_pipeline", dataset_name="vault_data",
                            destination=dlt.destinations.duckdb({db!r}))
    group.add_run(pipeline, vault_check(), decompose="serialize")
"""

POSTGRES_DAG = """
import pendulum
from airflow.sdk import DAG
from sources import shop

import dlt
from dlt.helpers.airflow_helper import PipelineTasksGroup

with DAG(dag_id={dag_id!r}, schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC")):
    group = PipelineTasksGroup("shop_group", local_data_folder={data!r})
    pipeline = dlt.pipeline(pipeline_name="shop_pg", dataset_name={dataset!r}, destination="postgres")
    group.add_run(pipeline, shop(), decompose="parallel")
"""


def test_a_secret_comes_from_the_airflow_variable_dlt_secrets_toml(
    tmp_path: Path, dags_folder: Path, airflow_store: Any,
) -> None:
    airflow_store.variable("dlt_secrets_toml", f'[sources.vault_check]\napi_key = "{SECRET}"\n')
    dag_id = f"vault_{uuid.uuid4().hex[:6]}"
    path = dags_folder / f"{dag_id}.py"
    db = tmp_path / "vault.duckdb"
    path.write_text(SECRET_DAG.format(dag_id=dag_id, data=str(tmp_path / "data"), db=str(db),
                                      secret=SECRET), encoding="utf-8")

    dag_run = run_dag(load_dag(path, dag_id))

    assert str(dag_run.state) == "success"
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT key_length, key_matches FROM vault_data.checks").fetchall()
    assert rows == [(len(SECRET), True)]


def test_parallel_into_postgres_with_credentials_from_an_airflow_connection(
    tmp_path: Path, dags_folder: Path, airflow_store: Any, postgres_server: Any,
) -> None:
    airflow_store.connection("destination.postgres.credentials", postgres_server.postgres_url)
    dataset = f"shop_{uuid.uuid4().hex[:8]}"
    dag_id = f"shop_pg_{uuid.uuid4().hex[:6]}"
    path = dags_folder / f"{dag_id}.py"
    path.write_text(POSTGRES_DAG.format(dag_id=dag_id, data=str(tmp_path / "data"), dataset=dataset),
                    encoding="utf-8")

    dag_run = run_dag(load_dag(path, dag_id))

    assert str(dag_run.state) == "success"
    with psycopg.connect(postgres_server.postgres_url) as con:
        counts = {table: con.execute(f'SELECT count(*), count(DISTINCT id) FROM "{dataset}"."{table}"')
                  .fetchone() for table in EXPECTED}
        loads = con.execute(f'SELECT count(*) FROM "{dataset}"._dlt_loads WHERE status = 0').fetchone()
    assert counts == {table: (rows, rows) for table, rows in EXPECTED.items()}
    assert loads == (3,)  # one load per task: users+user_details, orders, products
