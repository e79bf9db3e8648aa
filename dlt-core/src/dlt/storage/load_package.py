"""What a load package and its jobs look like from the outside: `LoadPackageInfo` and
`LoadJobInfo`, in the shapes of dlt 1.31 (`dlt.common.storages.load_package`).

They are read from the package folder on disk (see `dlt.storage.packages`), so a package
looks the same whether it was just loaded, is pending, or was aborted in an earlier process.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dlt.storage.packages import JOB_STATES, JobFileName

PACKAGE_STATE_NAMES = ("extracted", "normalized", "loaded", "aborted")
"""The states a package reports: `aborted` is a `loaded` folder with an abort marker."""


@dataclass
class LoadJobInfo:
    """One job file of a load package: which table, which file, what happened to it.

    `job_file`, `table_name` and `error` are this project's names; `file_path`,
    `job_file_info`, `failed_message` and `asdict()` follow dlt 1.31.
    """

    load_id: str
    job_file: str
    table_name: str
    file_id: str
    file_format: str
    state: str = "new_jobs"
    error: str | None = None
    file_size: int = 0
    elapsed: float = 0.0
    file_path: str = ""
    created_at: datetime | None = None
    started_at: datetime | None = None
    """When the loader started the job (UTC); None for a job not loaded in this run."""
    finished_at: datetime | None = None
    """When the job completed (UTC); jobs loaded in one statement share their batch's times."""

    @classmethod
    def from_path(cls, load_id: str, path: Path, state: str = "new_jobs", error: str | None = None) -> LoadJobInfo:
        """Describe the job file at `path` in job state `state`."""
        name = JobFileName.parse(path.name)
        try:
            stat = path.stat()
            size, created = stat.st_size, datetime.fromtimestamp(stat.st_mtime, timezone.utc)
        except OSError:
            size, created = 0, None
        return cls(load_id, path.name, name.table_name, name.file_id, name.file_format, state,
                   error=error, file_size=size, file_path=str(path.absolute()), created_at=created)

    @property
    def job_file_info(self) -> JobFileName:
        """The parts of the job file name: `table_name`, `file_id`, `retry_count`, `file_format`."""
        try:
            return JobFileName.parse(self.job_file)
        except ValueError:  # an extracted item file (`<table>.<index>.<format>`) has no retry count
            return JobFileName(self.table_name, self.file_id, 0, self.file_format)

    @property
    def failed_message(self) -> str | None:
        """The error of a failed job, or of the last attempt of a job waiting for a retry."""
        return self.error

    def asdict(self) -> dict[str, Any]:
        """A JSON-ready dict in dlt 1.31's shape (the file name parts flattened in)."""
        info = self.job_file_info
        return {
            "state": self.state, "file_path": self.file_path, "file_size": self.file_size,
            "created_at": self.created_at, "elapsed": self.elapsed, "failed_message": self.error,
            "table_name": info.table_name, "file_id": info.file_id, "retry_count": info.retry,
            "file_format": info.file_format, "job_id": info.job_id(),
            "is_compressed": False,  # job files are not gzipped here (1.31 gzips jsonl ones)
        }

    def asstr(self, verbosity: int = 0) -> str:
        """One line describing the job (its error too when `verbosity` > 0)."""
        text = (f"Job: {self.job_file_info.job_id()}, table: {self.table_name} in {self.state}."
                f" File type: {self.file_format}, size: {self.file_size}B.")
        if self.elapsed:
            text += f" Completed in {self.elapsed:.2f} seconds."
        if self.error and verbosity > 0:
            text += f"\nError: {self.error}"
        return text

    def __str__(self) -> str:
        return self.asstr(verbosity=0)


@dataclass
class LoadPackageInfo:
    """A load package: its state, schema, what it changed in the schema and its jobs by state."""

    load_id: str
    package_path: str
    state: str
    schema: Any
    schema_update: dict[str, Any] = field(default_factory=dict)
    completed_at: datetime | None = None
    jobs: dict[str, list[LoadJobInfo]] = field(default_factory=lambda: {s: [] for s in JOB_STATES})
    row_counts: dict[str, int] = field(default_factory=dict)
    already_loaded: bool = False
    elapsed: float = 0.0
    refresh: str | None = None
    """The `refresh=` mode of the run that extracted the package (None without one)."""
    dropped_tables: list[str] = field(default_factory=list)
    """Tables the package's load drops (and creates anew) for its `refresh=` mode."""
    truncated_tables: list[str] = field(default_factory=list)
    """Tables the package's load empties for `refresh="drop_data"`."""
    has_pending_transitions: bool = False
    """dlt 1.31: jobs committed in the destination but not yet moved to completed (after a crash
    mid-load). A package loads here in one transaction, so this is always False."""

    @property
    def schema_name(self) -> str | None:
        """The name of the package's schema."""
        return getattr(self.schema, "name", None)

    @property
    def failed_jobs(self) -> list[LoadJobInfo]:
        """Jobs that failed for good."""
        return list(self.jobs.get("failed_jobs", []))

    @property
    def retried_jobs(self) -> list[LoadJobInfo]:
        """Jobs waiting in `new_jobs` for a retry after a terminal error."""
        return [job for job in self.jobs.get("new_jobs", []) if job.error is not None]

    @property
    def all_jobs(self) -> list[LoadJobInfo]:
        """Every job of the package, in job state order."""
        return [job for state in JOB_STATES for job in self.jobs.get(state, [])]

    def asdict(self) -> dict[str, Any]:
        """A JSON-ready dict in dlt 1.31's shape: jobs as one list, `tables` as the schema
        update with each table's `columns` as a list."""
        tables = copy.deepcopy(list(self.schema_update.values()))
        for table in tables:
            table.pop("filters", None)
            table["schema_name"] = self.schema_name
            table["load_id"] = self.load_id
            columns = []
            for column in table.get("columns", {}).values():
                column["table_name"] = table["name"]
                column["schema_name"] = self.schema_name
                column["load_id"] = self.load_id
                columns.append(column)
            table["columns"] = columns
        return {
            "load_id": self.load_id, "package_path": self.package_path, "state": self.state,
            "completed_at": self.completed_at, "jobs": [job.asdict() for job in self.all_jobs],
            "schema_name": self.schema_name,
            "schema_hash": getattr(self.schema, "version_hash", None),
            "schema_migrated": bool(self.schema_update), "tables": tables,
            "refresh": self.refresh, "dropped_tables": list(self.dropped_tables),
            "truncated_tables": list(self.truncated_tables),
            "has_pending_transitions": self.has_pending_transitions,
        }

    def asstr(self, verbosity: int = 0) -> str:
        """The package's state, schema update and jobs as text."""
        completed = (f"The package was {self.state.upper()} at {self.completed_at}" if self.completed_at
                     else "The package is NOT YET LOADED to the destination")
        lines = [f"The package with load id {self.load_id} for schema {self.schema_name} is in"
                 f" {self.state.upper()} state. It updated schema for {len(self.schema_update)} tables."
                 f" {completed}.", "Jobs details:"]
        lines += [job.asstr(verbosity) for job in self.all_jobs]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.asstr(verbosity=0)


def schema_update_between(before: dict[str, Any] | None, after: Any) -> dict[str, Any]:
    """The tables and columns of schema `after` that schema document `before` lacks.

    Each entry is a table schema holding only its new columns (all of them for a new table),
    which is what dlt calls a package's `schema_update`.
    """
    known = (before or {}).get("tables", {})
    update: dict[str, Any] = {}
    for name, table in after.tables.items():
        columns = table.get("columns", {})
        if not columns:
            continue
        old_columns = known.get(name, {}).get("columns", {}) if name in known else None
        new_columns = {c: copy.deepcopy(v) for c, v in columns.items()
                       if old_columns is None or c not in old_columns}
        if not new_columns:
            continue
        entry = {k: copy.deepcopy(v) for k, v in table.items() if k != "columns"}
        entry["name"] = name
        entry["columns"] = new_columns
        update[name] = entry
    return update
