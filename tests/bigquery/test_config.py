"""BigQuery settings: where credentials come from, what a missing one says, secrets stay hidden.

These tests need no server: they stop at the credentials the client would use.
"""

from __future__ import annotations

import json
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest

import dlt
from dlt.destinations import resolve_destination
from dlt_destination_bigquery.configuration import (
    BigQueryConfigurationError,
    ServiceAccountCredentials,
)
from dlt_destination_bigquery.factory import bigquery

PRIVATE_KEY_MARKER = "PRIVATE-KEY-MATERIAL-THAT-MUST-NEVER-SHOW"
FAKE_KEY = f"-----BEGIN PRIVATE KEY-----\n{PRIVATE_KEY_MARKER}\n-----END PRIVATE KEY-----\n"
ENV_PREFIX = "DESTINATION__BIGQUERY__"


# no BigQuery settings leak in from the machine (the conftest's `isolated_bigquery_config`)
pytestmark = pytest.mark.usefixtures("isolated_bigquery_config")


def rsa_private_key() -> str:
    """A real PEM key, so google-auth can build signing credentials from it."""
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_destination_resolves_by_import_and_by_name() -> None:
    from dlt.destinations import bigquery as imported

    assert imported is bigquery
    assert isinstance(resolve_destination("bigquery"), bigquery)
    explicit = dlt.destinations.bigquery(credentials={"project_id": "p", "private_key": FAKE_KEY,
                                                      "client_email": "a@p.iam"}, location="EU")
    assert explicit.configuration()["location"] == "EU"


def test_import_dlt_does_not_import_the_google_sdk() -> None:
    code = ("import sys, dlt; from dlt.destinations import bigquery; bigquery();"
            " print(any(m.startswith('google.cloud') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_service_account_fields_from_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", "env-proj")
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PRIVATE_KEY", FAKE_KEY.replace("\n", "\\n"))
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__CLIENT_EMAIL", "loader@env-proj.iam.gserviceaccount.com")
    settings = bigquery().settings()
    assert isinstance(settings.credentials, ServiceAccountCredentials)
    assert settings.project == "env-proj"
    assert settings.credentials["private_key"] == FAKE_KEY  # escaped newlines restored
    assert settings.credentials["type"] == "service_account"


def test_service_account_table_from_secrets_toml(dlt_pipelines_dir: Path) -> None:
    secrets = Path.cwd() / ".dlt" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        "[destination.bigquery]\nlocation = \"EU\"\n\n[destination.bigquery.credentials]\n"
        f"project_id = \"toml-proj\"\nprivate_key = {json.dumps(FAKE_KEY)}\n"
        "client_email = \"loader@toml-proj.iam.gserviceaccount.com\"\n",
        encoding="utf-8",
    )
    settings = bigquery().settings()
    assert settings.project == "toml-proj" and settings.location == "EU"
    assert settings.credentials.client_email == "loader@toml-proj.iam.gserviceaccount.com"


def test_service_account_key_file_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps({"type": "service_account", "project_id": "file-proj",
                                    "private_key": FAKE_KEY, "client_email": "a@file-proj.iam"}))
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS", str(key_file))
    assert bigquery().settings().project == "file-proj"


def test_project_id_setting_wins_over_the_credentials_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}PROJECT_ID", "billing-proj")
    destination = bigquery(credentials={"project_id": "key-proj", "private_key": FAKE_KEY,
                                        "client_email": "a@key-proj.iam"})
    assert destination.settings().project == "billing-proj"


def test_service_account_builds_google_credentials() -> None:
    from google.oauth2 import service_account

    from dlt_destination_bigquery.sql_client import google_credentials

    destination = bigquery(credentials={"project_id": "real-proj", "private_key": rsa_private_key(),
                                        "client_email": "loader@real-proj.iam.gserviceaccount.com"})
    native, project = google_credentials(destination.settings())
    assert isinstance(native, service_account.Credentials)
    assert project == "real-proj"
    assert native.service_account_email == "loader@real-proj.iam.gserviceaccount.com"


def test_api_endpoint_uses_anonymous_credentials_and_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    from google.auth.credentials import AnonymousCredentials

    from dlt_destination_bigquery.sql_client import google_credentials

    monkeypatch.setenv(f"{ENV_PREFIX}API_ENDPOINT", "http://127.0.0.1:9050")
    monkeypatch.setenv(f"{ENV_PREFIX}PROJECT_ID", "test-proj")
    native, project = google_credentials(bigquery().settings())
    assert isinstance(native, AnonymousCredentials) and project == "test-proj"


def test_api_endpoint_without_a_project_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from dlt_destination_bigquery.sql_client import google_credentials

    monkeypatch.setenv(f"{ENV_PREFIX}API_ENDPOINT", "http://127.0.0.1:9050")
    with pytest.raises(BigQueryConfigurationError) as raised:
        google_credentials(bigquery().settings())
    assert "DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID" in str(raised.value)
    assert "DESTINATION__BIGQUERY__PROJECT_ID" in str(raised.value)


def test_missing_credentials_name_the_keys_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from dlt_destination_bigquery.sql_client import google_credentials

    with pytest.raises(BigQueryConfigurationError) as raised:
        google_credentials(bigquery().settings())
    message = str(raised.value)
    for key in ("DESTINATION__BIGQUERY__CREDENTIALS", "DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID",
                "DESTINATION__BIGQUERY__CREDENTIALS__PRIVATE_KEY",
                "DESTINATION__BIGQUERY__CREDENTIALS__CLIENT_EMAIL", "[destination.bigquery.credentials]",
                "GOOGLE_APPLICATION_CREDENTIALS", "DESTINATION__BIGQUERY__API_ENDPOINT"):
        assert key in message


def test_missing_credentials_fail_a_pipeline_before_any_data_moves() -> None:
    pipeline = dlt.pipeline(pipeline_name="no_creds", destination="bigquery", dataset_name="d")
    with pytest.raises(Exception) as raised:
        pipeline.run([{"id": 1}], table_name="t")
    assert "DESTINATION__BIGQUERY__CREDENTIALS__PRIVATE_KEY" in "".join(
        traceback.format_exception(raised.value))
    assert pipeline.has_pending_data  # the package waits for the next run


def test_incomplete_service_account_names_the_missing_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PRIVATE_KEY", FAKE_KEY)
    with pytest.raises(BigQueryConfigurationError) as raised:
        bigquery().configuration()
    assert "DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID" in str(raised.value)
    assert "DESTINATION__BIGQUERY__CREDENTIALS__CLIENT_EMAIL" in str(raised.value)
    assert PRIVATE_KEY_MARKER not in "".join(traceback.format_exception(raised.value))


def _everything_shown(value: Any) -> str:
    return f"{value!r} {value!s}"


def test_private_key_never_shows_in_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", "p")
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PRIVATE_KEY", FAKE_KEY)
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__CLIENT_EMAIL", "a@p.iam")
    destination = bigquery()
    shown = " ".join(_everything_shown(v) for v in (
        destination, destination.configuration(), destination.settings(),
        destination.settings().credentials, dict(destination.configuration()),
    ))
    assert PRIVATE_KEY_MARKER not in shown
    assert "***" in shown and "a@p.iam" in shown


def test_private_key_never_shows_in_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from dlt_destination_bigquery.sql_client import google_credentials

    # a key google-auth cannot parse: the error must not quote it
    destination = bigquery(credentials={"project_id": "p", "private_key": FAKE_KEY, "client_email": "a@p.iam"})
    with pytest.raises(BigQueryConfigurationError) as raised:
        google_credentials(destination.settings())
    assert PRIVATE_KEY_MARKER not in "".join(traceback.format_exception(raised.value))
    assert "a@p.iam" in str(raised.value)
    # JSON text that is not valid JSON is not echoed either
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS", "{" + PRIVATE_KEY_MARKER)
    with pytest.raises(BigQueryConfigurationError) as raised:
        bigquery().configuration()
    assert PRIVATE_KEY_MARKER not in "".join(traceback.format_exception(raised.value))
