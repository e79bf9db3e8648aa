"""The SQLAlchemy destination on SQLite as dlt 1.31 lays it out: a dataset per attached file,
`main` in the database file itself, Engines and URLs as credentials, constraints on request."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed


def lite(path: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_each_dataset_is_its_own_attached_file(pipeline: Any, db_path: Path) -> None:
    pipeline.run([{"id": 1, "tags": ["a", "b"]}], table_name="items")
    dataset_file = db_path.with_name("dlt_data__games.db")
    assert lite(dataset_file, "SELECT id FROM items") == [(1,)]
    assert lite(dataset_file, "SELECT value FROM items__tags ORDER BY _dlt_list_idx") == [("a",), ("b",)]
    names = {r[0] for r in lite(dataset_file, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"_dlt_loads", "_dlt_version", "_dlt_pipeline_state"} <= names


def test_merge_stages_rows_in_the_staging_dataset_file(pipeline: Any, db_path: Path) -> None:
    @dlt.resource(primary_key="id", write_disposition="merge", name="players")
    def players(rows: list[dict[str, Any]]) -> Any:
        yield rows

    pipeline.run(players([{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]))
    pipeline.run(players([{"id": 2, "v": "B"}]))
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT id, v FROM players ORDER BY id") == [(1, "a"), (2, "B")]
    assert db_path.with_name("dlt_data__games_staging.db").is_file()


def test_dataset_main_writes_into_the_database_file_through_an_engine(tmp_path: Path) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    pipeline = dlt.pipeline(pipeline_name="main_ds", destination=dlt.destinations.sqlalchemy(engine),
                            dataset_name="main", pipelines_dir=str(tmp_path / "pipelines"))
    pipeline.run([{"a": 1}, {"a": 2}], table_name="numbers")
    assert lite(tmp_path / "plain.db", "SELECT a FROM numbers ORDER BY a") == [(1,), (2,)]
    assert not [f for f in os.listdir(tmp_path) if f.startswith("plain__")]
    with engine.connect() as connection:  # the engine is the user's: still usable
        assert connection.exec_driver_sql("SELECT count(*) FROM numbers").scalar() == 2
    engine.dispose()


def test_credentials_and_primary_keys_from_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__SQLALCHEMY__CREDENTIALS", f"sqlite:///{tmp_path / 'keys.db'}")
    monkeypatch.setenv("DESTINATION__SQLALCHEMY__CREATE_PRIMARY_KEYS", "true")
    pipeline = dlt.pipeline(pipeline_name="keys", destination="sqlalchemy", dataset_name="main",
                            pipelines_dir=str(tmp_path / "pipelines"))
    pipeline.run(dlt.resource([{"id": 7, "name": "g"}], name="players", primary_key="id"))
    ((ddl,),) = lite(tmp_path / "keys.db", "SELECT sql FROM sqlite_master WHERE name = 'players'")
    assert "PRIMARY KEY (id)" in ddl.replace('"', "")


def test_sql_client_takes_percent_s_on_a_qmark_driver(pipeline: Any) -> None:
    pipeline.run([{"id": 1, "v": "a"}, {"id": 2, "v": "b"}], table_name="items")
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT v FROM items WHERE id = %s", 2) == [("b",)]
        assert client.execute_sql("SELECT v FROM items WHERE id = ?", 1) == [("a",)]
        with client.execute_query("SELECT id FROM items ORDER BY id") as cursor:
            assert cursor.df()["id"].tolist() == [1, 2]


def test_dataset_reads_tables(pipeline: Any) -> None:
    pipeline.run([{"id": i} for i in range(3)], table_name="items")
    assert sorted(pipeline.dataset().items.df()["id"].tolist()) == [0, 1, 2]
    assert pipeline.dataset()["items"].select("id").where("id", "in", [1, 2]).order_by("id").fetchall() == [(1,), (2,)]


def test_a_url_of_an_uninstalled_driver_is_a_clear_error_without_the_password(tmp_path: Path) -> None:
    destination = dlt.destinations.sqlalchemy("nosuchdb://loader:Sekr1tPw@localhost/db")
    pipeline = dlt.pipeline(pipeline_name="bad", destination=destination, dataset_name="d",
                            pipelines_dir=str(tmp_path))
    with pytest.raises(PipelineStepFailed) as error:
        pipeline.run([{"x": 1}], table_name="t")
    text = ""
    exc: BaseException | None = error.value
    while exc is not None:
        text += str(exc)
        exc = exc.__cause__ or exc.__context__
    assert "SQLAlchemy cannot make an engine for nosuchdb://loader:***@localhost/db" in text
    assert "Sekr1tPw" not in text


def test_wei_values_keep_every_digit_as_text_on_sqlite(pipeline: Any, db_path: Path) -> None:
    from decimal import Decimal

    @dlt.resource(columns={"w": {"data_type": "wei"}})
    def amounts() -> Any:
        yield [{"id": 1, "w": Decimal("12345678901234567890123")}, {"id": 2, "w": 7}]

    pipeline.run(amounts())
    dataset_file = db_path.with_name("dlt_data__games.db")
    assert lite(dataset_file, "SELECT id, w FROM amounts ORDER BY id") == [
        (1, "12345678901234567890123"), (2, "7")]
