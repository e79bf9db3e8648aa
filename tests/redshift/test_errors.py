"""Errors: what failed, on which host, as which user, whether a retry helps; never the password."""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

import pg_server
import pytest
from stand_in_dialect import STAND_IN

import dlt
from dlt.destinations import DestinationTerminalError, DestinationTransientError
from dlt.destinations.base import ClientContext
from dlt.schema import Schema
from dlt_destination_redshift.errors import is_transient
from dlt_destination_redshift.factory import redshift

WRONG_PASSWORD = "wr0ng-Pa55word-" + uuid.uuid4().hex


def open_client(credentials: str) -> Any:
    destination = redshift(credentials=credentials, dialect=STAND_IN.dialect)
    client = destination.client(ClientContext(Schema("s"), "ds", "p"))
    return client.__enter__()


def test_unreachable_host_is_transient_and_names_host_and_user() -> None:
    port = pg_server.free_port()
    started = time.monotonic()
    with pytest.raises(DestinationTransientError) as exc_info:
        open_client(f"redshift://loader:{WRONG_PASSWORD}@127.0.0.1:{port}/dev?sslmode=disable&connect_timeout=5")
    assert time.monotonic() - started < 5
    message = str(exc_info.value)
    assert f"127.0.0.1:{port}" in message and "'loader'" in message
    assert "connection refused" in message and "retry may help" in message
    assert WRONG_PASSWORD not in message


def test_wrong_password_is_terminal_and_names_host_and_user(stand_in: Any) -> None:
    with pytest.raises(DestinationTerminalError) as exc_info:
        open_client(f"redshift://{stand_in.user}:{WRONG_PASSWORD}@{stand_in.host}:{stand_in.port}/dev?sslmode=disable")
    message = str(exc_info.value)
    assert f"{stand_in.host}:{stand_in.port}" in message and f"'{stand_in.user}'" in message
    assert "password" in message.lower() and "will not help" in message
    assert WRONG_PASSWORD not in message


def test_unknown_database_is_terminal(stand_in: Any) -> None:
    with pytest.raises(DestinationTerminalError, match="'no_such_db' does not exist"):
        open_client(stand_in.connection_string.replace("/dev?", "/no_such_db?"))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the driver's own SSLContext()
def test_tls_against_a_server_without_tls_says_how_to_turn_it_off(stand_in: Any) -> None:
    with pytest.raises(DestinationTerminalError, match="sslmode=disable"):
        open_client(stand_in.connection_string.replace("?sslmode=disable", ""))


@pytest.fixture
def reader_role(stand_in: Any) -> Any:
    role = f"reader_{uuid.uuid4().hex[:8]}"
    stand_in.admin_execute(f"SET password_encryption = 'md5'; CREATE ROLE {role} LOGIN PASSWORD 'reader-pw-123';")
    yield role
    stand_in.admin_execute(f"DROP OWNED BY {role}; DROP ROLE {role};")


def test_missing_privilege_is_terminal_and_names_user_and_host(
        stand_in: Any, reader_role: str, dlt_pipelines_dir: Path) -> None:
    destination = redshift(
        credentials=f"redshift://{reader_role}:reader-pw-123@{stand_in.host}:{stand_in.port}/dev?sslmode=disable",
        dialect=STAND_IN.dialect)
    pipeline = dlt.pipeline(pipeline_name="no_privileges", destination=destination, dataset_name="not_allowed")
    with pytest.raises(Exception) as exc_info:
        pipeline.run([{"id": 1}], table_name="t")
    chain = [exc_info.value]
    while chain[-1].__cause__ is not None:
        chain.append(chain[-1].__cause__)
    terminal = [e for e in chain if isinstance(e, DestinationTerminalError)]
    assert terminal, chain
    message = str(terminal[0])
    assert f"'{reader_role}' lacks a privilege" in message and f"{stand_in.host}:{stand_in.port}" in message
    assert "GRANT CREATE ON DATABASE dev" in message and "will not help" in message


def test_dropped_connection_is_transient(destination: Any, stand_in: Any) -> None:
    client = destination.client(ClientContext(Schema("s"), "ds", "p"))
    with client:
        (pid,) = client.sql.execute_sql("SELECT pg_backend_pid()")[0]
        stand_in.admin_execute(f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(DestinationTransientError, match="retry may help"):
            client.sql.execute_sql("SELECT 1")


def test_bad_sql_is_terminal_and_shows_the_statement(destination: Any) -> None:
    with destination.client(ClientContext(Schema("s"), "ds", "p")) as client:
        with pytest.raises(DestinationTerminalError, match="SELECT nonsense_column.*42703"):
            client.sql.execute_sql("SELECT nonsense_column")


def test_a_query_on_a_missing_table_or_schema_raises_database_undefined_relation(destination: Any) -> None:
    from dlt.destinations.exceptions import DatabaseTerminalException, DatabaseUndefinedRelation

    with destination.client(ClientContext(Schema("s"), "ds", "p")) as client:
        with pytest.raises(DatabaseUndefinedRelation, match="42P01"):
            client.sql.execute_sql("SELECT * FROM public.no_such_table")
        with pytest.raises(DatabaseUndefinedRelation, match="3F000|42P01"):
            client.sql.execute_sql("SELECT * FROM no_such_schema.t")
        with pytest.raises(DatabaseTerminalException) as bad_column:
            client.sql.execute_sql("SELECT nonsense_column")
        assert not isinstance(bad_column.value, DatabaseUndefinedRelation)


@pytest.mark.parametrize(("sqlstate", "message", "transient"), [
    ("40001", "could not serialize access", True),
    ("XX000", "1023: Serializable isolation violation on table - 123", True),
    ("40P01", "deadlock detected", True),
    ("53300", "too many connections", True),
    ("57P01", "terminating connection due to administrator command", True),
    ("08006", "connection failure", True),
    ("42501", "permission denied", False),
    ("22001", "value too long for type character varying(65535)", False),
    ("42P01", "relation does not exist", False),
])
def test_transient_sqlstates(sqlstate: str, message: str, transient: bool) -> None:
    assert is_transient(sqlstate, message) is transient


# -- secrets ---------------------------------------------------------------------------------------


def test_password_never_appears_in_errors_logs_reprs_or_files(
        stand_in: Any, dlt_pipelines_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"redshift://{stand_in.user}:{WRONG_PASSWORD}@{stand_in.host}:{stand_in.port}/dev?sslmode=disable"
    destination = redshift(credentials=url, dialect=STAND_IN.dialect)
    pipeline = dlt.pipeline(pipeline_name="secret_check", destination=destination, dataset_name="secret_check")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Exception) as exc_info:
        pipeline.run([{"id": 1}], table_name="t")
    config = destination.configuration()
    client = destination.client(ClientContext(Schema("s"), "ds", "p"))
    texts = {
        "error": "".join(traceback.format_exception(exc_info.value)),
        "log": caplog.text,
        "reprs": " ".join(map(repr, (destination, config, config["credentials"], client, client.sql))),
        "str": str(config["credentials"]),
    }
    for name, text in texts.items():
        assert WRONG_PASSWORD not in text, f"password in {name}"
    assert stand_in.user in texts["error"]
    for file in dlt_pipelines_dir.rglob("*"):
        if file.is_file():
            assert WRONG_PASSWORD.encode() not in file.read_bytes(), f"password in {file}"
