"""`postgres`: the destination factory of the PostgreSQL plugin."""

from __future__ import annotations

from typing import Any

from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities

from dlt_destination_postgres.credentials import PostgresCredentials, resolve_credentials

#: PostgreSQL truncates longer identifiers (NAMEDATALEN - 1); dlt shortens them first
MAX_IDENTIFIER_LENGTH = 63


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class postgres(Destination):  # noqa: N801 - the public name users write: dlt.destinations.postgres
    """Load into PostgreSQL through binary COPY with psycopg 3.

    `credentials` is a connection string `postgresql://user:password@host:5432/db`, a dict of
    its fields or `PostgresCredentials`, from the argument or from configuration:
    `DESTINATION__POSTGRES__CREDENTIALS` (the string) or its fields
    `DESTINATION__POSTGRES__CREDENTIALS__HOST`, `__PORT`, `__DATABASE`, `__USERNAME`,
    `__PASSWORD`, `__CONNECT_TIMEOUT`. Fields found in configuration fill what the string or
    argument leaves out. `create_indexes` (default true) puts a UNIQUE index on columns with the
    `unique` hint, such as `_dlt_id`. Columns marked with
    `dlt.destinations.adapters.postgres_adapter` become PostGIS geometries (see `geometry.py`).
    """

    destination_name = "postgres"
    config_fields = {"credentials": (True, True), "create_indexes": (False, False)}

    def __init__(self, credentials: Any = None, create_indexes: bool | None = None,
                 destination_name: str | None = None, environment: str | None = None,
                 **settings: Any) -> None:
        super().__init__(credentials, destination_name, environment,
                         create_indexes=create_indexes, **settings)

    def capabilities(self) -> DestinationCapabilities:
        """Parquet jobs (and Arrow IPC for Arrow data) loaded with binary COPY; csv and jsonl too."""
        return DestinationCapabilities(
            preferred_loader_file_format="parquet",
            supported_loader_file_formats=("parquet", "jsonl", "arrow", "csv"),
            preferred_arrow_file_format="arrow",
            max_identifier_length=MAX_IDENTIFIER_LENGTH,
            max_column_identifier_length=MAX_IDENTIFIER_LENGTH,
            supports_transactions=True,
            supports_merge=True,
            max_query_length=32 * 1024 * 1024,
            decimal_precision=(38, 9),
            notes={"identifiers": "shortened to 63 bytes with a stable tag, as PostgreSQL's limit"},
        )

    def configuration(self) -> dict[str, Any]:
        """Settings as the base resolves them, with `credentials` as `PostgresCredentials`
        (fields may come one by one from `destination.postgres.credentials.<field>`)."""
        credentials = resolve_credentials(self.explicit.get("credentials"), self.name)
        resolved = self.resolve_settings(skip=("credentials",))
        resolved["credentials"] = credentials
        resolved["create_indexes"] = _as_bool(resolved.get("create_indexes", True))
        return resolved

    def client(self, context: ClientContext) -> Any:
        """A job client on PostgreSQL (imports psycopg only here)."""
        from dlt_destination_postgres.client import PostgresJobClient

        return PostgresJobClient(context, self.capabilities(), self.configuration())

    def __repr__(self) -> str:
        return f"<destination {self.name} (psycopg)>"


__all__ = ["PostgresCredentials", "postgres"]
