"""`redshift`: the destination factory of the Redshift plugin."""

from __future__ import annotations

from typing import Any

from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities


class redshift(Destination):  # noqa: N801 - the public name users write: dlt.destinations.redshift
    """Load into Amazon Redshift through redshift-connector with multi-row INSERT batches.

    `credentials` is a connection string `redshift://user:password@host:5439/db` or its fields,
    from arguments or `destination.redshift.credentials` config.
    """

    destination_name = "redshift"
    config_fields = {"credentials": (True, True), "staging_iam_role": (False, True)}

    def capabilities(self) -> DestinationCapabilities:
        """insert_values jobs under the 16 MB statement limit, 127-byte lower-case identifiers."""
        return DestinationCapabilities(
            preferred_loader_file_format="insert_values",
            supported_loader_file_formats=("insert_values", "parquet", "jsonl"),
            max_identifier_length=127,
            max_column_identifier_length=127,
            supports_transactions=True,
            supports_merge=True,
            max_query_length=16 * 1024 * 1024,
        )

    def client(self, context: ClientContext) -> Any:
        """A job client on Redshift (imports redshift-connector only here)."""
        from dlt_destination_redshift.client import RedshiftJobClient

        return RedshiftJobClient(context, self.capabilities(), self.configuration())
