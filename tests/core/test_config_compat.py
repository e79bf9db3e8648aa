"""Configuration as dlt 1.31 scripts use it: lookup order, specs, secrets, errors, DuckDB paths."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Optional

import pytest

import dlt
from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.exceptions import ConfigFieldMissingException, ValueNotSecretException
from dlt.common.configuration.specs import BaseConfiguration
from dlt.configuration import reset_resolver
from dlt.sources.credentials import ConnectionStringCredentials
from core_helpers import rows_of


def write(path: str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(textwrap.dedent(text), encoding="utf-8")
    reset_resolver()


@dlt.source
def crm(api_key: str = dlt.secrets.value, page_size: int = dlt.config.value, ratio: float = 0.5):
    return dlt.resource([{"api_key": api_key, "page_size": page_size, "ratio": ratio}], name="settings")


def settings(**kwargs):
    return list(crm(**kwargs).settings)[0]


def test_lookup_walks_from_module_and_source_section_down_to_the_bare_key(monkeypatch):
    monkeypatch.setenv("PAGE_SIZE", "1")
    keys = ["SOURCES__TEST_CONFIG_COMPAT__CRM__API_KEY", "SOURCES__TEST_CONFIG_COMPAT__API_KEY",
            "SOURCES__CRM__API_KEY", "SOURCES__API_KEY", "API_KEY"]
    # values are remembered as secrets (and redacted everywhere): keep them unlike other text
    for n, key in enumerate(keys):
        monkeypatch.setenv(key, f"lookup-value-{n}")
    for n, key in enumerate(keys):
        assert settings()["api_key"] == f"lookup-value-{n}", key
        monkeypatch.delenv(key)


def test_arguments_with_ordinary_defaults_are_configurable_too(monkeypatch):
    monkeypatch.setenv("API_KEY", "k")
    monkeypatch.setenv("PAGE_SIZE", "1")
    monkeypatch.setenv("RATIO", "0.25")
    assert settings()["ratio"] == 0.25
    assert settings(ratio=0.75)["ratio"] == 0.75


def test_pipeline_prefixed_keys_win_while_a_pipeline_is_active(monkeypatch):
    monkeypatch.setenv("API_KEY", "global")
    monkeypatch.setenv("PAGE_SIZE", "1")
    monkeypatch.setenv("SCOPED__SOURCES__API_KEY", "pipeline-specific")
    assert settings()["api_key"] == "global"
    pipeline = dlt.pipeline(pipeline_name="scoped", destination="duckdb")
    pipeline.run(crm())
    assert [r["api_key"] for r in rows_of(pipeline, "settings")] == ["pipeline-specific"]


def test_missing_values_raise_one_key_error_naming_every_field_and_key_tried():
    # as in dlt 1.31, only providers with content are tried (and traced)
    write(".dlt/secrets.toml", '[other]\nx = 1\n')
    write(".dlt/config.toml", '[other]\ny = 1\n')
    with pytest.raises(ConfigFieldMissingException) as failure:
        crm()
    error = failure.value
    assert isinstance(error, KeyError)
    assert error.spec_name == "CrmConfiguration" and error.fields == ["api_key", "page_size"]
    message = str(error)
    assert message.startswith("Missing 2 field(s) in configuration `CrmConfiguration`: `api_key`, `page_size`")
    assert "(Environment Variables, SOURCES__TEST_CONFIG_COMPAT__CRM__API_KEY)" in message
    assert "(secrets.toml, sources.crm.api_key)" in message
    # a secret is never looked up in config.toml
    assert "(config.toml, api_key)" not in message and "(config.toml, page_size)" in message


def test_a_secret_found_only_in_config_toml_is_refused():
    write(".dlt/config.toml", 'api_key = "leaked"\npage_size = 3\n')
    with pytest.raises(ValueNotSecretException, match="config.toml.*api_key"):
        crm()
    with pytest.raises(KeyError):
        dlt.secrets["api_key"]
    assert dlt.config["api_key"] == "leaked"


def test_values_set_in_code_override_toml_files_but_not_the_environment(monkeypatch):
    write(".dlt/secrets.toml", '[db]\npassword = "from-file"\n')
    dlt.secrets["db.password"] = "rotated"
    assert dlt.secrets["db.password"] == "rotated"
    monkeypatch.setenv("DB__PASSWORD", "from-env")
    assert dlt.secrets["db.password"] == "from-env"
    dlt.config["written.in_code"] = 5
    assert dlt.config["written.in_code"] == 5 and dlt.config.get("written.in_code", str) == "5"


def test_accessors_parse_typed_literals_from_the_environment(monkeypatch):
    monkeypatch.setenv("MY_SECTION__RETRIES", "9")
    monkeypatch.setenv("MY_SECTION__LIMITS", '{"daily": 100}')
    monkeypatch.setenv("MY_SECTION__NAME", "plain text")
    assert dlt.config["my_section.retries"] == 9
    assert dlt.config["my_section.limits"] == {"daily": 100}
    assert dlt.config["my_section.name"] == "plain text"
    assert dlt.config.get("no.such.key") is None


def test_connection_string_credentials_parse_and_render_a_url():
    creds = ConnectionStringCredentials("postgresql://etl%40x:p%3Aw@warehouse.local:5433/analytics?sslmode=require")
    assert (creds.drivername, creds.username, creds.password, creds.host, creds.port, creds.database) == (
        "postgresql", "etl@x", "p:w", "warehouse.local", 5433, "analytics")
    assert creds.query == {"sslmode": "require"}
    assert creds.to_native_representation() == (
        "postgresql://etl%40x:p%3Aw@warehouse.local:5433/analytics?sslmode=require")
    assert "p:w" not in repr(creds) and "p%3Aw" not in str(creds)


def test_connection_string_credentials_come_in_native_dictionary_and_mixed_form(monkeypatch):
    @dlt.source
    def query(dsn: ConnectionStringCredentials = dlt.secrets.value):
        return dlt.resource([{"dsn": dsn}], name="info")

    def dsn(*args):
        return list(query(*args).info)[0]["dsn"]

    monkeypatch.setenv("DSN", "postgres://loader:pw1@localhost:5432/dlt_data")
    assert dsn().to_native_representation() == "postgres://loader:pw1@localhost:5432/dlt_data"
    monkeypatch.delenv("DSN")
    for field, value in {"DRIVERNAME": "postgresql", "DATABASE": "db2", "USERNAME": "u2",
                         "PASSWORD": "pw2", "HOST": "db.internal"}.items():
        monkeypatch.setenv(f"DSN__{field}", value)
    assert dsn().to_native_representation() == "postgresql://u2:pw2@db.internal/db2"
    mixed = dsn("postgres://loader@pg.example:6543/other")
    assert (mixed.username, mixed.password, mixed.host, mixed.port) == ("loader", "pw2", "pg.example", 6543)


def test_credentials_missing_their_driver_name_fail_with_the_keys_tried():
    @dlt.source
    def query(dsn: ConnectionStringCredentials = dlt.secrets.value):
        return []

    with pytest.raises(ConfigFieldMissingException) as failure:
        query()
    assert failure.value.fields == ["dsn"] and "DSN__DRIVERNAME" in str(failure.value)


def test_resolve_configuration_fills_a_user_spec_from_its_sections(monkeypatch):
    @configspec
    class ApiConfig(BaseConfiguration):
        base_url: str = None
        retries: int = 3
        token: Optional[dlt.TSecretValue] = None

    monkeypatch.setenv("MY_API__BASE_URL", "https://api.example.invalid")
    monkeypatch.setenv("RETRIES", "5")
    config = resolve_configuration(ApiConfig(), sections=("my_api",))
    assert (config.base_url, config.retries, config.token) == ("https://api.example.invalid", 5, None)
    assert config.is_resolved() and dict(config)["retries"] == 5
    monkeypatch.delenv("MY_API__BASE_URL")
    with pytest.raises(ConfigFieldMissingException, match="MY_API__BASE_URL"):
        resolve_configuration(ApiConfig(), sections=("my_api",))


def test_an_incremental_can_be_configured_per_pipeline_in_config_toml():
    write(".dlt/config.toml", """
        [inc_pipe.sources.since]
        cursor_path = "seq"
        initial_value = 10
    """)

    @dlt.resource(table_name="records")
    def records(since: dlt.sources.incremental = dlt.config.value):
        yield [{"seq": i} for i in range(15)]

    pipeline = dlt.pipeline(pipeline_name="inc_pipe", destination="duckdb")
    pipeline.run(records)
    assert [r["seq"] for r in rows_of(pipeline, "records", order_by="seq")] == list(range(10, 15))


def test_duckdb_database_location_follows_credentials_destination_name_and_pipeline_dir(monkeypatch):
    def load(name, destination="duckdb"):
        pipeline = dlt.pipeline(pipeline_name=name, destination=destination)
        pipeline.run([{"a": 1}], table_name="t")
        return pipeline

    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", "duckdb:///from_url.duckdb")
    load("url")
    assert Path("from_url.duckdb").is_file() and not Path("url.duckdb").exists()
    monkeypatch.delenv("DESTINATION__DUCKDB__CREDENTIALS")
    load("named", dlt.destinations.duckdb(destination_name="analytics"))
    assert Path("analytics.duckdb").is_file() and not Path("named.duckdb").exists()
    pipeline = load("in_dir", dlt.destinations.duckdb(":pipeline:"))
    assert (Path(pipeline.working_dir) / "in_dir.duckdb").is_file()


def test_only_the_secret_fields_of_credentials_are_redacted(monkeypatch):
    from dlt.configuration.redaction import redact

    @dlt.source
    def query(dsn: ConnectionStringCredentials = dlt.secrets.value):
        return dlt.resource([{"host": dsn.host}], name="info")

    monkeypatch.setenv("DSN__DRIVERNAME", "postgresql")
    monkeypatch.setenv("DSN__HOST", "readable-host.internal")
    monkeypatch.setenv("DSN__PASSWORD", "pw-never-shown-42")
    assert list(query().info) == [{"host": "readable-host.internal"}]
    assert redact("pw-never-shown-42 on readable-host.internal") == "*** on readable-host.internal"
