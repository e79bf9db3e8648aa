"""The settings keys of dlt 1.31's BigQuery destination work unchanged.

`credentials.project_id` alone (application default credentials, or an emulator's
`api_endpoint`), OAuth fields, and the tuning keys `http_timeout`, `file_upload_timeout`,
`retry_deadline` and `ignore_unknown_values`. The last tests load through the real emulator.
"""

from __future__ import annotations

import json
import traceback
import uuid
from pathlib import Path
from typing import Any

import pytest

import dlt
from dlt_destination_bigquery.configuration import (
    BigQueryConfigurationError,
    DefaultCredentials,
    OAuthCredentials,
)
from dlt_destination_bigquery.factory import bigquery
from dlt_destination_bigquery.sql_client import google_credentials

ENV_PREFIX = "DESTINATION__BIGQUERY__"
SECRET_MARKER = "SECRET-MATERIAL-THAT-MUST-NEVER-SHOW"


# no BigQuery settings leak in from the machine (the conftest's `isolated_bigquery_config`)
pytestmark = pytest.mark.usefixtures("isolated_bigquery_config")


def application_default_key_file(tmp_path: Path, project: str) -> Path:
    """A service-account key file with a real RSA key, as GOOGLE_APPLICATION_CREDENTIALS names."""
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path = tmp_path / "adc.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": project, "private_key_id": "k1", "private_key": pem,
        "client_email": f"adc@{project}.iam.gserviceaccount.com", "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }))
    return path


# -- credentials.project_id alone ------------------------------------------------------------------


def test_credentials_project_id_alone_means_default_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", "my-proj")
    settings = bigquery().settings()
    assert isinstance(settings.credentials, DefaultCredentials)
    assert settings.project == "my-proj"


def test_credentials_project_id_with_api_endpoint_signs_in_anonymously(monkeypatch: pytest.MonkeyPatch) -> None:
    from google.auth.credentials import AnonymousCredentials

    monkeypatch.setenv(f"{ENV_PREFIX}API_ENDPOINT", "http://127.0.0.1:9050")
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", "emulated")
    native, project = google_credentials(bigquery().settings())
    assert isinstance(native, AnonymousCredentials) and project == "emulated"


def test_credentials_project_id_picks_the_project_of_application_default_credentials(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(application_default_key_file(tmp_path, "adc-proj")))
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", "billing-proj")
    native, project = google_credentials(bigquery().settings())
    assert native.service_account_email == "adc@adc-proj.iam.gserviceaccount.com"
    assert project == "billing-proj"


def test_application_default_credentials_give_their_project_when_none_is_configured(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(application_default_key_file(tmp_path, "adc-proj")))
    _native, project = google_credentials(bigquery().settings())
    assert project == "adc-proj"


def test_credentials_project_id_without_default_credentials_says_what_to_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", "my-proj")
    with pytest.raises(BigQueryConfigurationError) as raised:
        google_credentials(bigquery().settings())
    message = str(raised.value)
    assert "application default credentials" in message
    assert "DESTINATION__BIGQUERY__CREDENTIALS__PRIVATE_KEY" in message


def test_credentials_table_in_secrets_toml_with_only_project_id(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    (tmp_path / ".dlt").mkdir()
    (tmp_path / ".dlt" / "secrets.toml").write_text('[destination.bigquery.credentials]\nproject_id = "toml-proj"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(f"{ENV_PREFIX}API_ENDPOINT", "http://127.0.0.1:9050")
    _native, project = google_credentials(bigquery().settings())
    assert project == "toml-proj"


# -- other credential fields ------------------------------------------------------------------------


def test_token_uri_and_client_email_complete_a_service_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", "p")
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PRIVATE_KEY", f"-----BEGIN PRIVATE KEY-----\\n{SECRET_MARKER}")
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__CLIENT_EMAIL", "a@p.iam")
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__TOKEN_URI", "http://127.0.0.1:1/token")
    credentials = bigquery().settings().credentials
    assert credentials["token_uri"] == "http://127.0.0.1:1/token"
    assert credentials.client_email == "a@p.iam"
    assert SECRET_MARKER not in repr(credentials)


def test_oauth_refresh_token_fields_build_user_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", "p")
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__CLIENT_ID", "app.apps.googleusercontent.com")
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__CLIENT_SECRET", SECRET_MARKER)
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__REFRESH_TOKEN", SECRET_MARKER + "-refresh")
    settings = bigquery().settings()
    assert isinstance(settings.credentials, OAuthCredentials)
    assert SECRET_MARKER not in repr(settings) + str(settings.credentials)
    native, project = google_credentials(settings)
    assert native.refresh_token == SECRET_MARKER + "-refresh" and project == "p"


def test_incomplete_oauth_fields_name_the_missing_ones_and_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__REFRESH_TOKEN", SECRET_MARKER)
    with pytest.raises(BigQueryConfigurationError) as raised:
        bigquery().settings()
    text = "".join(traceback.format_exception(raised.value))
    assert "DESTINATION__BIGQUERY__CREDENTIALS__CLIENT_ID" in text
    assert "DESTINATION__BIGQUERY__CREDENTIALS__CLIENT_SECRET" in text
    assert SECRET_MARKER not in text


# -- tuning keys --------------------------------------------------------------------------------------


def test_dlt_tuning_keys_are_read_from_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}HTTP_TIMEOUT", "42.5")
    monkeypatch.setenv(f"{ENV_PREFIX}FILE_UPLOAD_TIMEOUT", "600")
    monkeypatch.setenv(f"{ENV_PREFIX}RETRY_DEADLINE", "7")
    monkeypatch.setenv(f"{ENV_PREFIX}IGNORE_UNKNOWN_VALUES", "true")
    monkeypatch.setenv(f"{ENV_PREFIX}LOCATION", "EU")
    settings = bigquery().settings()
    assert (settings.http_timeout, settings.file_upload_timeout, settings.retry_deadline) == (42.5, 600.0, 7.0)
    assert settings.ignore_unknown_values is True and settings.location == "EU"


def test_tuning_keys_default_to_the_values_of_dlt_131() -> None:
    settings = bigquery(credentials={"project_id": "p"}).settings()
    assert (settings.http_timeout, settings.file_upload_timeout, settings.retry_deadline) == (15.0, 1800.0, 60.0)
    assert settings.ignore_unknown_values is False


def test_a_tuning_key_that_is_not_a_number_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}HTTP_TIMEOUT", "soon")
    with pytest.raises(BigQueryConfigurationError, match="DESTINATION__BIGQUERY__HTTP_TIMEOUT"):
        bigquery().settings()


def test_keys_without_effect_here_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}BATCH_SIZE", "100")
    monkeypatch.setenv(f"{ENV_PREFIX}AUTODETECT_SCHEMA", "false")
    monkeypatch.setenv(f"{ENV_PREFIX}HAS_CASE_SENSITIVE_IDENTIFIERS", "true")
    assert bigquery(credentials={"project_id": "p"}).configuration()["batch_size"] == 100


# -- against the emulator ----------------------------------------------------------------------------


def test_dlt_style_environment_loads_into_the_emulator(bigquery_emulator: Any, bq_client: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}API_ENDPOINT", bigquery_emulator.endpoint)
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", bigquery_emulator.project)
    monkeypatch.setenv(f"{ENV_PREFIX}LOCATION", "US")
    monkeypatch.setenv(f"{ENV_PREFIX}HTTP_TIMEOUT", "60")
    monkeypatch.setenv(f"{ENV_PREFIX}RETRY_DEADLINE", "30")
    dataset = f"dltkeys_{uuid.uuid4().hex[:8]}"
    pipeline = dlt.pipeline(pipeline_name=dataset, destination="bigquery", dataset_name=dataset)
    try:
        pipeline.run([{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], table_name="items")
        got = sorted(tuple(r.values()) for r in bq_client.query(
            f"SELECT id, name FROM `{bigquery_emulator.project}.{dataset}.items`").result())
        assert got == [(1, "a"), (2, "b")]
    finally:
        bq_client.delete_dataset(f"{bigquery_emulator.project}.{dataset}", delete_contents=True,
                                 not_found_ok=True)


def test_ignore_unknown_values_reaches_the_load_job(bigquery_emulator: Any, bq_client: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}API_ENDPOINT", bigquery_emulator.endpoint)
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", bigquery_emulator.project)
    monkeypatch.setenv(f"{ENV_PREFIX}IGNORE_UNKNOWN_VALUES", "true")
    dataset = f"dltkeys_{uuid.uuid4().hex[:8]}"
    pipeline = dlt.pipeline(pipeline_name=dataset, destination="bigquery", dataset_name=dataset)
    try:
        info = pipeline.run([{"id": 1}], table_name="items")
        job_ids = [job.job_id for job in bq_client.list_jobs() if job.job_type == "load"]
        load_jobs = [bq_client.get_job(job_id) for job_id in job_ids]
        ours = [j for j in load_jobs if j.destination is not None and j.destination.dataset_id == dataset]
        assert info.loads_ids and ours
        assert all(job.ignore_unknown_values for job in ours)
    finally:
        bq_client.delete_dataset(f"{bigquery_emulator.project}.{dataset}", delete_contents=True,
                                 not_found_ok=True)


class RecordingClient:
    """The real google client, recording the `timeout` and `retry` its calls receive."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.real, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, {k: kwargs[k] for k in ("timeout", "retry") if k in kwargs}))
            return attribute(*args, **kwargs)

        return call


def test_timeouts_and_retry_deadline_reach_the_api_calls(bigquery_emulator: Any, bq_client: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"{ENV_PREFIX}API_ENDPOINT", bigquery_emulator.endpoint)
    monkeypatch.setenv(f"{ENV_PREFIX}CREDENTIALS__PROJECT_ID", bigquery_emulator.project)
    monkeypatch.setenv(f"{ENV_PREFIX}HTTP_TIMEOUT", "41")
    monkeypatch.setenv(f"{ENV_PREFIX}FILE_UPLOAD_TIMEOUT", "777")
    monkeypatch.setenv(f"{ENV_PREFIX}RETRY_DEADLINE", "33")
    dataset = f"dltkeys_{uuid.uuid4().hex[:8]}"
    pipeline = dlt.pipeline(pipeline_name=dataset, destination="bigquery", dataset_name=dataset)
    try:
        pipeline.run([{"id": 1}], table_name="seed")  # creates the dataset and the table
        pipeline.extract([{"id": 2}], table_name="seed")
        pipeline.normalize()
        (load_id,) = pipeline.list_normalized_load_packages()
        (path,) = [p for p in pipeline.storage.jobs(load_id, "new_jobs") if p.name.startswith("seed.")]
        with pipeline.destination_client() as client:
            recording = RecordingClient(client.sql._client)
            client.sql._client = recording
            client.load_file(path, path.name, load_id, "jsonl", client.sql.table_id("seed"))
        uploads = [options for name, options in recording.calls if name == "load_table_from_file"]
        assert uploads and all(options["timeout"] == 777.0 for options in uploads)
        table_reads = [options for name, options in recording.calls if name == "get_table"]
        assert table_reads and table_reads[0]["timeout"] == 41.0
        assert table_reads[0]["retry"].deadline == 33.0
    finally:
        bq_client.delete_dataset(f"{bigquery_emulator.project}.{dataset}", delete_contents=True,
                                 not_found_ok=True)
