"""Credentials as dlt 1.31 takes them: a connection string, its fields, or both; the password
never shows."""

from __future__ import annotations

from typing import Any

import pytest

import dlt
from dlt.configuration.exceptions import ConfigFieldMissingException
from dlt_destination_postgres.credentials import PostgresCredentials


def test_connection_string_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS",
                       "postgresql://loader:s3cr%40t@db.example.com:6543/dlt_data?connect_timeout=7")
    credentials = dlt.destinations.postgres().configuration()["credentials"]
    assert (credentials.username, credentials.password, credentials.host, credentials.port,
            credentials.database, credentials.connect_timeout) == (
        "loader", "s3cr@t", "db.example.com", 6543, "dlt_data", 7)


def test_split_fields_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"HOST": "h", "PORT": "5433", "DATABASE": "d", "USERNAME": "u",
                       "PASSWORD": "pw", "CONNECT_TIMEOUT": "3"}.items():
        monkeypatch.setenv(f"DESTINATION__POSTGRES__CREDENTIALS__{key}", value)
    credentials = dlt.destinations.postgres().configuration()["credentials"]
    assert credentials.connect_kwargs() == {
        "host": "h", "port": 5433, "dbname": "d", "user": "u", "password": "pw",
        "connect_timeout": 3, "application_name": "dlt"}


def test_fields_fill_what_the_connection_string_leaves_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS__PASSWORD", "from-env")
    credentials = dlt.destinations.postgres("postgresql://loader@localhost/dlt_data").configuration()["credentials"]
    assert credentials.password == "from-env" and credentials.port == 5432


def test_missing_password_names_the_keys_looked_in() -> None:
    with pytest.raises(ConfigFieldMissingException) as error:
        dlt.destinations.postgres("postgresql://loader@localhost/dlt_data").configuration()
    assert "DESTINATION__POSTGRES__CREDENTIALS__PASSWORD" in str(error.value)


def test_other_schemes_are_refused_with_the_expected_form() -> None:
    with pytest.raises(Exception, match="postgresql://user:password@host:5432/database"):
        dlt.destinations.postgres("mysql://loader:pw@localhost/db").configuration()


def test_password_is_hidden_in_repr_and_str() -> None:
    credentials = PostgresCredentials("postgresql://loader:hunter2@localhost:5432/dlt_data")
    assert "hunter2" not in repr(credentials) and "hunter2" not in str(credentials)
    assert "hunter2" not in repr(dlt.destinations.postgres(credentials))


def test_credentials_object_is_accepted(postgres_url: str, pipeline: Any) -> None:
    credentials = PostgresCredentials(postgres_url)
    destination = dlt.destinations.postgres(credentials=credentials)
    assert destination.configuration()["credentials"].password == credentials.password
