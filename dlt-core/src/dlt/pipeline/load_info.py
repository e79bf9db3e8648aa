"""What each step did: `ExtractInfo`, `NormalizeInfo` and `LoadInfo`, printable for people,
inspectable in code and loadable into a destination (`pipeline.run([load_info])`), in the
shapes of dlt 1.31 (`dlt.common.pipeline`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dlt.destinations.base import DestinationTerminalError
from dlt.pipeline.metrics import DataWriterMetrics, LoadJobMetrics
from dlt.storage.load_package import LoadJobInfo, LoadPackageInfo


class FailedJobsError(DestinationTerminalError):
    """At least one load job failed for good (dlt 1.31: `DestinationHasFailedJobs`)."""

    def __init__(self, message: str, load_id: str | None = None, failed_jobs: list[Any] | None = None) -> None:
        self.load_id = load_id
        self.failed_jobs = failed_jobs or []
        super().__init__(message)


DestinationHasFailedJobs = FailedJobsError


@dataclass
class PipelineRef:
    """The pipeline a step info belongs to, as kept in a saved trace (`pipeline_name`)."""

    pipeline_name: str

    def asdict(self) -> dict[str, Any]:
        """`{"pipeline_name": ...}`."""
        return {"pipeline_name": self.pipeline_name}


class _StepInfo:
    """What the three step infos share: the pipeline, packages, timing and dict/text forms."""

    pipeline: Any
    load_packages: list[LoadPackageInfo]
    started_at: datetime
    finished_at: datetime | None
    first_run: bool

    @property
    def pipeline_name(self) -> str:
        """The name of the pipeline that ran the step."""
        return self.pipeline.pipeline_name

    @property
    def loads_ids(self) -> list[str]:
        """Ids of the packages the step worked on."""
        return [package.load_id for package in self.load_packages]

    @property
    def is_empty(self) -> bool:
        """True when the step processed no load package (as dlt 1.31's `StepInfo.is_empty`)."""
        return not self.load_packages

    @property
    def elapsed(self) -> float:
        """Seconds the step took."""
        if self.finished_at is None:
            return 0.0
        return (self.finished_at - self.started_at).total_seconds()

    def _base_dict(self) -> dict[str, Any]:
        return {
            "pipeline": {"pipeline_name": self.pipeline_name},
            "loads_ids": self.loads_ids,
            "load_packages": [package.asdict() for package in self.load_packages],
            "first_run": self.first_run,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }

    def _packages_text(self, verbosity: int) -> list[str]:
        lines = []
        for package in self.load_packages:
            state = package.state.upper() if package.completed_at else \
                f"{package.state.upper()} and NOT YET LOADED to the destination"
            failed = package.failed_jobs
            jobs = "no failed jobs" if not failed else f"{len(failed)} FAILED job(s)!"
            retried = package.retried_jobs
            if retried:
                jobs += f" and {len(retried)} job(s) pending retry"
            note = " (already loaded earlier; skipped)" if package.already_loaded else ""
            lines.append(f"Load package {package.load_id} is {state} and contains {jobs}{note}")
            for job in failed + (retried if verbosity > 0 else []):
                lines.append(f"\t[{job.job_file_info.job_id()}]: {job.failed_message}")
            if verbosity > 1:
                lines.append("Package details:")
                lines.append(package.asstr(verbosity))
        return lines

    def __getstate__(self) -> dict[str, Any]:
        # a saved trace keeps the pipeline's name, not the pipeline object
        state = dict(self.__dict__)
        state["pipeline"] = PipelineRef(self.pipeline_name)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __str__(self) -> str:
        return self.asstr(verbosity=1)

    def asstr(self, verbosity: int = 0) -> str:  # pragma: no cover - overridden
        """The step's result as text; more details with a higher `verbosity`."""
        raise NotImplementedError


@dataclass
class ExtractInfo(_StepInfo):
    """The result of `pipeline.extract()`: the packages written and their metrics.

    `metrics[load_id]` is a list with one dict per package (`resource_metrics` by resource
    name, each with `items_count` and `custom_metrics`; `table_metrics`; `schema_name`).
    """

    pipeline: Any
    metrics: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    load_packages: list[LoadPackageInfo] = field(default_factory=list)
    first_run: bool = False
    started_at: datetime = field(default_factory=datetime.now)
    finished_at: datetime | None = None

    @property
    def item_counts(self) -> dict[str, int]:
        """Items extracted per table, over all packages."""
        counts: dict[str, int] = {}
        for entries in self.metrics.values():
            for entry in entries:
                for table, metric in entry.get("table_metrics", {}).items():
                    counts[table] = counts.get(table, 0) + metric.items_count
        return counts

    def asdict(self) -> dict[str, Any]:
        """A JSON-ready dict: packages plus `table_metrics` and `resource_metrics` as lists."""
        data = self._base_dict()
        data["table_metrics"] = [
            {"load_id": load_id, "table_name": table, **metric.asdict()}
            for load_id, entries in self.metrics.items() for entry in entries
            for table, metric in entry.get("table_metrics", {}).items()
        ]
        data["resource_metrics"] = [
            {"load_id": load_id, "resource_name": name, **metric.asdict()}
            for load_id, entries in self.metrics.items() for entry in entries
            for name, metric in entry.get("resource_metrics", {}).items()
        ]
        return data

    def asstr(self, verbosity: int = 0) -> str:
        """The extracted packages as text."""
        return "\n".join(self._packages_text(verbosity))


@dataclass
class NormalizeInfo(_StepInfo):
    """The result of `pipeline.normalize()`: rows per table and the packages normalized."""

    pipeline: Any
    row_counts: dict[str, int] = field(default_factory=dict)
    load_packages: list[LoadPackageInfo] = field(default_factory=list)
    first_run: bool = False
    started_at: datetime = field(default_factory=datetime.now)
    finished_at: datetime | None = None

    @property
    def metrics(self) -> dict[str, list[dict[str, Any]]]:
        """Per package, as dlt 1.31's `NormalizeInfo.metrics`: the step's `started_at` /
        `finished_at` and `table_metrics` (rows, bytes of the job files and their times per
        table). 1.31's per-file `job_metrics` are not kept here."""
        out: dict[str, list[dict[str, Any]]] = {}
        for package in self.load_packages:
            tables: dict[str, DataWriterMetrics] = {}
            for table, rows in package.row_counts.items():
                files = [job for job in package.all_jobs if job.table_name == table]
                times = [job.created_at.timestamp() for job in files if job.created_at is not None]
                tables[table] = DataWriterMetrics("", rows, sum(job.file_size for job in files),
                                                  min(times, default=0.0), max(times, default=0.0))
            out.setdefault(package.load_id, []).append(
                {"started_at": self.started_at, "finished_at": self.finished_at, "table_metrics": tables})
        return out

    @property
    def load_id(self) -> str:
        """The id of the last package normalized ("" when none was)."""
        return self.loads_ids[-1] if self.load_packages else ""

    def asdict(self) -> dict[str, Any]:
        """A JSON-ready dict; `row_counts` as a list of `{table_name, count}`."""
        data = self._base_dict()
        data["row_counts"] = [{"table_name": t, "count": n} for t, n in self.row_counts.items()]
        # as dlt 1.31: rows per table and package (its files' sizes and times are not kept)
        data["table_metrics"] = [
            {"load_id": package.load_id, "table_name": table, "items_count": rows}
            for package in self.load_packages for table, rows in package.row_counts.items()]
        return data

    def asstr(self, verbosity: int = 0) -> str:
        """Rows per table and the normalized packages as text."""
        if self.row_counts:
            lines = ["Normalized data for the following tables:"]
            lines += [f"- {table}: {rows} row(s)" for table, rows in sorted(self.row_counts.items())]
        else:
            lines = ["No data found to normalize"]
        lines.append("")
        return "\n".join(lines + self._packages_text(verbosity))


@dataclass
class LoadInfo(_StepInfo):
    """The result of `pipeline.run()` / `pipeline.load()`."""

    pipeline: Any
    destination_name: str | None
    destination_location: str | None
    dataset_name: str | None
    started_at: datetime
    finished_at: datetime | None
    load_packages: list[LoadPackageInfo] = field(default_factory=list)
    first_run: bool = False
    destination_type: str | None = None

    @property
    def destination_displayable_credentials(self) -> str | None:
        """Where the destination keeps the data (no secrets)."""
        return self.destination_location

    @property
    def row_counts(self) -> dict[str, int]:
        """Rows loaded per table, over all packages (system tables excluded); a table with a job
        that failed for good counts none of that package's rows (they did not all load)."""
        counts: dict[str, int] = {}
        for package in self.load_packages:
            if package.already_loaded or package.state != "loaded":
                continue
            failed = {job.job_file_info.table_name for job in package.failed_jobs}
            for table, rows in package.row_counts.items():
                if not table.startswith("_dlt") and table not in failed:
                    counts[table] = counts.get(table, 0) + rows
        return counts

    @property
    def metrics(self) -> dict[str, list[dict[str, Any]]]:
        """Per package, as dlt 1.31's `LoadInfo.metrics`: when its load started and finished,
        the dataset, and `job_metrics` by job id (`LoadJobMetrics`: file, table, state, and
        the times the loader measured; jobs loaded in one statement share them)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for package in self.load_packages:
            jobs = {}
            for job in package.jobs.get("completed_jobs", []) + package.jobs.get("failed_jobs", []):
                name = job.job_file_info
                jobs[name.job_id()] = LoadJobMetrics(
                    name.job_id(), job.file_path, job.table_name, job.started_at, job.finished_at,
                    job.state.removesuffix("_jobs"), None, name.retry)
            finished = package.completed_at or self.finished_at
            started = finished - timedelta(seconds=package.elapsed) if finished and package.elapsed else self.started_at
            out.setdefault(package.load_id, []).append(
                {"started_at": started, "finished_at": finished, "dataset_name": self.dataset_name,
                 "job_metrics": jobs})
        return out

    @property
    def has_failed_jobs(self) -> bool:
        """True when any job failed for good."""
        return any(package.failed_jobs for package in self.load_packages)

    @property
    def failed_jobs(self) -> list[LoadJobInfo]:
        """Every job that failed for good, with its error."""
        return [job for package in self.load_packages for job in package.failed_jobs]

    def raise_on_failed_jobs(self) -> None:
        """Raise `FailedJobsError` (a terminal error) naming each failed job and its error."""
        for package in self.load_packages:
            failed = package.failed_jobs
            if failed:
                details = "; ".join(f"{job.job_file} (table {job.table_name}): {job.error}" for job in failed)
                raise FailedJobsError(
                    f"Load package {package.load_id} of pipeline {self.pipeline_name} has"
                    f" {len(failed)} failed job(s): {details}", package.load_id, failed,
                )

    def asdict(self) -> dict[str, Any]:
        """A JSON-ready dict in dlt 1.31's shape, loadable with `pipeline.run([info])`."""
        data = self._base_dict()
        data.update({
            "destination_type": self.destination_type,
            "destination_displayable_credentials": self.destination_location,
            "destination_name": self.destination_name,
            "dataset_name": self.dataset_name,
            # dlt 1.31's keys of a staging destination, which this dlt does not have
            "staging_type": None, "staging_name": None, "staging_displayable_credentials": None,
        })
        return data

    def asstr(self, verbosity: int = 0) -> str:
        """The load as text: destination, dataset, each package and its failed jobs, rows."""
        loaded = [p for p in self.load_packages if p.state == "loaded"]
        if self.finished_at is not None:
            head = f"Pipeline {self.pipeline_name} load step finished in {self.elapsed:.2f} seconds"
        else:
            head = f"Pipeline {self.pipeline_name} load step did not finish"
        lines = [
            head,
            f"{len(loaded)} load package(s) were loaded to destination {self.destination_name}"
            f" and into dataset {self.dataset_name}",
        ]
        if self.destination_location:
            lines.append(f"The {self.destination_name} destination used {self.destination_location}"
                         " location to store data")
        lines += self._packages_text(verbosity)
        counts = self.row_counts
        if counts:
            lines.append("Rows loaded: " + ", ".join(f"{t}: {n}" for t, n in sorted(counts.items())))
        else:
            lines.append("Rows loaded: none")
        return "\n".join(lines)


@dataclass
class ResourceMetrics:
    """Items a resource (or a table) produced in one package, and its custom metrics
    (`dlt.current.resource_metrics()`, `resource.add_metrics(...)`)."""

    items_count: int = 0
    custom_metrics: dict[str, Any] = field(default_factory=dict)

    def asdict(self) -> dict[str, Any]:
        """JSON-ready."""
        data: dict[str, Any] = {"items_count": self.items_count}
        data.update({k: v for k, v in self.custom_metrics.items() if k not in data})
        return data
