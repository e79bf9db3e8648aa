"""`pipeline.sql_client()` and `pipeline.dataset()` against the BigQuery emulator: the dataset is
the default dataset, `%s` parameters, the cursor's readers."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import dlt

if importlib.util.find_spec("pytest_timeout") is not None:
    pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def loaded(bigquery_emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    destination = dlt.destinations.bigquery(api_endpoint=bigquery_emulator.endpoint,
                                            project_id=bigquery_emulator.project, location="US")
    suffix = uuid.uuid4().hex[:8]
    pipeline = dlt.pipeline(pipeline_name=f"bq_sem_{suffix}", destination=destination,
                            dataset_name=f"bq_sem_{suffix}",
                            pipelines_dir=str(tmp_path_factory.mktemp("pipelines")))
    pipeline.run([{"id": i, "name": "O'Hara" if i == 2 else f"n{i}"} for i in range(7)], table_name="people")
    return pipeline


def test_unqualified_names_and_percent_s_parameters(loaded: Any) -> None:
    with loaded.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM people") == [(7,)]
        assert client.execute_sql("SELECT name FROM people WHERE id = %s", 3) == [("n3",)]
        assert client.execute_sql("SELECT id FROM people WHERE name = %s", "O'Hara") == [(2,)]
        assert client.execute_sql("SELECT name FROM people WHERE id = ?", 4) == [("n4",)]


def test_cursor_readers(loaded: Any) -> None:
    query = "SELECT id, name FROM people ORDER BY id"
    with loaded.sql_client() as client:
        with client.execute_query(query) as cursor:
            assert cursor.fetchone() == (0, "n0")
            assert cursor.fetchmany() == [(1, "n1")]
            assert len(cursor.fetchmany(2)) == 2
            assert len(cursor.fetchall()) == 3
        with client.execute_query(query) as cursor:
            assert [len(c) for c in cursor.iter_fetch(3)] == [3, 3, 1]
        with client.execute_query(query) as cursor:
            table = cursor.arrow()
        assert isinstance(table, pa.Table) and table.column("id").to_pylist() == list(range(7))


def test_dataset_reads_through_the_sql_client(loaded: Any) -> None:
    ds = loaded.dataset()
    assert ds.people.select("id").where("id", "in", [1, 5]).order_by("id").fetchall() == [(1,), (5,)]
    assert ds.people.where("name", "eq", "O'Hara").select("id").fetchall() == [(2,)]
    assert ds.people.select("id").max().fetchscalar() == 6
    assert dict(ds.row_counts().fetchall()) == {"people": 7}
