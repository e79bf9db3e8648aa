"""Filesystem job client: load files placed by the `layout`, and dlt's bookkeeping as dlt 1.31
writes it, so a bucket written by either can be read (and its state restored) by the other.

Under `<bucket_url>/<dataset>/`:

* `init`: marks the dataset (storage version 2: compressed files end in `.gz`);
* data files at the `layout` (default `{table_name}/{load_id}.{file_id}.{ext}`), jsonl and csv
  gzip-compressed unless `data_writer.disable_compression` is set;
* `_dlt_loads/<schema_name>__<load_id>.jsonl`: one record per completed load, written last;
* `_dlt_pipeline_state/<pipeline_name>__<load_id>__<hash>.jsonl`: the pipeline state;
* `_dlt_version/<schema_name>__<load_id>__<hash>.jsonl`: each schema version stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import gzip
import logging
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import orjson
import pyarrow.parquet as pq

from dlt.destinations.base import (
    ClientContext,
    DestinationCapabilities,
    DestinationTerminalError,
    JobClient,
)
from dlt.destinations.impl.filesystem import layout as layouts
from dlt.destinations.sql_job_client import decode_state
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
    """A local folder from a path or `file://` URL."""
    text = str(bucket_url)
    if text.startswith("file://"):
        text = text[len("file://"):]
    elif "://" in text:
        raise DestinationTerminalError(
            f"The filesystem destination of dlt-core writes to local folders; '{text.split('://')[0]}://'"
            " URLs need a plugin for that storage. Use a local path or a file:// URL."
        )
    return Path(text).expanduser().resolve()


def compression_disabled() -> bool:
    """`normalize.data_writer.disable_compression` (or `data_writer.disable_compression`)."""
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([("normalize", "data_writer", "disable_compression"),
                                   ("data_writer", "disable_compression")])
    if found is None:
        return False
    value = found[0]
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")


def _hex_hash(version_hash: str | None) -> str:
    """A path-safe form of a base64 hash (its bytes as hex, as dlt 1.31 names files)."""
    import base64

    if not version_hash:
        return ""
    try:
        return base64.b64decode(version_hash).hex()
    except ValueError:
        return version_hash.replace("/", "_").replace("+", "-")


class FilesystemJobClient(JobClient):
    """Places job files by the layout and writes dlt's bookkeeping next to them."""

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 config: dict[str, Any]) -> None:
        super().__init__(context, capabilities)
        self.root = local_path(config["bucket_url"])
        self.dataset_path = self.root / self.dataset_name
        self.layout: str = config.get("layout") or layouts.DEFAULT_LAYOUT
        self.extra_placeholders = config.get("extra_placeholders") or None
        self.current_datetime = config.get("current_datetime")
        self.max_state_files = int(config.get("max_state_files") or DEFAULT_MAX_STATE_FILES)
        self.compress = not compression_disabled()
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
            self.dataset_path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DestinationTerminalError(
                f"The filesystem destination cannot create the dataset folder {self.dataset_path}:"
                f" {exc.strerror or exc}. Point bucket_url at a folder that can be created and"
                " written (destination.filesystem.bucket_url).") from exc
        init = self.dataset_path / INIT_FILE
        if not init.exists():
            _atomic_write(init, orjson.dumps({"initial_version": STORAGE_VERSION,
                                              "current_version": STORAGE_VERSION}))

    def is_storage_initialized(self) -> bool:
        """True when the dataset's `init` marker exists."""
        return (self.dataset_path / INIT_FILE).is_file()

    def drop_storage(self) -> None:
        """Delete the dataset folder."""
        shutil.rmtree(self.dataset_path, ignore_errors=True)

    def drop_tables(self, *tables: str) -> None:
        """Delete every file of the tables."""
        for table in tables:
            for file in self.table_files(table):
                file.unlink(missing_ok=True)

    # ---- where files are -------------------------------------------------------------------
    def table_prefix(self, table_name: str) -> str:
        """The path prefix of the table's files (a folder ends with the separator): dlt's own
        tables are folders, data tables follow the layout up to the table name."""
        if table_name.startswith("_dlt"):
            return os.path.join(str(self.dataset_path), table_name, "")
        relative = layouts.table_prefix(self.layout, self.schema.name, table_name)
        return os.path.join(str(self.dataset_path), *relative.split("/")[:-1], "") + relative.split("/")[-1]

    def table_files(self, table_name: str) -> list[Path]:
        """Every file of the table (not `init` markers, not files being written)."""
        prefix = self.table_prefix(table_name)
        folder = Path(os.path.dirname(prefix))
        if not folder.is_dir():
            return []
        found = []
        for dirpath, _dirs, names in os.walk(folder):
            for name in names:
                if name == INIT_FILE or name.endswith(".tmp"):
                    continue
                path = os.path.join(dirpath, name)
                if path.startswith(prefix):
                    found.append(Path(path))
        return sorted(found)

    def file_path(self, job: Any) -> Path:
        """Where the layout puts the job's file."""
        ext = job.file_format + (".gz" if self.compress and job.file_format in COMPRESSED_FORMATS else "")
        relative = layouts.make_file_path(
            self.layout, schema_name=self.schema.name, table_name=job.table_name, load_id=job.load_id,
            file_id=str(job.file_id), ext=ext, current_datetime=self.current_datetime,
            extra_placeholders=self.extra_placeholders)
        return self.dataset_path / relative

    # ---- loading ---------------------------------------------------------------------------
    def update_stored_schema(self) -> list[str]:
        """Store the schema version once per version hash."""
        folder = self.dataset_path / VERSION_TABLE
        folder.mkdir(parents=True, exist_ok=True)
        hashed = _hex_hash(self.schema.version_hash)
        if any(name.endswith(f"{FILENAME_SEPARATOR}{hashed}.jsonl") and name.startswith(self.schema.name + FILENAME_SEPARATOR)
               for name in os.listdir(folder)):
            return []
        target = folder / f"{self.schema.name}{FILENAME_SEPARATOR}{time.time():.6f}{FILENAME_SEPARATOR}{hashed}.jsonl"
        record = {"version_hash": self.schema.version_hash, "schema_name": self.schema.name,
                  "version": self.schema.version, "engine_version": self.schema.to_dict().get("engine_version"),
                  "inserted_at": datetime.now(timezone.utc).isoformat(), "schema": self.schema.to_json()}
        _atomic_write(target, orjson.dumps(record))
        return [str(target)]

    def is_load_recorded(self, load_id: str) -> bool:
        """True when a `_dlt_loads` record of `load_id` exists."""
        folder = self.dataset_path / LOADS_TABLE
        return folder.is_dir() and any(name.endswith(f"{FILENAME_SEPARATOR}{load_id}.jsonl")
                                       for name in os.listdir(folder))

    def begin_load(self, load_id: str, tables: Sequence[str] = ()) -> None:
        """Delete files of replaced tables, and of tables a `refresh=` run drops or empties,
        that earlier loads wrote (a retried package keeps the files it wrote itself)."""
        replaced = {self.schema.root_table(t)["name"] for t in tables
                    if self.schema.write_disposition(t) == "replace" and not t.startswith("_dlt")}
        plan = self.refresh_plan()
        for table in [*plan.get("dropped_tables", []), *plan.get("truncated_tables", [])]:
            self._delete_earlier_files(table, load_id)
        for root in replaced:
            for table in [root, *(t["name"] for t in self.schema.child_tables(root))]:
                self._delete_earlier_files(table, load_id)

    def _delete_earlier_files(self, table: str, load_id: str) -> None:
        """Delete the files of `table` that loads other than `load_id` wrote."""
        for file in self.table_files(table):
            if load_id not in str(file.relative_to(self.dataset_path)):
                file.unlink(missing_ok=True)

    def run_job(self, job: Any, path: Path) -> None:
        """Place the job file by the layout (idempotent: the same path on a retry); the state
        job becomes a state file."""
        if job.table_name == STATE_TABLE:
            self._store_state(job, path)
            return
        target = self.file_path(job)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(target.name + ".tmp")
        if target.name.endswith(".gz") and not path.name.endswith(".gz"):
            with open(path, "rb") as source, gzip.open(temp, "wb", compresslevel=5) as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
        else:
            shutil.copyfile(path, temp)
        os.replace(temp, target)

    def _store_state(self, job: Any, path: Path) -> None:
        """Write each state row as `_dlt_pipeline_state/<pipeline>__<load_id>__<hash>.jsonl`."""
        folder = self.dataset_path / STATE_TABLE
        folder.mkdir(parents=True, exist_ok=True)
        for row in _read_rows(path, job.file_format):
            row = {**row, "_dlt_load_id": job.load_id}
            name = (f"{row['pipeline_name']}{FILENAME_SEPARATOR}{job.load_id}{FILENAME_SEPARATOR}"
                    f"{_hex_hash(row.get('version_hash'))}.jsonl")
            _atomic_write(folder / name, orjson.dumps(row, default=str))
            self._cleanup_states(row["pipeline_name"])

    def _cleanup_states(self, pipeline_name: str) -> None:
        """Keep the newest `max_state_files` state files of the pipeline."""
        if self.max_state_files < 1:
            return
        files = sorted(self._state_files(pipeline_name), key=lambda item: float(item[1]), reverse=True)
        for file, _load_id in files[self.max_state_files:]:
            file.unlink(missing_ok=True)

    def _state_files(self, pipeline_name: str | None = None) -> Iterator[tuple[Path, str]]:
        folder = self.dataset_path / STATE_TABLE
        if not folder.is_dir():
            return
        for file in folder.iterdir():
            parts = file.name.rsplit(".", 1)[0].rsplit(FILENAME_SEPARATOR, 2)
            if len(parts) == 3 and file.suffix == ".jsonl" and pipeline_name in (None, parts[0]):
                yield file, parts[1]

    def complete_load(self, load_id: str, tables: list[str]) -> None:
        """Write the `_dlt_loads` record last: its presence marks the package loaded."""
        folder = self.dataset_path / LOADS_TABLE
        folder.mkdir(parents=True, exist_ok=True)
        record = {"load_id": load_id, "schema_name": self.schema.name, "status": 0,
                  "inserted_at": datetime.now(timezone.utc).isoformat(),
                  "schema_version_hash": self.schema.version_hash}
        _atomic_write(folder / f"{self.schema.name}{FILENAME_SEPARATOR}{load_id}.jsonl", orjson.dumps(record) + b"\n")

    # ---- reading back ----------------------------------------------------------------------
    def get_stored_state(self, pipeline_name: str) -> dict[str, Any] | None:
        """The state of `pipeline_name` in the newest state file of a completed load."""
        newest = None
        for file, load_id in self._state_files(pipeline_name):
            if self.is_load_recorded(load_id) and (newest is None or float(load_id) > float(newest[1])):
                newest = (file, load_id)
        if newest is None:
            return None
        rows = [orjson.loads(line) for line in newest[0].read_bytes().splitlines() if line.strip()]
        return decode_state(rows[-1]["state"]) if rows else None

    def sql_client(self) -> Any:
        """SQL over the dataset's files: DuckDB in memory with a view per table."""
        from dlt.destinations.impl.filesystem.sql_client import FilesystemSqlClient

        return FilesystemSqlClient(self)

    def get_stored_schema(self, schema_name: str) -> dict[str, Any] | None:
        """The newest stored schema document of `schema_name`."""
        newest = None
        for file in self.table_files(VERSION_TABLE):
            parts = file.name.rsplit(".", 1)[0].rsplit(FILENAME_SEPARATOR, 2)
            if len(parts) == 3 and parts[0] == schema_name and (newest is None or float(parts[1]) > float(newest[1])):
                newest = (file, parts[1])
        if newest is None:
            return None
        record = orjson.loads(newest[0].read_bytes())
        return orjson.loads(record["schema"])


def _read_rows(path: Path, file_format: str) -> list[dict[str, Any]]:
    if file_format == "parquet":
        return pq.read_table(path).to_pylist()
    if file_format == "csv":
        import pyarrow.csv as pa_csv

        return pa_csv.read_csv(path).to_pylist()
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def _atomic_write(path: Path, data: bytes) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
