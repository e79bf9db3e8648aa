"""`filesystem`: the destination factory that writes load files into a local folder or any fsspec bucket."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict

from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities


class FilesystemSpec(BaseModel):
    """Settings of the filesystem destination (the names of dlt 1.31's `FilesystemDestinationClientConfiguration`)."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
    bucket_url: str
    layout: Optional[str] = None
    """Path template of data files relative to the dataset folder; see `layout.py`."""
    extra_placeholders: Optional[dict[str, Any]] = None
    """More layout placeholders: values, or callables `(schema_name, table_name, load_id, file_id, ext)`."""
    current_datetime: Any = None
    """The datetime (or a callable returning one) of the date placeholders; default: the package's time."""
    max_state_files: int = 100
    """State files kept per pipeline (below 1: all)."""
    kwargs: Optional[dict[str, Any]] = None
    """Keyword arguments of the fsspec filesystem of `bucket_url` (not for local folders)."""
    client_kwargs: Optional[dict[str, Any]] = None
    """`client_kwargs` of the fsspec filesystem (e.g. s3fs's `endpoint_url`)."""
    deltalake_storage_options: Optional[dict[str, Any]] = None
    """`storage_options` handed to deltalake for Delta tables."""


class filesystem(Destination):  # noqa: N801 - the public name users write
    """Write each table's rows as jsonl, parquet or csv files under `<bucket_url>/<dataset>/`,
    placed by `layout` (default `{table_name}/{load_id}.{file_id}.{ext}`), or as Delta / Iceberg
    tables for resources with `table_format="delta"` / `"iceberg"`.

    `bucket_url` is a local folder, a `file://` URL or any fsspec URL (`memory://`, `s3://`, ...;
    needs `dlt-core[filesystem]`), given here or as `DESTINATION__FILESYSTEM__BUCKET_URL`; `layout`
    may come from configuration too (`DESTINATION__FILESYSTEM__LAYOUT`). Supports append and
    replace; merge appends to plain files, as in dlt 1.31, and upserts into Delta and Iceberg tables.
    """

    destination_name = "filesystem"
    config_fields = {"bucket_url": (True, False), "credentials": (False, True), "layout": (False, False),
                     "extra_placeholders": (False, False), "max_state_files": (False, False),
                     "kwargs": (False, False), "client_kwargs": (False, False),
                     "deltalake_storage_options": (False, True)}
    spec = FilesystemSpec

    def __init__(self, bucket_url: str | None = None, credentials: Any = None,
                 destination_name: str | None = None, environment: str | None = None,
                 layout: str | None = None, extra_placeholders: dict[str, Any] | None = None,
                 current_datetime: Any = None, **settings: Any) -> None:
        super().__init__(credentials, destination_name, environment, bucket_url=bucket_url, layout=layout,
                         extra_placeholders=extra_placeholders, current_datetime=current_datetime,
                         **settings)

    def capabilities(self) -> DestinationCapabilities:
        """jsonl preferred, parquet and csv supported; no transactions; merge only on the delta
        and iceberg table formats (checked by the job client)."""
        return DestinationCapabilities(
            preferred_loader_file_format="jsonl",
            supported_loader_file_formats=("jsonl", "parquet", "csv"),
            supports_transactions=False,
            supports_merge=False,
            supported_merge_strategies=(),
            max_parallel_load_jobs=4,
            supported_table_formats=("delta", "iceberg"),
            loads_into_files=True,
            notes={"merge": "the filesystem destination appends rows of merge tables, and upserts"
                            " (or inserts only new keys) in delta and iceberg tables"},
        )

    def client(self, context: ClientContext) -> Any:
        """A job client writing into the configured folder."""
        from dlt.destinations.impl.filesystem.client import FilesystemJobClient

        return FilesystemJobClient(context, self.capabilities(), self.configuration())
