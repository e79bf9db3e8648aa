"""Fixtures for dlt-airflow: a real Apache Airflow with its SQLite metadata DB in a temp
AIRFLOW_HOME, DAGs run in-process with `dag.test()`, and a throwaway PostgreSQL.

Airflow reads its configuration when it is first imported, so AIRFLOW_HOME and the dags folder
are set here, at import time, before any test module imports Airflow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="dlt-airflow-home-"))
DAGS_FOLDER = AIRFLOW_HOME / "dags"
DAGS_FOLDER.mkdir()
os.environ.update({
    "AIRFLOW_HOME": str(AIRFLOW_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
})

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from pg_server import StandIn, start_stand_in  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def airflow_db() -> Iterator[Path]:
    """`airflow db migrate` once into the temp AIRFLOW_HOME; removed at the end."""
    airflow = Path(sys.executable).parent / "airflow"
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, timeout=300)
    yield AIRFLOW_HOME
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def dlt_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """PipelineTasksGroup sets DLT_* folders in os.environ: give them back after each test, and
    run each test in its own folder with a fresh config resolver."""
    for key in ("DLT_PROJECT_DIR", "DLT_DATA_DIR", "DLT_LOCAL_DIR", "DLT_PIPELINES_DIR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    from dlt.configuration.resolve import reset_resolver

    reset_resolver()
    yield
    reset_resolver()


@pytest.fixture
def airflow_store() -> Iterator[Any]:
    """Add Variables and Connections to Airflow's metadata DB; removed after the test."""
    from airflow.models import Connection, Variable
    from airflow.utils.session import create_session

    from dlt.plugins import get_plugin_manager

    added: list[Any] = []

    def forget_cached_answers() -> None:
        for provider in get_plugin_manager().provided("config_provider").values():
            if hasattr(provider, "clear_cache"):
                provider.clear_cache()

    class Store:
        def variable(self, key: str, value: str) -> None:
            with create_session() as session:
                session.add(Variable(key=key, val=value))
            added.append((Variable, Variable.key == key))
            forget_cached_answers()

        def connection(self, conn_id: str, uri: str) -> None:
            with create_session() as session:
                session.add(Connection(conn_id=conn_id, uri=uri))
            added.append((Connection, Connection.conn_id == conn_id))
            forget_cached_answers()

    yield Store()
    with create_session() as session:
        for model, condition in added:
            session.query(model).filter(condition).delete()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[StandIn]:
    """A throwaway PostgreSQL on 127.0.0.1 (tests/support/pg_server.py)."""
    server = start_stand_in(database="dlt_data", user="loader", proxy=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dags_folder() -> Iterator[Path]:
    """The dags folder (Airflow 3 runs only DAGs it parsed from a file there), emptied after
    each test so that every `dag.test()` parses only the DAG of its own test."""
    yield DAGS_FOLDER
    for path in DAGS_FOLDER.iterdir():
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def load_dag(path: Path, dag_id: str) -> Any:
    """Parse the DAG file `path` with Airflow's DagBag; fails on any import error."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(path))
    assert bag.import_errors == {}, bag.import_errors
    return bag.dags[dag_id]


def run_dag(dag: Any) -> Any:
    """Run `dag` in this process as `airflow dags test` does; returns the finished DagRun."""
    return dag.test()


def task_states(dag_run: Any) -> dict[str, str]:
    """task_id -> (final state, try number) of every task instance of `dag_run`."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance.task_id, TaskInstance.state, TaskInstance.try_number).filter(
            TaskInstance.dag_id == dag_run.dag_id, TaskInstance.run_id == dag_run.run_id).all()
    return {task_id: (str(state), tries) for task_id, state, tries in rows}
