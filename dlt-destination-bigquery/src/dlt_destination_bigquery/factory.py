"""`bigquery`: the destination factory of the BigQuery plugin."""

from __future__ import annotations

from typing import Any

from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities
from dlt_destination_bigquery.configuration import (
    CREDENTIAL_FIELDS,
    SECRET_FIELDS,
    BigQueryConfigurationError,
    BigQuerySettings,
    parse_credentials,
)

#: dlt 1.31 BigQuery settings this destination uses, with their types (see BigQuerySettings)
TUNING_SETTINGS: dict[str, type] = {
    "http_timeout": float, "file_upload_timeout": float, "retry_deadline": float,
    "ignore_unknown_values": bool, "batch_size": int,
}
#: dlt 1.31 BigQuery settings accepted for compatibility that change nothing here (see the docs)
ACCEPTED_WITHOUT_EFFECT = (
    "has_case_sensitive_identifiers", "should_set_case_sensitivity_on_new_dataset",
    "autodetect_schema", "enable_atomic_replace",
)


def setting_value(name: str, value: Any, kind: type) -> Any:
    """A configured setting converted to `kind` (config values may arrive as text)."""
    try:
        if kind is bool and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in {"true", "1", "yes", "on"}:
                return True
            if lowered in {"false", "0", "no", "off"}:
                return False
            raise ValueError(value)
        return kind(value)
    except (TypeError, ValueError):
        raise BigQueryConfigurationError(
            f"destination.bigquery.{name} must be a {kind.__name__}, not {value!r}: set"
            f" DESTINATION__BIGQUERY__{name.upper()} to one."
        ) from None


class bigquery(Destination):  # noqa: N801 - the public name users write: dlt.destinations.bigquery
    """Load into Google BigQuery with load jobs (jsonl or parquet files).

    Settings: `credentials` (service-account info, a key file path, or a `google.auth`
    credentials object; application default credentials when left out), `location`,
    `project_id`, `api_endpoint` (any BigQuery-API-compatible server, e.g. an emulator),
    `http_timeout`, `file_upload_timeout`, `retry_deadline`, `ignore_unknown_values`,
    `batch_size` (rows per streaming insert request), from
    arguments or `destination.bigquery.*` config.
    """

    destination_name = "bigquery"
    config_fields = {
        "credentials": (False, True),
        "location": (False, False),
        "project_id": (False, False),
        "api_endpoint": (False, False),
        **{name: (False, False) for name in (*TUNING_SETTINGS, *ACCEPTED_WITHOUT_EFFECT)},
    }

    def __init__(self, credentials: Any = None, location: str | None = None,
                 project_id: str | None = None, api_endpoint: str | None = None,
                 destination_name: str | None = None, environment: str | None = None,
                 **settings: Any) -> None:
        super().__init__(credentials, destination_name, environment, location=location,
                         project_id=project_id, api_endpoint=api_endpoint, **settings)

    def capabilities(self) -> DestinationCapabilities:
        """Load jobs from jsonl (preferred) or parquet, merge and replace through a staging dataset."""
        return DestinationCapabilities(
            preferred_loader_file_format="jsonl",
            supported_loader_file_formats=("jsonl", "parquet"),
            supported_staging_file_formats=("parquet", "jsonl"),
            max_identifier_length=1024,
            max_column_identifier_length=300,
            supports_transactions=False,
            supports_merge=True,
            supports_replace=True,
            max_query_length=1024 * 1024,
            max_parallel_load_jobs=8,
            decimal_precision=(38, 9),
            notes={
                "transactions": "BigQuery has no transaction spanning load jobs: each job is"
                " idempotent (its job id comes from the job file) and merge/replace/_dlt_loads are"
                " written in one script transaction at the end of the package.",
            },
        )

    def configuration(self) -> dict[str, Any]:
        """Settings with explicit arguments first, then config; credentials redacted in reprs.

        Credential fields may also be given one by one
        (`DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID`, `..._PRIVATE_KEY`, ...), which the
        generic lookup of `credentials` does not assemble.
        """
        resolved = super().configuration()
        if resolved.get("credentials") is None:
            fields = self.resolve_credential_fields(CREDENTIAL_FIELDS, SECRET_FIELDS, shared=True)
            if fields:
                resolved["credentials"] = fields
        if resolved.get("credentials") is not None:
            resolved["credentials"] = parse_credentials(resolved["credentials"])
        return resolved

    def settings(self) -> BigQuerySettings:
        """The resolved settings as one object."""
        config = self.configuration()
        return BigQuerySettings(
            credentials=config.get("credentials"),
            project_id=config.get("project_id"),
            location=config.get("location"),
            api_endpoint=config.get("api_endpoint"),
            **{name: setting_value(name, config[name], kind)
               for name, kind in TUNING_SETTINGS.items() if config.get(name) is not None},
        )

    def client(self, context: ClientContext) -> Any:
        """A job client on BigQuery (imports google-cloud-bigquery only here)."""
        from dlt_destination_bigquery.client import BigQueryJobClient, BigQuerySqlClient

        capabilities = self.capabilities()
        sql = BigQuerySqlClient(context.dataset_name, capabilities, self.settings())
        return BigQueryJobClient(context, capabilities, sql)
