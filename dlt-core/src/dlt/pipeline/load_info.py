"""`LoadInfo`: what a load step did, printable for people and inspectable in code."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dlt.utils.exceptions import DltException
from dlt.load.loader import PackageLoadInfo


class FailedJobsError(DltException):
    """At least one load job failed for good."""


@dataclass
class LoadInfo:
    """The result of `pipeline.run()` / `pipeline.load()`."""

    pipeline_name: str
    destination_name: str | None
    destination_location: str | None
    dataset_name: str | None
    started_at: datetime
    finished_at: datetime
    load_packages: list[PackageLoadInfo] = field(default_factory=list)
    first_run: bool = False

    @property
    def loads_ids(self) -> list[str]:
        """Ids of the packages this step loaded."""
        return [package.load_id for package in self.load_packages]

    @property
    def row_counts(self) -> dict[str, int]:
        """Rows loaded per table, over all packages (system tables excluded)."""
        counts: dict[str, int] = {}
        for package in self.load_packages:
            if package.already_loaded:
                continue
            for table, rows in package.row_counts.items():
                if not table.startswith("_dlt"):
                    counts[table] = counts.get(table, 0) + rows
        return counts

    @property
    def has_failed_jobs(self) -> bool:
        """True when any job failed for good."""
        return any(package.failed_jobs for package in self.load_packages)

    @property
    def failed_jobs(self) -> list[Any]:
        """Every job that failed, with its error."""
        return [job for package in self.load_packages for job in package.failed_jobs]

    @property
    def elapsed(self) -> float:
        """Seconds the step took."""
        return (self.finished_at - self.started_at).total_seconds()

    def raise_on_failed_jobs(self) -> None:
        """Raise `FailedJobsError` naming each failed job and its error."""
        if self.has_failed_jobs:
            details = "; ".join(f"{job.job_file} (table {job.table_name}): {job.error}" for job in self.failed_jobs)
            raise FailedJobsError(f"{len(self.failed_jobs)} load job(s) failed: {details}")

    def asdict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "pipeline_name": self.pipeline_name,
            "destination_name": self.destination_name,
            "dataset_name": self.dataset_name,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "loads_ids": self.loads_ids,
            "row_counts": self.row_counts,
            "failed_jobs": [{"job": j.job_file, "table": j.table_name, "error": j.error} for j in self.failed_jobs],
        }

    def __str__(self) -> str:
        lines = [
            f"Pipeline {self.pipeline_name} load step completed in {self.elapsed:.2f} seconds",
            f"{len(self.load_packages)} load package(s) were loaded to destination"
            f" {self.destination_name} and into dataset {self.dataset_name}",
        ]
        if self.destination_location:
            lines.append(f"The {self.destination_name} destination used {self.destination_location} location to store data")
        for package in self.load_packages:
            failed = package.failed_jobs
            status = "contains no failed jobs" if not failed else f"has {len(failed)} FAILED job(s)"
            note = " (already loaded earlier; skipped)" if package.already_loaded else ""
            lines.append(f"Load package {package.load_id} is LOADED and {status}{note}")
            for job in failed:
                lines.append(f"  FAILED job {job.job_file} (table {job.table_name}): {job.error}")
        counts = self.row_counts
        if counts:
            lines.append("Rows loaded: " + ", ".join(f"{t}: {n}" for t, n in sorted(counts.items())))
        else:
            lines.append("Rows loaded: none")
        return "\n".join(lines)
