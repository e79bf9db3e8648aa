"""`redshift`: the destination factory of the Redshift plugin."""

from __future__ import annotations

from typing import Any

from dlt.configuration.resolve import get_resolver
from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities

from dlt_destination_redshift.credentials import FIELD_NAMES, CredentialsError, RedshiftCredentials
from dlt_destination_redshift.dialect import REDSHIFT, RedshiftDialect


class redshift(Destination):  # noqa: N801 - the public name users write: dlt.destinations.redshift
    """Load into Amazon Redshift through redshift-connector with multi-row INSERT batches.

    `credentials` is a connection string `redshift://user:password@host:5439/db?sslmode=...`,
    a dict of its fields or `RedshiftCredentials`, from the argument or from configuration:
    `DESTINATION__REDSHIFT__CREDENTIALS` (the string) or its fields
    `DESTINATION__REDSHIFT__CREDENTIALS__HOST`, `__PORT`, `__DATABASE`, `__USERNAME`,
    `__PASSWORD`. Fields found in configuration fill what the string or argument leaves out.
    `dialect` describes the server's SQL (default: Redshift itself).
    """

    destination_name = "redshift"
    config_fields = {"credentials": (True, True), "staging_iam_role": (False, True)}

    def __init__(self, credentials: Any = None, destination_name: str | None = None,
                 environment: str | None = None, dialect: RedshiftDialect | None = None,
                 **settings: Any) -> None:
        super().__init__(credentials, destination_name, environment, **settings)
        self.dialect = dialect or REDSHIFT

    def capabilities(self) -> DestinationCapabilities:
        """Parquet jobs (type exact) loaded as INSERT batches under the 16 MB statement limit."""
        return DestinationCapabilities(
            preferred_loader_file_format="parquet",
            supported_loader_file_formats=("parquet", "jsonl"),
            supported_staging_file_formats=("jsonl", "parquet"),
            max_identifier_length=self.dialect.max_identifier_bytes,
            max_column_identifier_length=self.dialect.max_identifier_bytes,
            supports_transactions=True,
            supports_merge=True,
            max_query_length=self.dialect.max_statement_bytes,
            decimal_precision=(38, 9),
            notes={"identifiers": "folded to lower case and shortened to 127 bytes by the server"},
        )

    def configuration(self) -> dict[str, Any]:
        """Settings as the base resolves them, with `credentials` parsed into `RedshiftCredentials`.

        The credentials' fields may come one by one from configuration
        (`destination.redshift.credentials.host`, ...), also when no connection string is set.
        """
        resolver = get_resolver()
        explicit = self.explicit.get("credentials")
        base: Any = explicit
        if base is None:
            base = resolver.resolve(
                f"destination.{self.name}.credentials",
                [("destination", self.name, "credentials"), ("destination", "credentials")],
                required=False, secret=True,
            )
        credentials = RedshiftCredentials.parse(base) if base is not None else RedshiftCredentials()
        credentials = credentials.fill_missing(self.resolve_credential_fields(FIELD_NAMES, {"password"}))
        missing = credentials.missing_fields()
        if missing:
            # the resolver's error lists every provider and key it looked in
            resolver.resolve(
                f"destination.{self.name}.credentials.{missing[0]}",
                [("destination", self.name, "credentials", missing[0])],
                required=True, secret=missing[0] == "password",
            )
            raise CredentialsError(  # reached only when the value is there but empty
                f"The Redshift credentials for host {credentials.host} have no"
                f" {', '.join(missing)}."
            )
        resolved = self.resolve_settings(skip=("credentials",))
        resolved["credentials"] = credentials
        return resolved

    def client(self, context: ClientContext) -> Any:
        """A job client on Redshift (imports redshift-connector only here)."""
        from dlt_destination_redshift.client import RedshiftJobClient

        return RedshiftJobClient(context, self.capabilities(), self.configuration(), self.dialect)

    def __repr__(self) -> str:
        return f"<destination {self.name} (redshift-connector)>"
