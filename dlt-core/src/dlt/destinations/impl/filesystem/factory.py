"""`filesystem`: the destination factory that writes load files into a local folder."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities


class FilesystemSpec(BaseModel):
    """Settings of the filesystem destination."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
    bucket_url: str


class filesystem(Destination):  # noqa: N801 - the public name users write
    """Write each table's rows as jsonl or parquet files under `<bucket_url>/<dataset>/<table>/`.

    `bucket_url` is a local folder or a `file://` URL, given here or as
    `DESTINATION__FILESYSTEM__BUCKET_URL`. Supports append and replace; merge appends.
    """

    destination_name = "filesystem"
    config_fields = {"bucket_url": (True, False), "credentials": (False, True)}
    spec = FilesystemSpec

    def __init__(self, bucket_url: str | None = None, credentials: Any = None,
                 destination_name: str | None = None, environment: str | None = None,
                 **settings: Any) -> None:
        super().__init__(credentials, destination_name, environment, bucket_url=bucket_url, **settings)

    def capabilities(self) -> DestinationCapabilities:
        """jsonl preferred, parquet supported; no transactions and no merge."""
        return DestinationCapabilities(
            preferred_loader_file_format="jsonl",
            supported_loader_file_formats=("jsonl", "parquet"),
            supports_transactions=False,
            supports_merge=False,
            supported_merge_strategies=(),
            max_parallel_load_jobs=4,
            notes={"merge": "the filesystem destination appends rows of merge tables"},
        )

    def client(self, context: ClientContext) -> Any:
        """A job client writing into the configured folder."""
        from dlt.destinations.impl.filesystem.client import FilesystemJobClient

        return FilesystemJobClient(context, self.capabilities(), self.configuration()["bucket_url"])
