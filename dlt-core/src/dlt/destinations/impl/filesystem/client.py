"""Filesystem job client: job files are copied into table folders, named by load id."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq

from dlt.destinations.base import (
    ClientContext,
    DestinationCapabilities,
    DestinationTerminalError,
    JobClient,
)
from dlt.destinations.sql_job_client import decode_state
from dlt.schema.typing import LOADS_TABLE, STATE_TABLE, VERSION_TABLE


def local_path(bucket_url: str) -> Path:
    """A local folder from a path or `file://` URL."""
    text = str(bucket_url)
    if text.startswith("file://"):
        text = text[len("file://"):]
    elif "://" in text:
        raise DestinationTerminalError(
            f"The filesystem destination of dlt-core writes to local folders; '{text.split('://')[0]}://'"
            " URLs need a plugin for that storage."
        )
    return Path(text).expanduser().resolve()


class FilesystemJobClient(JobClient):
    """Writes job files to `<bucket>/<dataset>/<table>/<load_id>.<file_id>.<format>`."""

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities, bucket_url: str) -> None:
        super().__init__(context, capabilities)
        self.root = local_path(bucket_url)
        self.dataset_path = self.root / self.dataset_name

    def initialize_storage(self) -> None:
        """Create the dataset folder."""
        self.dataset_path.mkdir(parents=True, exist_ok=True)

    def is_storage_initialized(self) -> bool:
        """True when the dataset folder exists."""
        return self.dataset_path.is_dir()

    def drop_storage(self) -> None:
        """Delete the dataset folder."""
        shutil.rmtree(self.dataset_path, ignore_errors=True)

    def drop_tables(self, *tables: str) -> None:
        """Delete table folders."""
        for table in tables:
            shutil.rmtree(self.dataset_path / table, ignore_errors=True)

    def update_stored_schema(self) -> list[str]:
        """Store the schema document once per version hash."""
        folder = self.dataset_path / VERSION_TABLE
        folder.mkdir(parents=True, exist_ok=True)
        safe_hash = self.schema.version_hash.replace("/", "_").replace("+", "-")
        target = folder / f"{self.schema.name}__{self.schema.version:06d}__{safe_hash}.json"
        if not target.exists():
            _atomic_write(target, self.schema.to_json().encode())
            return [str(target)]
        return []

    def is_load_recorded(self, load_id: str) -> bool:
        """True when the `_dlt_loads` record of `load_id` exists."""
        return (self.dataset_path / LOADS_TABLE / f"{load_id}.jsonl").exists()

    def begin_load(self, load_id: str, tables: list[str]) -> None:
        """Delete files of replaced tables, and of tables a `refresh=` run drops or empties,
        that earlier loads wrote (a retried package keeps the files it wrote itself)."""
        replaced = {self.schema.root_table(t)["name"] for t in tables
                    if self.schema.write_disposition(t) == "replace" and not t.startswith("_dlt")}
        plan = self.refresh_plan()
        refreshed = [*plan.get("dropped_tables", []), *plan.get("truncated_tables", [])]
        for table in refreshed:
            self._delete_earlier_files(table, load_id)
        for root in replaced:
            for table in [root, *(t["name"] for t in self.schema.child_tables(root))]:
                self._delete_earlier_files(table, load_id)

    def _delete_earlier_files(self, table: str, load_id: str) -> None:
        """Delete the files of `table` that loads other than `load_id` wrote."""
        folder = self.dataset_path / table
        if folder.is_dir():
            for file in folder.iterdir():
                if not file.name.startswith(load_id + "."):
                    file.unlink()

    def run_job(self, job: Any, path: Path) -> None:
        """Copy the job file into its table folder (idempotent: same name on a retry)."""
        folder = self.dataset_path / job.table_name
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{job.load_id}.{job.file_id}.{job.file_format}"
        temp = target.with_name(target.name + ".tmp")
        shutil.copyfile(path, temp)
        os.replace(temp, target)

    def complete_load(self, load_id: str, tables: list[str]) -> None:
        """Write the `_dlt_loads` record last: its presence marks the package loaded."""
        folder = self.dataset_path / LOADS_TABLE
        folder.mkdir(parents=True, exist_ok=True)
        record = {"load_id": load_id, "schema_name": self.schema.name, "status": 0,
                  "inserted_at": datetime.now(timezone.utc).isoformat(),
                  "schema_version_hash": self.schema.version_hash}
        _atomic_write(folder / f"{load_id}.jsonl", orjson.dumps(record) + b"\n")

    def _state_rows(self) -> list[dict[str, Any]]:
        folder = self.dataset_path / STATE_TABLE
        rows: list[dict[str, Any]] = []
        if not folder.is_dir():
            return rows
        for file in folder.iterdir():
            load_id = file.name.split(".")[0] + "." + file.name.split(".")[1]
            if not self.is_load_recorded(load_id):
                continue
            if file.suffix == ".jsonl":
                rows += [orjson.loads(line) for line in file.read_bytes().splitlines() if line.strip()]
            elif file.suffix == ".parquet":
                rows += pq.read_table(file).to_pylist()
        return rows

    def get_stored_state(self, pipeline_name: str) -> dict[str, Any] | None:
        """The newest state row of `pipeline_name` from completed loads."""
        rows = [r for r in self._state_rows() if r.get("pipeline_name") == pipeline_name]
        if not rows:
            return None
        newest = max(rows, key=lambda r: (r.get("version", 0), str(r.get("created_at"))))
        return decode_state(newest["state"])

    def sql_client(self) -> Any:
        """SQL over the dataset's files: DuckDB in memory with a view per table."""
        from dlt.destinations.impl.filesystem.sql_client import FilesystemSqlClient

        return FilesystemSqlClient(self)

    def get_stored_schema(self, schema_name: str) -> dict[str, Any] | None:
        """The newest stored schema document of `schema_name`."""
        folder = self.dataset_path / VERSION_TABLE
        if not folder.is_dir():
            return None
        files = sorted(folder.glob(f"{schema_name}__*.json"))
        return orjson.loads(files[-1].read_bytes()) if files else None


def _atomic_write(path: Path, data: bytes) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
