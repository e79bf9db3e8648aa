"""BigQuery settings: service-account credentials and how they are found, without Google imports.

Credentials come as a service-account JSON file path, the JSON text itself, a table of fields
(`[destination.bigquery.credentials]` in secrets.toml or `DESTINATION__BIGQUERY__CREDENTIALS__*`
environment variables), a `google.auth` credentials object, or nothing (application default
credentials). A credentials table holding only `project_id` (the usual
`DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID`) names the project and signs in with application
default credentials, as in dlt 1.31. `api_endpoint` points the client at any
BigQuery-API-compatible server (an emulator) and uses anonymous credentials with the configured
project id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlt.destinations.base import DestinationTerminalError

#: fields of a service-account key, in the order a key file has them
SERVICE_ACCOUNT_FIELDS = (
    "type", "project_id", "private_key_id", "private_key", "client_email", "client_id",
    "auth_uri", "token_uri", "auth_provider_x509_cert_url", "client_x509_cert_url",
    "universe_domain",
)
#: fields without which a service account cannot sign in
REQUIRED_SERVICE_ACCOUNT_FIELDS = ("project_id", "private_key", "client_email")
#: fields of dlt's `GcpOAuthCredentials` (an installed-app OAuth client and its refresh token)
OAUTH_FIELDS = ("project_id", "client_id", "client_secret", "refresh_token", "token", "token_uri")
#: fields without which OAuth credentials cannot refresh their token
REQUIRED_OAUTH_FIELDS = ("client_id", "client_secret", "refresh_token")
#: every field a credentials table may hold
CREDENTIAL_FIELDS = tuple(dict.fromkeys(SERVICE_ACCOUNT_FIELDS + OAUTH_FIELDS))
#: fields whose presence means "sign in as this account" rather than "use default credentials"
SIGN_IN_FIELDS = frozenset({"private_key", "private_key_id", "client_email", "client_id",
                            "client_secret", "refresh_token", "token"})
#: fields that are secrets: never shown in reprs, errors or logs
SECRET_FIELDS = frozenset({"private_key", "private_key_id", "client_secret", "refresh_token", "token"})

DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"

HOW_TO_CONFIGURE = (
    "Set one of:\n"
    "  - DESTINATION__BIGQUERY__CREDENTIALS: the path of a service-account JSON key file;\n"
    "  - DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID, DESTINATION__BIGQUERY__CREDENTIALS__PRIVATE_KEY"
    " and DESTINATION__BIGQUERY__CREDENTIALS__CLIENT_EMAIL;\n"
    "  - a [destination.bigquery.credentials] table with project_id, private_key and client_email"
    " in .dlt/secrets.toml;\n"
    "  - application default credentials (GOOGLE_APPLICATION_CREDENTIALS, or"
    " `gcloud auth application-default login`);\n"
    "  - DESTINATION__BIGQUERY__API_ENDPOINT and DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID"
    " (or DESTINATION__BIGQUERY__PROJECT_ID) for a BigQuery-API-compatible server such as an"
    " emulator."
)


class BigQueryConfigurationError(DestinationTerminalError):
    """BigQuery settings are missing or invalid; the message says which keys to set."""


class CredentialFields(Mapping[str, Any]):
    """Configured credential fields as a read-only mapping; secrets never show in `repr`/`str`."""

    kind = "credentials"

    def __init__(self, info: Mapping[str, Any]) -> None:
        self._info = {k: v for k, v in info.items() if v is not None}

    def __getitem__(self, key: str) -> Any:
        return self._info[key]

    def __iter__(self) -> Any:
        return iter(self._info)

    def __len__(self) -> int:
        return len(self._info)

    @property
    def project_id(self) -> str | None:
        """The project named by the credentials (None when they name none)."""
        return self._info.get("project_id")

    def as_info(self) -> dict[str, Any]:
        """The plain dict (contains the secrets)."""
        return dict(self._info)

    def __repr__(self) -> str:
        shown = {k: ("***" if k in SECRET_FIELDS else v) for k, v in self._info.items()}
        return f"{type(self).__name__}({shown})"

    __str__ = __repr__


class ServiceAccountCredentials(CredentialFields):
    """The fields of a service-account key; the private key never shows in `repr` or `str`."""

    kind = "service-account credentials"

    def __init__(self, info: Mapping[str, Any]) -> None:
        super().__init__(info)
        self._info.setdefault("type", "service_account")
        self._info.setdefault("token_uri", DEFAULT_TOKEN_URI)
        if isinstance(self._info.get("private_key"), str):
            # keys pasted into env vars or TOML often carry literal "\n" instead of newlines
            self._info["private_key"] = self._info["private_key"].replace("\\n", "\n")

    @property
    def client_email(self) -> str | None:
        """The service account's e-mail."""
        return self._info.get("client_email")

    def missing_fields(self) -> list[str]:
        """Required fields that are not set."""
        return [name for name in REQUIRED_SERVICE_ACCOUNT_FIELDS if not self._info.get(name)]


class OAuthCredentials(CredentialFields):
    """An OAuth client (`client_id`, `client_secret`) with a `refresh_token`, as dlt's
    `GcpOAuthCredentials`; the secrets never show in `repr` or `str`."""

    kind = "OAuth credentials"

    def __init__(self, info: Mapping[str, Any]) -> None:
        super().__init__(info)
        self._info.setdefault("token_uri", DEFAULT_TOKEN_URI)

    def missing_fields(self) -> list[str]:
        """Required fields that are not set."""
        return [name for name in REQUIRED_OAUTH_FIELDS if not self._info.get(name)]


class DefaultCredentials(CredentialFields):
    """A credentials table that names only the project: sign in with application default
    credentials (anonymously at an `api_endpoint`) and bill that project."""

    kind = "default credentials"


@dataclass(frozen=True)
class BigQuerySettings:
    """Resolved settings of one BigQuery destination (credentials stay redacted in `repr`)."""

    credentials: Any = None
    project_id: str | None = None
    location: str | None = None
    api_endpoint: str | None = None
    #: seconds one HTTP request to the API may take (dlt 1.31's `http_timeout`)
    http_timeout: float = 15.0
    #: seconds the upload of one job file may take (dlt 1.31's `file_upload_timeout`)
    file_upload_timeout: float = 30 * 60.0
    #: seconds an API call is retried on transient errors (dlt 1.31's `retry_deadline`)
    retry_deadline: float = 60.0
    #: load jobs skip values of columns the table does not have (dlt 1.31's `ignore_unknown_values`)
    ignore_unknown_values: bool = False
    #: rows per streaming insert request (dlt 1.31's `batch_size`; `insert_api="streaming"`)
    batch_size: int = 500

    @property
    def project(self) -> str | None:
        """The project datasets and jobs belong to: `project_id`, else the credentials' one."""
        if self.project_id:
            return self.project_id
        return getattr(self.credentials, "project_id", None)


def credentials_from_fields(fields: Mapping[str, Any]) -> CredentialFields:
    """The kind of credentials a table of fields describes, checked for missing fields.

    Only `project_id` (and fields with public defaults such as `token_uri`): default
    credentials for that project. A `refresh_token` or `client_secret`: OAuth. Otherwise a
    service account, which needs `project_id`, `private_key` and `client_email`.
    """
    present = {k for k, v in fields.items() if v is not None and v != ""}
    if not present & SIGN_IN_FIELDS:
        return DefaultCredentials(fields)
    credentials: ServiceAccountCredentials | OAuthCredentials
    if present & {"refresh_token", "client_secret"} and "private_key" not in present:
        credentials = OAuthCredentials(fields)
    else:
        credentials = ServiceAccountCredentials(fields)
    missing = credentials.missing_fields()
    if missing:
        keys = ", ".join(f"DESTINATION__BIGQUERY__CREDENTIALS__{name.upper()}" for name in missing)
        raise BigQueryConfigurationError(
            f"The BigQuery {credentials.kind} lack " + ", ".join(missing) + f". Set {keys} (or add"
            " them to the [destination.bigquery.credentials] table in .dlt/secrets.toml), or set"
            " only DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID to use application default"
            " credentials (or an api_endpoint)."
        )
    return credentials


def parse_credentials(value: Any) -> Any:
    """Turn a configured credentials value into `ServiceAccountCredentials` where it is one.

    Strings are JSON text or the path of a key file; mappings are the key's fields; anything
    else (a `google.auth` credentials object) is passed through unchanged.
    """
    if value is None or isinstance(value, CredentialFields):
        return value
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("{"):
            path = Path(text).expanduser()
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise BigQueryConfigurationError(
                    f"destination.bigquery.credentials names the file {path}, which cannot be read"
                    f" ({exc.strerror or type(exc).__name__}). Point it at a service-account JSON"
                    " key file, or set the key's fields instead.\n" + HOW_TO_CONFIGURE
                ) from None
        try:
            parsed = json.loads(text)
        except ValueError:
            # never echo the text: it may be a key
            raise BigQueryConfigurationError(
                "destination.bigquery.credentials is neither a readable file path nor service-account"
                " JSON. " + HOW_TO_CONFIGURE
            ) from None
        if not isinstance(parsed, dict):
            raise BigQueryConfigurationError(
                "destination.bigquery.credentials must be a service-account JSON object. " + HOW_TO_CONFIGURE
            )
        value = parsed
    if isinstance(value, Mapping):
        return credentials_from_fields(value)
    return value
