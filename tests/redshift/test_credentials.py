"""Credentials: connection strings, fields from configuration, connect options, hidden password."""

from __future__ import annotations

from pathlib import Path

import pytest

import dlt
from dlt.configuration.resolve import ConfigFieldMissingError
from dlt_destination_redshift.credentials import CredentialsError, RedshiftCredentials

PASSWORD = "s3cr3t-p@ss/word"
URL = "redshift://loader:s3cr3t-p%40ss%2Fword@cluster.example.com:5439/dev"


def test_connection_string_is_parsed_into_fields() -> None:
    c = RedshiftCredentials.parse(URL)
    assert (c.host, c.port, c.database, c.username, c.password) == (
        "cluster.example.com", 5439, "dev", "loader", PASSWORD)


def test_tls_is_on_by_default_and_sslmode_disable_turns_it_off() -> None:
    assert RedshiftCredentials.parse(URL).connect_kwargs()["ssl"] is True
    kwargs = RedshiftCredentials.parse(URL + "?sslmode=disable").connect_kwargs()
    assert kwargs["ssl"] is False and "sslmode" not in kwargs


def test_connect_timeout_comes_from_the_query_string() -> None:
    assert RedshiftCredentials.parse(URL + "?connect_timeout=10").connect_timeout == 10
    assert RedshiftCredentials.parse(URL).connect_timeout == 15


def test_port_defaults_to_5439() -> None:
    assert RedshiftCredentials.parse("redshift://u:p@h/db").port == 5439


def test_unknown_connect_option_is_an_error_naming_it() -> None:
    with pytest.raises(CredentialsError, match="unknown option 'sslmood'.*sslmode"):
        RedshiftCredentials.parse(URL + "?sslmood=disable")


def test_wrong_scheme_is_an_error() -> None:
    with pytest.raises(CredentialsError, match="redshift://"):
        RedshiftCredentials.parse("mysql://u:p@h/db")


def test_dict_of_fields_is_accepted_with_strings_converted() -> None:
    c = RedshiftCredentials.parse({"host": "h", "port": "5440", "database": "d", "username": "u",
                                   "password": "p", "sslmode": "disable", "connect_timeout": "3"})
    assert (c.port, c.ssl, c.connect_timeout) == (5440, False, 3.0)


def test_repr_and_str_hide_the_password() -> None:
    c = RedshiftCredentials.parse(URL)
    for text in (repr(c), str(c), c.to_connection_string(), c.location()):
        assert PASSWORD not in text and "s3cr3t" not in text
    assert "password=***" in repr(c) and "cluster.example.com" in repr(c)


def test_credentials_string_from_environment(dlt_pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS", URL + "?sslmode=disable")
    c = dlt.destinations.redshift().configuration()["credentials"]
    assert (c.host, c.password, c.ssl) == ("cluster.example.com", PASSWORD, False)


def test_credentials_fields_from_environment(dlt_pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"HOST": "h.example.com", "PORT": "5440", "DATABASE": "analytics",
                        "USERNAME": "loader", "PASSWORD": PASSWORD}.items():
        monkeypatch.setenv(f"DESTINATION__REDSHIFT__CREDENTIALS__{name}", value)
    c = dlt.destinations.redshift().configuration()["credentials"]
    assert (c.host, c.port, c.database, c.username, c.password) == (
        "h.example.com", 5440, "analytics", "loader", PASSWORD)


def test_password_field_fills_a_connection_string_without_one(
        dlt_pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS__PASSWORD", PASSWORD)
    c = dlt.destinations.redshift(credentials="redshift://loader@h/dev").configuration()["credentials"]
    assert c.password == PASSWORD


def test_explicit_credentials_win_over_configuration(
        dlt_pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS", "redshift://other:x@elsewhere/db")
    c = dlt.destinations.redshift(credentials=URL).configuration()["credentials"]
    assert c.host == "cluster.example.com"


def test_credentials_from_secrets_toml_table(dlt_pipelines_dir: Path) -> None:
    Path(".dlt").mkdir()
    Path(".dlt/secrets.toml").write_text(
        '[destination.redshift.credentials]\nhost = "t.example.com"\ndatabase = "dev"\n'
        f'username = "loader"\npassword = "{PASSWORD}"\nsslmode = "disable"\n', encoding="utf-8")
    c = dlt.destinations.redshift().configuration()["credentials"]
    assert (c.host, c.port, c.ssl) == ("t.example.com", 5439, False)


def test_missing_password_names_the_key_to_set(dlt_pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS", "redshift://loader@h/dev")
    with pytest.raises(ConfigFieldMissingError) as exc_info:
        dlt.destinations.redshift().configuration()
    assert "DESTINATION__REDSHIFT__CREDENTIALS__PASSWORD" in str(exc_info.value)


def test_missing_credentials_name_the_connection_string_key(dlt_pipelines_dir: Path) -> None:
    with pytest.raises(ConfigFieldMissingError, match="DESTINATION__REDSHIFT__CREDENTIALS"):
        dlt.destinations.redshift().configuration()
