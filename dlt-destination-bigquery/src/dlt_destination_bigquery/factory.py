"""`bigquery`: the destination factory of the BigQuery plugin."""

from __future__ import annotations

from typing import Any

from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities


class bigquery(Destination):  # noqa: N801 - the public name users write: dlt.destinations.bigquery
    """Load into Google BigQuery with load jobs (parquet or jsonl files).

    Settings: `credentials` (service-account info), `location`, `project_id`, `api_endpoint`
    (any BigQuery-API-compatible server), from arguments or `destination.bigquery.*` config.
    """

    destination_name = "bigquery"
    config_fields = {
        "credentials": (False, True),
        "location": (False, False),
        "project_id": (False, False),
        "api_endpoint": (False, False),
    }

    def __init__(self, credentials: Any = None, location: str | None = None,
                 destination_name: str | None = None, environment: str | None = None,
                 **settings: Any) -> None:
        super().__init__(credentials, destination_name, environment, location=location, **settings)

    def capabilities(self) -> DestinationCapabilities:
        """Parquet load jobs, 1024-character identifiers, merge through a staging dataset."""
        return DestinationCapabilities(
            preferred_loader_file_format="parquet",
            supported_loader_file_formats=("parquet", "jsonl"),
            max_identifier_length=1024,
            max_column_identifier_length=300,
            supports_transactions=False,
            supports_merge=True,
            max_parallel_load_jobs=8,
        )

    def client(self, context: ClientContext) -> Any:
        """A job client on BigQuery (imports google-cloud-bigquery only here)."""
        from dlt_destination_bigquery.client import BigQueryJobClient

        return BigQueryJobClient(context, self.capabilities(), self.configuration())
