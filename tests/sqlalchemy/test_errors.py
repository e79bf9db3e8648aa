"""Bad input on the SQLAlchemy destination (MariaDB through pymysql, and SQLite): a clear error
naming the destination (and the table where there is one), never the password, and nothing
extracted is lost: the package stays pending and a run with the fix loads it."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

import dlt
from dlt.destinations.base import DestinationTerminalError, DestinationTransientError
from dlt.pipeline.exceptions import PipelineStepFailed

LONG_TABLE = "a_table_name_that_is_much_longer_than_the_sixty_four_characters_mariadb_allows"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chain(exc: BaseException | None) -> list[BaseException]:
    found = []
    while exc is not None:
        found.append(exc)
        exc = exc.__cause__ or exc.__context__
    return found


def failing_run(pipeline: Any, rows: Any = ({"x": 1},), **kwargs: Any) -> list[BaseException]:
    with pytest.raises(PipelineStepFailed) as error:
        pipeline.run(list(rows), table_name="things", **kwargs)
    return chain(error.value)


def new_pipeline(destination: Any, tmp_path: Path, dataset: str = "errors_ds") -> Any:
    return dlt.pipeline(pipeline_name="errors", destination=destination, dataset_name=dataset,
                        pipelines_dir=str(tmp_path / "pipelines"))


def count(pipeline: Any, table: str = "things") -> int:
    with pipeline.sql_client() as client:
        return client.execute_sql(f"SELECT count(*) FROM {client.make_qualified_table_name(table)}")[0][0]


def test_wrong_password_is_terminal_hides_the_password_and_the_fix_loads_the_package(
        mariadb_server: Any, mariadb_url: str, tmp_path: Path) -> None:
    wrong = mariadb_server.url_for("Wr0ngSecretValue")
    errors = failing_run(new_pipeline(dlt.destinations.sqlalchemy(wrong), tmp_path))
    terminal = [e for e in errors if isinstance(e, DestinationTerminalError)]
    assert terminal and "The sqlalchemy destination (mysql at mysql+pymysql://loader:***@127.0.0.1" in str(terminal[0])
    assert "Access denied for user 'loader'" in str(terminal[0])
    text = " ".join(str(e) for e in errors)
    assert "Wr0ngSecretValue" not in text and mariadb_server.password not in text

    fixed = new_pipeline(dlt.destinations.sqlalchemy(mariadb_url), tmp_path)
    assert fixed.has_pending_data
    fixed.run()
    assert count(fixed) == 1 and not fixed.has_pending_data


def test_server_down_is_transient_and_the_package_loads_when_it_is_up(
        mariadb_server: Any, mariadb_url: str, tmp_path: Path) -> None:
    down = mariadb_server.url_for(mariadb_server.password, port=free_port())
    errors = failing_run(new_pipeline(dlt.destinations.sqlalchemy(down), tmp_path))
    transient = [e for e in errors if isinstance(e, DestinationTransientError)]
    assert transient and "Can't connect" in str(transient[0]) and "A retry may help" in str(transient[0])
    assert mariadb_server.password not in " ".join(str(e) for e in errors)

    up = new_pipeline(dlt.destinations.sqlalchemy(mariadb_url), tmp_path)
    assert up.has_pending_data
    up.run()
    assert count(up) == 1


def test_value_the_column_cannot_hold_names_the_table_and_keeps_the_package(
        mariadb_server: Any, mariadb_url: str, tmp_path: Path) -> None:
    pipeline = new_pipeline(dlt.destinations.sqlalchemy(mariadb_url), tmp_path)
    pipeline.run([{"code": "ok"}], table_name="things", columns={"code": {"data_type": "text", "precision": 3}})
    errors = failing_run(pipeline, [{"code": "far too long"}])
    text = " ".join(str(e) for e in errors)
    assert "failed inserting into table things" in text and "Data too long for column 'code'" in text
    assert mariadb_server.password not in text
    assert pipeline.has_pending_data

    # the fix: a column wide enough; the pending package then loads as it is
    mariadb_server.admin_execute("ALTER TABLE errors_ds.things MODIFY code VARCHAR(100)")
    pipeline.run()
    assert count(pipeline) == 2 and not pipeline.has_pending_data


@pytest.fixture(params=["sqlite", "mariadb"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data.db'}"
    return request.getfixturevalue("mariadb_url")


def test_integer_precision_picks_smallint_and_integer(url: str, tmp_path: Path) -> None:
    import sqlalchemy as sa

    pipeline = new_pipeline(dlt.destinations.sqlalchemy(url), tmp_path)
    columns = {"small": {"data_type": "bigint", "precision": 16}, "mid": {"data_type": "bigint", "precision": 32},
               "big": {"data_type": "bigint"}}
    info = pipeline.run([{"small": 1, "mid": 2, "big": 3}], table_name="ints", columns=columns)
    assert not info.has_failed_jobs
    with pipeline.sql_client() as client:
        inspector = sa.inspect(client.native_connection)
        types = {c["name"]: str(c["type"]).upper() for c in inspector.get_columns("ints", schema=pipeline.dataset_name)}
    # as dlt 1.31's SQLAlchemy type mapper
    assert types["small"].startswith("SMALLINT") and types["mid"].startswith(("INTEGER", "INT"))
    assert types["big"].startswith("BIGINT")


def test_a_table_name_longer_than_the_backend_allows_is_shortened(url: str, tmp_path: Path) -> None:
    pipeline = new_pipeline(dlt.destinations.sqlalchemy(url), tmp_path)
    pipeline.run([{"x": 1}, {"x": 2}], table_name=LONG_TABLE)
    (table,) = [t for t in pipeline.default_schema.data_table_names() if t.startswith("a_table_name")]
    assert len(table) <= (64 if url.startswith("mysql") else 127)
    assert count(pipeline, table) == 2


def test_a_long_table_name_is_shortened_with_the_url_from_configuration(
        mariadb_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__SQLALCHEMY__CREDENTIALS", mariadb_url)
    pipeline = new_pipeline("sqlalchemy", tmp_path)
    pipeline.run([{"x": 1}], table_name=LONG_TABLE)
    (table,) = [t for t in pipeline.default_schema.data_table_names() if t.startswith("a_table_name")]
    assert len(table) <= 64 and count(pipeline, table) == 1


def test_an_unwritable_sqlite_file_names_the_database_and_keeps_the_package(tmp_path: Path) -> None:
    missing = tmp_path / "no_such_folder" / "data.db"
    errors = failing_run(new_pipeline(dlt.destinations.sqlalchemy(f"sqlite:///{missing}"), tmp_path))
    terminal = [e for e in errors if isinstance(e, DestinationTerminalError)]
    assert terminal and "The sqlalchemy destination (sqlite at" in str(terminal[0])
    assert "unable to open database file" in str(terminal[0])
    fixed = new_pipeline(dlt.destinations.sqlalchemy(f"sqlite:///{tmp_path / 'data.db'}"), tmp_path)
    assert fixed.has_pending_data
    fixed.run()
    assert count(fixed) == 1


def test_a_query_on_a_missing_table_raises_database_undefined_relation(url: str, tmp_path: Path) -> None:
    from dlt.destinations.exceptions import DatabaseTerminalException, DatabaseUndefinedRelation

    pipeline = new_pipeline(dlt.destinations.sqlalchemy(url), tmp_path)
    pipeline.run([{"id": 1}], table_name="present")
    with pipeline.sql_client() as client:
        # qualified: on MariaDB the connection's default database is not the dataset's
        present, missing = (client.make_qualified_table_name(t) for t in ("present", "no_such_table"))
        with pytest.raises(DatabaseUndefinedRelation):
            client.execute_sql(f"SELECT * FROM {missing}")
        with pytest.raises(DatabaseTerminalException) as bad_column:
            client.execute_sql(f"SELECT no_such_column FROM {present}")
        assert not isinstance(bad_column.value, DatabaseUndefinedRelation)
        assert client.execute_sql(f"SELECT count(*) FROM {present}")[0][0] == 1
