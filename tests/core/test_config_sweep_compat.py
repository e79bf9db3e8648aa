"""Configuration behaviours a dlt 1.31 script relies on, found by running scripts on both:
Optional config arguments, flags written as 1/0, empty environment variables, explicit None,
custom providers, lookup traces, the runtime spec, and what credentials show."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Optional

import pytest

import dlt
from dlt.common.configuration import configspec, resolve_configuration
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.configuration.specs import (
    AwsCredentials,
    BaseConfiguration,
    ConnectionStringCredentials,
    GcpServiceAccountCredentials,
)
from dlt.configuration import reset_resolver


def write(path: str, text: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(textwrap.dedent(text), encoding="utf-8")
    reset_resolver()


def test_an_optional_config_value_nobody_set_is_none():
    seen = {}

    @dlt.source
    def opt(a: Optional[str] = dlt.config.value, d: Optional[int] = dlt.secrets.value):
        seen.update(a=a, d=d)
        return dlt.resource([1], name="x")

    opt()
    assert seen == {"a": None, "d": None}


def test_a_required_config_value_passed_as_none_is_missing_even_when_configured(monkeypatch):
    monkeypatch.setenv("SOURCES__REQ__A", "from_env")

    @dlt.source
    def req(a=dlt.config.value):
        return dlt.resource([a], name="x")

    with pytest.raises(ConfigFieldMissingException) as failure:
        req(a=None)
    assert failure.value.fields == ["a"]
    assert [(t.provider, t.key) for t in failure.value.traces["a"]] == [("ExplicitValues", "a")]


@pytest.mark.parametrize("text, expected", [("1", True), ("0", False), ("yes", True), ("F", False)])
def test_flags_written_as_numbers_or_words_resolve_to_bool(monkeypatch, text, expected):
    @configspec
    class Flags(BaseConfiguration):
        debug: bool = False

    monkeypatch.setenv("APP__DEBUG", text)
    assert resolve_configuration(Flags(), sections=("app",)).debug is expected
    assert dlt.config.get("app.debug", bool) is expected


def test_a_toml_integer_flag_resolves_to_bool():
    write(".dlt/config.toml", "[app]\ndebug = 1\n")
    assert dlt.config.get("app.debug", bool) is True


def test_an_empty_environment_variable_is_an_empty_value(monkeypatch):
    monkeypatch.setenv("SOURCES__EC__API_KEY", "")
    seen = {}

    @dlt.source
    def ec(api_key=dlt.secrets.value):
        seen["api_key"] = api_key
        return dlt.resource([1], name="x")

    ec()
    assert seen == {"api_key": ""}
    assert dlt.secrets.get("sources.ec.api_key") == ""


def test_missing_value_traces_leave_out_empty_providers():
    @dlt.source
    def chess(players=dlt.config.value):
        return dlt.resource([1], name="x")

    with pytest.raises(ConfigFieldMissingException) as failure:
        chess()
    assert {t.provider for t in failure.value.traces["players"]} == {"Environment Variables"}

    write(".dlt/config.toml", "[x]\ny = 1\n")
    with pytest.raises(ConfigFieldMissingException) as failure:
        chess()
    keys = [(t.provider, t.key) for t in failure.value.traces["players"]]
    assert ("config.toml", "sources.chess.players") in keys
    assert len(keys) == len(set(keys)) and not any(p == "secrets.toml" for p, _ in keys)


def test_config_providers_name_each_toml_file_once():
    assert [p.name for p in dlt.config.config_providers] == ["Environment Variables", "secrets.toml", "config.toml"]
    assert [p.name for p in dlt.secrets.config_providers] == ["Environment Variables", "secrets.toml"]


def test_a_registered_custom_loader_provider_answers_after_the_others(monkeypatch):
    from dlt.common.configuration.providers import CustomLoaderDocProvider

    provider = CustomLoaderDocProvider("mycustom", lambda: {"sources": {"custom": {"api_key": "from_custom"}}})
    dlt.config.register_provider(provider)
    assert [p.name for p in dlt.config.config_providers][-1] == "mycustom"
    assert dlt.config["sources.custom.api_key"] == "from_custom"
    assert dlt.secrets["sources.custom.api_key"] == "from_custom"
    monkeypatch.setenv("SOURCES__CUSTOM__API_KEY", "from_env")
    assert dlt.config["sources.custom.api_key"] == "from_env"


def test_a_custom_provider_without_secrets_is_not_read_for_secrets():
    from dlt.common.configuration.providers import CustomLoaderDocProvider

    dlt.config.register_provider(CustomLoaderDocProvider("plain", lambda: {"k": "v"}, supports_secrets=False))
    assert dlt.config["k"] == "v" and dlt.secrets.get("k") is None


def test_the_runtime_section_resolves_into_run_configuration():
    from dlt.common.configuration.specs import RunConfiguration

    write(".dlt/config.toml", '[runtime]\nlog_level = "ERROR"\nrequest_timeout = 33\n')
    runtime = resolve_configuration(RunConfiguration(), sections=("runtime",))
    assert (runtime.log_level, runtime.request_timeout, runtime.request_max_attempts) == ("ERROR", 33.0, 5)


def test_to_url_masks_the_password_when_printed():
    url = ConnectionStringCredentials("postgresql://loader:s3cret@localhost:5432/dlt_data").to_url()
    assert str(url) == "postgresql://loader:***@localhost:5432/dlt_data"
    assert url.render_as_string(hide_password=False) == "postgresql://loader:s3cret@localhost:5432/dlt_data"
    assert (url.drivername, url.host, url.port, url.database) == ("postgresql", "localhost", 5432, "dlt_data")


def test_google_service_account_prints_as_email_at_project():
    credentials = GcpServiceAccountCredentials()
    credentials.parse_native_representation(
        {"type": "service_account", "project_id": "proj", "private_key": "KEY", "client_email": "a@proj.iam"})
    assert str(credentials) == "a@proj.iam@proj"


def test_aws_credentials_have_the_url_style_and_token_lifetime_fields(monkeypatch):
    monkeypatch.setenv("CREDENTIALS__S3_URL_STYLE", "path")
    credentials = resolve_configuration(AwsCredentials(), sections=("credentials",))
    assert credentials.s3_url_style == "path" and credentials.aws_sts_token_expiration_hours == 24.0
