"""Filesystem job client: load files placed by the `layout`, and dlt's bookkeeping as dlt 1.31
writes it, so a bucket written by either can be read (and its state restored) by the other.

Under `<bucket_url>/<dataset>/` (a local folder, or any fsspec URL; see `bucket.py`):

* `init`: marks the dataset (storage version 2: compressed files end in `.gz`);
* data files at the `layout` (default `{table_name}/{load_id}.{file_id}.{ext}`), jsonl and csv
  gzip-compressed unless `data_writer.disable_compression` is set;
* tables with `table_format="delta"` or `"iceberg"`: one table-format table in
  `<table_name>/` each, written when the package completes (see `table_formats.py`);
* `_dlt_loads/<schema_name>__<load_id>.jsonl`: one record per completed load, written last;
* `_dlt_pipeline_state/<pipeline_name>__<load_id>__<hash>.jsonl`: the pipeline state;
* `_dlt_version/<schema_name>__<load_id>__<hash>.jsonl`: each schema version stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import gzip
import logging
import os
import posixpath
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from dlt.destinations.base import (
    ClientContext,
    DestinationCapabilities,
    DestinationTerminalError,
    JobClient,
)
from dlt.destinations.impl.filesystem import layout as layouts
from dlt.destinations.impl.filesystem import table_formats
from dlt.destinations.impl.filesystem.bucket import Bucket, fsspec_options, split_protocol
from dlt.destinations.job_files import compression_disabled
from dlt.destinations.sql_job_client import decode_state
from dlt.destinations.strategies import merge_strategy
from dlt.schema.typing import LOADS_TABLE, STATE_TABLE, VERSION_TABLE

INIT_FILE = "init"
STORAGE_VERSION = 2
FILENAME_SEPARATOR = "__"
COMPRESSED_FORMATS = ("jsonl", "csv", "typed-jsonl")
"""Load file formats gzip-compressed in the bucket (parquet compresses itself)."""
DEFAULT_MAX_STATE_FILES = 100
logger = logging.getLogger("dlt")
_WARNED_LAYOUTS: set[str] = set()


def local_path(bucket_url: str) -> Path:
    """A local folder from a path or `file://` URL (other URLs are not local: an error)."""
    if split_protocol(bucket_url)[0] not in ("file", "local"):
        raise DestinationTerminalError(f"'{bucket_url}' is not a local path or file:// URL.")
    return Path(Bucket(bucket_url).root)


OBJECT_STORE_OPTIONS = {"region_name": "aws_region", "endpoint_url": "aws_endpoint_url"}
OBJECT_STORE_NAMES = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token",
                      "azure_storage_account_name", "azure_storage_account_key", "azure_storage_sas_token",
                      "azure_client_id", "azure_client_secret", "azure_tenant_id")


def deltalake_options(credentials: Any, storage_options: dict[str, Any] | None) -> dict[str, str]:
    """deltalake's `storage_options`: the credential fields delta-rs knows by dlt 1.31's names
    (`region_name` and `endpoint_url` renamed), then `deltalake_storage_options`."""
    options: dict[str, str] = {}
    if isinstance(credentials, dict):
        for name, value in credentials.items():
            if value is not None and (name in OBJECT_STORE_NAMES or name in OBJECT_STORE_OPTIONS):
                options[OBJECT_STORE_OPTIONS.get(name, name)] = str(value)
    options.update({k: str(v) for k, v in (storage_options or {}).items()})
    return options


def _hex_hash(version_hash: str | None) -> str:
    """A path-safe form of a base64 hash (its bytes as hex, as dlt 1.31 names files)."""
    import base64

    if not version_hash:
        return ""
    try:
        return base64.b64decode(version_hash).hex()
    except ValueError:
        return version_hash.replace("/", "_").replace("+", "-")


def _basename(path: str) -> str:
    return posixpath.basename(path.replace(os.sep, "/"))


class FilesystemJobClient(JobClient):
    """Places job files by the layout and writes dlt's bookkeeping next to them."""

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 config: dict[str, Any]) -> None:
        super().__init__(context, capabilities)
        self.bucket = Bucket(config["bucket_url"], fsspec_options(
            config.get("credentials"), config.get("kwargs"), config.get("client_kwargs")))
        self.dataset_path = self.bucket.join(self.bucket.root, self.dataset_name)
        self.layout: str = config.get("layout") or layouts.DEFAULT_LAYOUT
        self.extra_placeholders = config.get("extra_placeholders") or None
        self.current_datetime = config.get("current_datetime")
        self.max_state_files = int(config.get("max_state_files") or DEFAULT_MAX_STATE_FILES)
        self.deltalake_storage_options = deltalake_options(config.get("credentials"),
                                                           config.get("deltalake_storage_options"))
        self.compress = not compression_disabled()
        self._open_table_jobs: dict[str, list[tuple[Any, Path]]] = {}
        self._jobs_lock = threading.Lock()
        self._delta: table_formats.DeltaTables | None = None
        self._iceberg: table_formats.IcebergTables | None = None
        # a layout that cannot work fails before anything is written
        layouts.check_layout(self.layout, {**(self.extra_placeholders or {}),
                                           **dict.fromkeys(layouts.STANDARD_PLACEHOLDERS)})
        separator = layouts.table_prefix_layout(self.layout)[-1:]
        if separator not in ("/", ".", "}") and self.layout not in _WARNED_LAYOUTS:
            _WARNED_LAYOUTS.add(self.layout)  # a client is made many times per run: warn once
            logger.warning(
                "Layout '%s' separates {table_name} with %r, which table names may contain (the nested"
                " table of 'event' is 'event__child'): the files of one table then include another's,"
                " and replace deletes them too. Use '/' or '.' after {table_name}.", self.layout, separator)

    # ---- storage --------------------------------------------------------------------------
    def initialize_storage(self) -> None:
        """Create the dataset folder with its `init` marker."""
        try:
            self.bucket.makedirs(self.dataset_path)
        except OSError as exc:
            raise DestinationTerminalError(
                f"The filesystem destination cannot create the dataset folder {self.dataset_path}:"
                f" {exc.strerror or exc}. Point bucket_url at a folder that can be created and"
                " written (destination.filesystem.bucket_url).") from exc
        init = self.bucket.join(self.dataset_path, INIT_FILE)
        if not self.bucket.exists(init):
            self.bucket.write_bytes(init, orjson.dumps({"initial_version": STORAGE_VERSION,
                                                        "current_version": STORAGE_VERSION}))

    def is_storage_initialized(self) -> bool:
        """True when the dataset's `init` marker exists."""
        return self.bucket.isfile(self.bucket.join(self.dataset_path, INIT_FILE))

    def drop_storage(self) -> None:
        """Delete the dataset folder."""
        self.bucket.rmtree(self.dataset_path)

    def drop_tables(self, *tables: str) -> None:
        """Delete every file of the tables (a table-format table's whole folder)."""
        for table in tables:
            if table in self.schema.tables and self.table_format(table):
                self.bucket.rmtree(self.table_location(table))
                continue
            for file in self.table_files(table):
                self.bucket.delete(file)

    # ---- where files are -------------------------------------------------------------------
    def table_format(self, table_name: str) -> str | None:
        """`delta` or `iceberg` when the table (or its root) has that `table_format`, else None."""
        if table_name.startswith("_dlt") or table_name not in self.schema.tables:
            return None
        found = self.schema.root_table(table_name).get("table_format")
        return found if found in table_formats.TABLE_FORMATS else None

    def table_location(self, table_name: str) -> str:
        """The folder of a table-format table: `<dataset>/<table_name>` (a path in the bucket)."""
        return self.bucket.join(self.dataset_path, table_name)

    def delta_location(self, table_name: str) -> str:
        """Where deltalake opens the table: the local folder, or its URL in a remote bucket."""
        location = self.table_location(table_name)
        return location if self.bucket.is_local else self.bucket.url(location)

    def table_prefix(self, table_name: str) -> str:
        """The path prefix of the table's files (a folder ends with the separator): dlt's own
        tables are folders, data tables follow the layout up to the table name."""
        if table_name.startswith("_dlt"):
            return self.bucket.join(self.dataset_path, table_name, "")
        relative = layouts.table_prefix(self.layout, self.schema.name, table_name)
        parts = relative.split("/")
        return self.bucket.join(self.dataset_path, *parts[:-1], "") + parts[-1]

    def table_files(self, table_name: str) -> list[str]:
        """Every file of the table (not `init` markers, not files being written)."""
        prefix = self.table_prefix(table_name)
        folder = os.path.dirname(prefix) if self.bucket.is_local else posixpath.dirname(prefix)
        return [path for path in self.bucket.find(folder)
                if path.startswith(prefix) and _basename(path) != INIT_FILE and not path.endswith(".tmp")]

    def file_path(self, job: Any) -> str:
        """Where the layout puts the job's file."""
        ext = job.file_format + (".gz" if self.compress and job.file_format in COMPRESSED_FORMATS else "")
        relative = layouts.make_file_path(
            self.layout, schema_name=self.schema.name, table_name=job.table_name, load_id=job.load_id,
            file_id=str(job.file_id), ext=ext, current_datetime=self.current_datetime,
            extra_placeholders=self.extra_placeholders)
        return self.bucket.join(self.dataset_path, *relative.split("/"))

    # ---- loading ---------------------------------------------------------------------------
    def update_stored_schema(self) -> list[str]:
        """Check the table formats can be written, then store the schema version once per hash."""
        self._check_table_formats()
        folder = self.bucket.join(self.dataset_path, VERSION_TABLE)
        self.bucket.makedirs(folder)
        hashed = _hex_hash(self.schema.version_hash)
        if any(name.endswith(f"{FILENAME_SEPARATOR}{hashed}.jsonl") and name.startswith(self.schema.name + FILENAME_SEPARATOR)
               for name in self.bucket.listdir(folder)):
            return []
        target = self.bucket.join(
            folder, f"{self.schema.name}{FILENAME_SEPARATOR}{time.time():.6f}{FILENAME_SEPARATOR}{hashed}.jsonl")
        record = {"version_hash": self.schema.version_hash, "schema_name": self.schema.name,
                  "version": self.schema.version, "engine_version": self.schema.to_dict().get("engine_version"),
                  "inserted_at": datetime.now(timezone.utc).isoformat(), "schema": self.schema.to_json()}
        self.bucket.write_bytes(target, orjson.dumps(record))
        return [target]

    def _check_table_formats(self) -> None:
        """Refuse what a table format cannot do (a missing package, an unsupported merge
        strategy) before any data moves."""
        for name, table in self.schema.tables.items():
            found = table.get("table_format")
            if table.get("parent") or name.startswith("_dlt") or not found:
                continue
            if found not in table_formats.TABLE_FORMATS:
                raise DestinationTerminalError(
                    f"Table '{name}' asks for table_format '{found}': the filesystem destination writes"
                    f" {', '.join(table_formats.TABLE_FORMATS)} tables (or plain files without a table format).")
            table_formats.require(found, name)
            self._require_table_format_bucket(found)
            if table.get("write_disposition") == "merge":
                strategy = merge_strategy(table)
                allowed = table_formats.TABLE_FORMAT_MERGE_STRATEGIES[found]
                if strategy not in allowed:
                    raise DestinationTerminalError(
                        f"The '{strategy}' merge strategy of table '{name}' is not supported on"
                        f" {found} tables: use one of {', '.join(allowed)} (as in dlt 1.31).")

    def is_load_recorded(self, load_id: str) -> bool:
        """True when a `_dlt_loads` record of `load_id` exists."""
        folder = self.bucket.join(self.dataset_path, LOADS_TABLE)
        return any(name.endswith(f"{FILENAME_SEPARATOR}{load_id}.jsonl") for name in self.bucket.listdir(folder))

    def begin_load(self, load_id: str, tables: Sequence[str] = ()) -> None:
        """Delete files of replaced tables, and of tables a `refresh=` run drops or empties,
        that earlier loads wrote (a retried package keeps the files it wrote itself)."""
        self._open_table_jobs = {}
        self._replaced = {self.schema.root_table(t)["name"] for t in tables
                          if self.schema.write_disposition(t) == "replace" and not t.startswith("_dlt")}
        plan = self.refresh_plan()
        for table in plan.get("dropped_tables", []):
            if table in self.schema.tables and self.table_format(table):
                self.bucket.rmtree(self.table_location(table))
            else:
                self._delete_earlier_files(table, load_id)
        for table in plan.get("truncated_tables", []):
            if table in self.schema.tables and self.table_format(table):
                self._truncate_open_table(table)
            else:
                self._delete_earlier_files(table, load_id)
        for root in self._replaced:
            if self.table_format(root):
                continue  # overwritten (or emptied) when the package completes
            for table in [root, *(t["name"] for t in self.schema.child_tables(root))]:
                self._delete_earlier_files(table, load_id)

    def _delete_earlier_files(self, table: str, load_id: str) -> None:
        """Delete the files of `table` that loads other than `load_id` wrote."""
        for file in self.table_files(table):
            if load_id not in file[len(self.dataset_path):]:
                self.bucket.delete(file)

    def run_job(self, job: Any, path: Path) -> None:
        """Place the job file by the layout (idempotent: the same path on a retry); the state
        job becomes a state file; jobs of table-format tables wait for `complete_load`."""
        if job.table_name == STATE_TABLE:
            self._store_state(job, path)
            return
        if self.table_format(job.table_name):
            with self._jobs_lock:
                self._open_table_jobs.setdefault(job.table_name, []).append((job, path))
            return
        target = self.file_path(job)
        compress = target.endswith(".gz") and not path.name.endswith(".gz")
        self.bucket.put_file(str(path), target, compress=compress)

    _STATE_FIELDS = ("version", "engine_version", "pipeline_name", "state", "created_at",
                     "version_hash")

    def _store_state(self, job: Any, path: Path) -> None:
        """Write each state row as `_dlt_pipeline_state/<pipeline>__<load_id>__<hash>.jsonl`."""
        folder = self.bucket.join(self.dataset_path, STATE_TABLE)
        for row in _read_rows(path, job.file_format):
            # only the fields of dlt 1.31's state record: it refuses a file with others
            row = {**{key: row[key] for key in self._STATE_FIELDS if key in row},
                   "_dlt_load_id": job.load_id}
            name = (f"{row['pipeline_name']}{FILENAME_SEPARATOR}{job.load_id}{FILENAME_SEPARATOR}"
                    f"{_hex_hash(row.get('version_hash'))}.jsonl")
            self.bucket.write_bytes(self.bucket.join(folder, name), orjson.dumps(row, default=str))
            self._cleanup_states(row["pipeline_name"])

    def _cleanup_states(self, pipeline_name: str) -> None:
        """Keep the newest `max_state_files` state files of the pipeline."""
        if self.max_state_files < 1:
            return
        files = sorted(self._state_files(pipeline_name), key=lambda item: float(item[1]), reverse=True)
        for file, _load_id in files[self.max_state_files:]:
            self.bucket.delete(file)

    def _state_files(self, pipeline_name: str | None = None) -> Iterator[tuple[str, str]]:
        folder = self.bucket.join(self.dataset_path, STATE_TABLE)
        for name in self.bucket.listdir(folder):
            parts = name.rsplit(".", 1)[0].rsplit(FILENAME_SEPARATOR, 2)
            if len(parts) == 3 and name.endswith(".jsonl") and pipeline_name in (None, parts[0]):
                yield self.bucket.join(folder, name), parts[1]

    def complete_load(self, load_id: str, tables: list[str]) -> None:
        """Write the table-format tables, then the `_dlt_loads` record last: its presence marks
        the package loaded."""
        self._write_open_tables(load_id)
        folder = self.bucket.join(self.dataset_path, LOADS_TABLE)
        record = {"load_id": load_id, "schema_name": self.schema.name, "status": 0,
                  "inserted_at": datetime.now(timezone.utc).isoformat(),
                  "schema_version_hash": self.schema.version_hash}
        self.bucket.write_bytes(self.bucket.join(folder, f"{self.schema.name}{FILENAME_SEPARATOR}{load_id}.jsonl"),
                                orjson.dumps(record) + b"\n")

    # ---- table formats ---------------------------------------------------------------------
    def delta_tables(self) -> table_formats.DeltaTables:
        """The Delta writer and reader of this dataset (needs `deltalake`)."""
        if self._delta is None:
            self._require_table_format_bucket("delta")
            self._delta = table_formats.DeltaTables(self.deltalake_storage_options)
        return self._delta

    def iceberg_tables(self) -> table_formats.IcebergTables:
        """The Iceberg writer and reader of this dataset (needs `pyiceberg`)."""
        if self._iceberg is None:
            self._require_table_format_bucket("iceberg")
            self._iceberg = table_formats.IcebergTables(self.dataset_name, self.bucket)
        return self._iceberg

    def _require_table_format_bucket(self, table_format: str) -> None:
        if self.bucket.protocol == "memory":
            raise DestinationTerminalError(
                f"table_format '{table_format}' cannot be written to a memory:// bucket: the"
                f" {table_format} library keeps its own storage and does not see fsspec's memory"
                " filesystem. Use a local folder (or a cloud bucket URL) for table formats.")

    def _write_open_tables(self, load_id: str) -> None:
        """Write the gathered jobs of each table-format table in one commit per table (skipped
        for a table the package `load_id` wrote already: a retry); empty replaced tables that
        got no rows."""
        jobs = self._open_table_jobs
        replaced_tables = [name for root in getattr(self, "_replaced", set()) if self.table_format(root)
                           for name in [root, *(t["name"] for t in self.schema.child_tables(root))]]
        order = [name for name in self.schema.tables if name in jobs]
        for table_name in order:
            root = self.schema.root_table(table_name)
            data = pa.concat_tables([self._job_arrow(job, path) for job, path in jobs[table_name]],
                                    promote_options="permissive")
            disposition = root.get("write_disposition") or "append"
            strategy = merge_strategy(root)
            table_schema = {**self.schema.tables[table_name], "table_format": root.get("table_format")}
            partition_by = [n for n, c in table_schema.get("columns", {}).items() if c.get("partition")]
            if self.table_format(table_name) == "delta":
                self.delta_tables().write(self.delta_location(table_name), data, disposition, strategy,
                                          table_schema, partition_by, load_id)
            else:
                self.iceberg_tables().write(table_name, self.table_location(table_name), data,
                                            disposition, strategy, table_schema, load_id)
        for table_name in replaced_tables:
            if table_name not in jobs:
                self._truncate_open_table(table_name)
        self._open_table_jobs = {}

    def _truncate_open_table(self, table_name: str) -> None:
        """Empty a table-format table (no-op when it does not exist yet)."""
        location = self.table_location(table_name)
        if not self.bucket.exists(location):
            return
        if self.table_format(table_name) == "delta":
            self.delta_tables().truncate(self.delta_location(table_name))
        else:
            self.iceberg_tables().truncate(table_name, location)

    def _job_arrow(self, job: Any, path: Path) -> pa.Table:
        """A job file as an Arrow table with the schema's column types."""
        if job.file_format == "parquet":
            return pq.read_table(path)
        if job.file_format == "arrow":
            import pyarrow.ipc as ipc

            with pa.memory_map(str(path)) as source:
                return ipc.open_file(source).read_all()
        import duckdb

        from dlt.destinations.impl.filesystem.sql_client import typed_columns_spec

        spec = typed_columns_spec(self.schema.tables[job.table_name]["columns"], escape=_sql_string)
        reader = ("read_csv('{path}', header = true, types = {{{spec}}})" if job.file_format == "csv"
                  else "read_json('{path}', format = 'newline_delimited', columns = {{{spec}}})")
        with duckdb.connect() as connection:
            return connection.sql("SELECT * FROM " + reader.format(path=str(path).replace("'", "''"), spec=spec)
                                  ).to_arrow_table()

    # ---- reading back ----------------------------------------------------------------------
    def get_stored_state(self, pipeline_name: str) -> dict[str, Any] | None:
        """The state of `pipeline_name` in the newest state file of a completed load."""
        newest = None
        for file, load_id in self._state_files(pipeline_name):
            if self.is_load_recorded(load_id) and (newest is None or float(load_id) > float(newest[1])):
                newest = (file, load_id)
        if newest is None:
            return None
        rows = [orjson.loads(line) for line in self.bucket.read_bytes(newest[0]).splitlines() if line.strip()]
        return decode_state(rows[-1]["state"]) if rows else None

    def sql_client(self) -> Any:
        """SQL over the dataset's files: DuckDB in memory with a view per table."""
        from dlt.destinations.impl.filesystem.sql_client import FilesystemSqlClient

        return FilesystemSqlClient(self)

    def get_stored_schema(self, schema_name: str) -> dict[str, Any] | None:
        """The newest stored schema document of `schema_name`."""
        newest = None
        for file in self.table_files(VERSION_TABLE):
            parts = _basename(file).rsplit(".", 1)[0].rsplit(FILENAME_SEPARATOR, 2)
            if len(parts) == 3 and parts[0] == schema_name and (newest is None or float(parts[1]) > float(newest[1])):
                newest = (file, parts[1])
        if newest is None:
            return None
        record = orjson.loads(self.bucket.read_bytes(newest[0]))
        return orjson.loads(record["schema"])


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _read_rows(path: Path, file_format: str) -> list[dict[str, Any]]:
    if file_format == "parquet":
        return pq.read_table(path).to_pylist()
    if file_format == "csv":
        import pyarrow.csv as pa_csv

        return pa_csv.read_csv(path).to_pylist()
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]
