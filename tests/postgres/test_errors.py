"""Bad input is a clear error that names the destination and table, never shows the password,
and loses nothing already extracted."""

from __future__ import annotations

import socket
from typing import Any

import pytest

import dlt
from dlt.destinations.base import DestinationTerminalError, DestinationTransientError
from dlt.pipeline.exceptions import PipelineStepFailed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chain(exc: BaseException) -> list[BaseException]:
    found = []
    while exc is not None:
        found.append(exc)
        exc = exc.__cause__ or exc.__context__
    return found


def run_and_fail(destination: Any, tmp_path: Any, rows: Any = ({"x": 1},), **kwargs: Any) -> PipelineStepFailed:
    pipeline = dlt.pipeline(pipeline_name="errors", destination=destination, dataset_name="errors_ds",
                            pipelines_dir=str(tmp_path))
    with pytest.raises(PipelineStepFailed) as error:
        pipeline.run(list(rows), table_name="things", **kwargs)
    return error.value


def test_wrong_password_is_terminal_and_never_shows_the_password(postgres_server: Any, tmp_path: Any) -> None:
    url = postgres_server.postgres_url.replace(postgres_server.password, "Wr0ngSecretValue")
    error = run_and_fail(dlt.destinations.postgres(url), tmp_path)
    errors = chain(error)
    assert any(isinstance(e, DestinationTerminalError) for e in errors)
    text = " ".join(str(e) for e in errors)
    assert "refused the login of user 'loader'" in text
    assert "Wr0ngSecretValue" not in text and postgres_server.password not in text


def test_server_down_is_transient_and_keeps_the_package(tmp_path: Any) -> None:
    url = f"postgresql://loader:pw@127.0.0.1:{free_port()}/dlt_data?connect_timeout=2"
    error = run_and_fail(dlt.destinations.postgres(url), tmp_path)
    transient = [e for e in chain(error) if isinstance(e, DestinationTransientError)]
    assert transient and "Could not connect to PostgreSQL at 127.0.0.1" in str(transient[0])
    pipeline = dlt.pipeline(pipeline_name="errors", pipelines_dir=str(tmp_path))
    assert pipeline.has_pending_data


def test_value_the_column_cannot_hold_names_the_table_and_keeps_the_package(
        postgres_url: str, postgres_server: Any, tmp_path: Any) -> None:
    rows = [{"code": "far too long for ten"}]
    destination = dlt.destinations.postgres(postgres_url)
    try:
        error = run_and_fail(destination, tmp_path, rows, columns={"code": {"data_type": "text", "precision": 10}})
        text = " ".join(str(e) for e in chain(error))
        assert "into table things" in text and "value too long" in text
        assert postgres_server.password not in text
        pipeline = dlt.pipeline(pipeline_name="errors", pipelines_dir=str(tmp_path))
        assert pipeline.has_pending_data
    finally:
        postgres_server.admin_execute("DROP SCHEMA IF EXISTS errors_ds CASCADE", database="dlt_data")


def count_things(pipeline: Any) -> int:
    with pipeline.sql_client() as client:
        return client.execute_sql("SELECT count(*) FROM things")[0][0]


def test_a_run_with_the_right_password_loads_the_pending_package(postgres_server: Any, postgres_url: str,
                                                                 tmp_path: Any) -> None:
    wrong = postgres_url.replace(postgres_server.password, "Wr0ngSecretValue")
    run_and_fail(dlt.destinations.postgres(wrong), tmp_path, [{"x": 1}, {"x": 2}])
    try:
        fixed = dlt.pipeline(pipeline_name="errors", destination=dlt.destinations.postgres(postgres_url),
                             dataset_name="errors_ds", pipelines_dir=str(tmp_path))
        assert fixed.has_pending_data
        fixed.run()
        assert count_things(fixed) == 2 and not fixed.has_pending_data
    finally:
        postgres_server.admin_execute("DROP SCHEMA IF EXISTS errors_ds CASCADE", database="dlt_data")


def test_a_run_once_the_server_is_up_loads_the_pending_package(postgres_server: Any, postgres_url: str,
                                                               tmp_path: Any) -> None:
    down = f"postgresql://loader:pw@127.0.0.1:{free_port()}/dlt_data?connect_timeout=2"
    run_and_fail(dlt.destinations.postgres(down), tmp_path)
    try:
        up = dlt.pipeline(pipeline_name="errors", destination=dlt.destinations.postgres(postgres_url),
                          dataset_name="errors_ds", pipelines_dir=str(tmp_path))
        up.run()
        assert count_things(up) == 1 and not up.has_pending_data
    finally:
        postgres_server.admin_execute("DROP SCHEMA IF EXISTS errors_ds CASCADE", database="dlt_data")


@pytest.mark.parametrize("file_format", ["parquet", "jsonl"])
def test_a_widened_column_lets_the_pending_package_load(postgres_server: Any, postgres_url: str,
                                                         tmp_path: Any, file_format: str) -> None:
    pipeline = dlt.pipeline(pipeline_name="errors", destination=dlt.destinations.postgres(postgres_url),
                            dataset_name="errors_ds", pipelines_dir=str(tmp_path))
    columns = {"code": {"data_type": "text", "precision": 3}}
    try:
        pipeline.run([{"code": "ok"}], table_name="things", columns=columns, loader_file_format=file_format)
        with pytest.raises(PipelineStepFailed) as error:
            pipeline.run([{"code": "far too long"}], table_name="things", loader_file_format=file_format)
        text = " ".join(str(e) for e in chain(error.value))
        assert "into table things" in text and "value too long" in text
        assert postgres_server.password not in text
        assert pipeline.has_pending_data
        postgres_server.admin_execute("ALTER TABLE errors_ds.things ALTER COLUMN code TYPE varchar(100)",
                                      database="dlt_data")
        pipeline.run()
        assert count_things(pipeline) == 2 and not pipeline.has_pending_data
    finally:
        postgres_server.admin_execute("DROP SCHEMA IF EXISTS errors_ds CASCADE", database="dlt_data")


def test_a_query_on_a_missing_table_or_schema_raises_database_undefined_relation(
        postgres_server: Any, postgres_url: str, tmp_path: Any) -> None:
    from dlt.destinations.exceptions import DatabaseTerminalException, DatabaseUndefinedRelation

    pipeline = dlt.pipeline(pipeline_name="errors", destination=dlt.destinations.postgres(postgres_url),
                            dataset_name="errors_ds", pipelines_dir=str(tmp_path))
    try:
        pipeline.run([{"x": 1}], table_name="things")
        with pipeline.sql_client() as client:
            with pytest.raises(DatabaseUndefinedRelation, match="42P01"):
                client.execute_sql("SELECT * FROM no_such_table")
            with pytest.raises(DatabaseUndefinedRelation, match="3F000|42P01"):
                client.execute_sql("SELECT * FROM no_such_schema.things")
            with pytest.raises(DatabaseTerminalException) as bad_column:
                client.execute_sql("SELECT no_such_column FROM things")
            assert not isinstance(bad_column.value, DatabaseUndefinedRelation)
            assert client.execute_sql("SELECT count(*) FROM things")[0][0] == 1
    finally:
        postgres_server.admin_execute("DROP SCHEMA IF EXISTS errors_ds CASCADE", database="dlt_data")
