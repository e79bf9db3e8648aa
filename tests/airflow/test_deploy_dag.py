"""`dlt deploy SCRIPT airflow`: the generated DAG imports in Airflow's DagBag and runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
from conftest import load_dag, run_dag, task_states

SCRIPT = '''
import dlt


@dlt.source
def pets():
    @dlt.resource(primary_key="id")
    def owners():
        yield [{"id": i, "name": f"owner {i}"} for i in range(7)]

    @dlt.transformer(data_from=owners)
    def dogs(page):
        yield [{"id": row["id"], "owner_id": row["id"]} for row in page]

    @dlt.resource(primary_key="id")
    def cats():
        yield [{"id": i} for i in range(5)]

    @dlt.resource(primary_key="id")
    def fish():
        yield [{"id": i} for i in range(3)]

    return owners, dogs, cats, fish


if __name__ == "__main__":
    pipeline = dlt.pipeline(pipeline_name="pets", destination="duckdb", dataset_name="pets_data")
    print(pipeline.run(pets()))
'''


def dlt_command(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    dlt = Path(sys.executable).parent / "dlt"
    return subprocess.run([str(dlt), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_generated_dag_imports_and_runs_the_source_decomposed(
    tmp_path: Path, dags_folder: Path, airflow_store: Any,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pets_pipeline.py").write_text(SCRIPT, encoding="utf-8")

    result = dlt_command(project, "deploy", "pets_pipeline.py", "airflow", "--schedule", "@daily",
                         "--decompose", "parallel")

    assert result.returncode == 0, result.stderr
    generated = project / "dags" / "dlt_pets_pipeline_dag.py"
    text = generated.read_text()
    assert "from pets_pipeline import pets" in text
    assert 'decompose="parallel"' in text
    # install it as a user would: the DAG file in the dags folder, the secrets in the Variable
    (dags_folder / generated.name).write_text(text, encoding="utf-8")
    db = tmp_path / "pets.duckdb"
    airflow_store.variable("dlt_secrets_toml", f'[destination.duckdb]\ncredentials = "{db}"\n')

    dag = load_dag(dags_folder / generated.name, "dlt_pets_pipeline")
    assert {t.task_id for t in dag.tasks} == {
        "pets.pets_owners-dogs", "pets.pets_cats", "pets.pets_fish", "pets.pets_owners-dogs-cats-fish_end"}
    dag_run = run_dag(dag)

    assert str(dag_run.state) == "success", task_states(dag_run)
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM pets_data.{t}").fetchone()[0]
                  for t in ("owners", "dogs", "cats", "fish")}
    assert counts == {"owners": 7, "dogs": 7, "cats": 5, "fish": 3}


def test_a_script_without_a_source_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("import dlt\n\nprint('hello')\n", encoding="utf-8")

    result = dlt_command(tmp_path, "deploy", "plain.py", "airflow", "--schedule", "@daily")

    assert result.returncode != 0
    assert "@dlt.source" in result.stderr
    assert not (tmp_path / "dags").exists()


def test_a_script_that_runs_when_imported_is_refused(tmp_path: Path) -> None:
    eager = SCRIPT.split("if __name__")[0] + (
        'pipeline = dlt.pipeline(pipeline_name="pets", destination="duckdb")\n'
        "pipeline.run(pets())\n")
    (tmp_path / "eager.py").write_text(eager, encoding="utf-8")

    result = dlt_command(tmp_path, "deploy", "eager.py", "airflow", "--schedule", "@daily")

    assert result.returncode != 0
    assert "__main__" in result.stderr
