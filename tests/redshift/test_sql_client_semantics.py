"""`pipeline.sql_client()` and `pipeline.dataset()` on the Redshift stand-in: the dataset is on
the search path, `%s` parameters, the cursor's readers, truncate/drop."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import dlt


@pytest.fixture
def pipeline(destination: Any, dlt_pipelines_dir: Path) -> Any:
    name = f"rs_{uuid.uuid4().hex[:8]}"
    p = dlt.pipeline(pipeline_name=name, destination=destination, dataset_name=name)
    p.run([{"id": i, "name": "O'Hara" if i == 2 else f"n{i}"} for i in range(7)], table_name="people")
    return p


def test_unqualified_names_and_percent_s_parameters(pipeline: Any) -> None:
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM people") == [(7,)]
        assert client.execute_sql("SELECT name FROM people WHERE id = %s", 3) == [("n3",)]
        assert client.execute_sql("SELECT id FROM people WHERE name = %s", "O'Hara") == [(2,)]
        rows = client.execute_sql("SELECT id %% 4 FROM people WHERE name LIKE 'n%%' AND id = %s", 5)
        assert rows == [(1,)]


def test_cursor_readers(pipeline: Any) -> None:
    query = "SELECT id, name FROM people ORDER BY id"
    with pipeline.sql_client() as client:
        with client.execute_query(query) as cursor:
            assert cursor.fetchone() == (0, "n0")
            assert cursor.fetchmany() == [(1, "n1")]
            assert len(cursor.fetchmany(2)) == 2
            assert len(cursor.fetchall()) == 3
        with client.execute_query(query) as cursor:
            assert [len(c) for c in cursor.iter_fetch(3)] == [3, 3, 1]
        with client.execute_query(query) as cursor:
            table = cursor.arrow()
        assert isinstance(table, pa.Table) and table.column_names == ["id", "name"]
        with client.execute_query(query) as cursor:
            frames = list(cursor.iter_df(4))
        assert all(isinstance(f, pd.DataFrame) for f in frames)
        assert pd.concat(frames)["id"].tolist() == list(range(7))


def test_truncate_and_drop_tables(pipeline: Any) -> None:
    with pipeline.sql_client() as client:
        client.truncate_tables("people")
        assert client.execute_sql("SELECT count(*) FROM people") == [(0,)]
        client.drop_tables("people")
        rows = client.execute_sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = 'people'",
            pipeline.dataset_name)
        assert rows == [(0,)]


def test_dataset_reads_through_the_sql_client(pipeline: Any) -> None:
    ds = pipeline.dataset()
    assert ds.people.select("id").where("id", "in", [1, 5]).order_by("id").fetchall() == [(1,), (5,)]
    assert ds.people.select("id").max().fetchscalar() == 6
    assert dict(ds.row_counts().fetchall()) == {"people": 7}
    assert ds("SELECT name FROM people WHERE id = 2").fetchall() == [("O'Hara",)]
