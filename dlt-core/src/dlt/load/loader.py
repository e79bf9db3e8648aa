"""Load: run the jobs of normalized packages against a destination, exactly once.

On a transactional destination a package loads in one transaction together with its
`_dlt_loads` row: a crash before the commit leaves nothing behind, a crash after it is detected
on the next run by the `_dlt_loads` row.

A job that fails for good (a row the database refuses) is handled by the loader's
`on_terminal_error` policy, as in dlt 1.31:

* `"retry"` (`raise_on_failed_jobs`, the default): the package's transaction is rolled back,
  the job goes back to `new_jobs` with its error kept, and `LoadClientJobTerminalRetry` is
  raised. The package stays `normalized`: nothing of it is in the destination and nothing in
  `_dlt_loads`; the next load retries it until the user aborts it.
* `"fail"` (`raise_on_failed_jobs=false`): the job is set aside in `failed_jobs` with its
  error and the rest of the package loads again without it; the package completes.
* `"abort"` (`load.auto_abort_on_terminal_error`): the job goes to `failed_jobs` and the
  package is marked aborted; `PackageAborted` tells the pipeline to finish the abort.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from dlt.utils.exceptions import DltException
from dlt.utils.signals import raise_if_signalled
from dlt.destinations.base import (
    Destination,
    DestinationTransientError,
    LoadJobTerminalError,
    client_context,
    start_package_load,
)
from dlt.load.exceptions import LoadClientError, LoadClientJobFailed, LoadClientJobTerminalRetry
from dlt.load.jobs import LoadJobInfo
from dlt.schema import Schema
from dlt.storage.packages import JobFileName, PackageStorage

logger = logging.getLogger("dlt")


TERMINAL_ERROR_POLICIES = ("retry", "fail", "abort")


class PackageAborted(DltException):
    """A job failed terminally under `auto_abort_on_terminal_error`: the package carries the
    abort marker and the pipeline must finish the abort (restore state, archive the package)."""

    def __init__(self, load_id: str, job_exception: LoadClientJobFailed) -> None:
        self.load_id = load_id
        self.job_exception = job_exception
        super().__init__(str(job_exception))


@dataclass
class PackageLoadInfo:
    """What loading one package did."""

    load_id: str
    schema_name: str
    jobs: list[LoadJobInfo] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    already_loaded: bool = False
    elapsed: float = 0.0

    @property
    def failed_jobs(self) -> list[LoadJobInfo]:
        """Jobs that failed for good."""
        return [job for job in self.jobs if job.state == "failed_jobs"]


def ordered_jobs(schema: Schema, paths: Iterable[Path]) -> list[Path]:
    """The package's jobs in load order (`_job_order`)."""
    paths = list(paths)
    first_format: dict[str, tuple[tuple[str, int], str]] = {}
    for path in paths:
        table, file_format = _table_and_format(path)
        number = _file_number(path)
        if table not in first_format or number < first_format[table][0]:
            first_format[table] = (number, file_format)
    formats = {table: file_format for table, (_, file_format) in first_format.items()}
    return sorted(paths, key=lambda path: _job_order(schema, path, formats))


def _job_order(schema: Schema, path: Path, first_formats: dict[str, str]) -> tuple[Any, ...]:
    """Parent tables before their children, dlt's own tables last; within a table its jobs of
    one file format next to each other, so a destination with `run_jobs` loads them in one
    statement (a package whose rows took both the Arrow and the row path has jobs of both
    formats). The format of the table's first file (`first_formats`) goes first and files go
    in the order normalize wrote them, so the rows land in the order they were extracted as
    far as the formats allow: a table's first rows often take the row path (they bring its
    columns) and, loaded last, would scatter the table's first rows over its row groups
    (merge tables are de-duplicated in normalize, so the order does not decide which row is
    kept)."""
    table, file_format = _table_and_format(path)
    system = 1 if table.startswith("_dlt") else 0
    depth = schema.table_depth(table) if table in schema.tables else 0
    later_format = 0 if first_formats.get(table) == file_format else 1
    return (system, depth, table, later_format, file_format, _file_number(path))


def _file_number(path: Path) -> tuple[str, int]:
    """A job file's writer prefix and sequence number (`items.w1_12.0.parquet` -> ("w1_", 12)),
    so that file 10 sorts after file 9."""
    file_id = JobFileName.parse(path.name).file_id
    digits = len(file_id) - len(file_id.rstrip("0123456789"))
    if not digits:
        return (file_id, -1)
    return (file_id[:-digits], int(file_id[-digits:]))


def _table_and_format(path: Path) -> tuple[str, str]:
    name = path.name
    return name.split(".")[0], name.rsplit(".", 1)[-1]


class _BatchFailed(Exception):
    """Jobs run together failed: the package is rolled back and loaded job by job."""


class Loader:
    """Loads normalized packages of one pipeline into one destination dataset."""

    def __init__(self, storage: PackageStorage, destination: Destination, dataset_name: str,
                 pipeline_name: str, pipeline_dir: Path, hook: Any = None,
                 transient_retries: int = 3, retry_backoff: float = 1.0,
                 on_terminal_error: str = "retry", collector: Any = None) -> None:
        if on_terminal_error not in TERMINAL_ERROR_POLICIES:
            raise ValueError(f"on_terminal_error must be one of {TERMINAL_ERROR_POLICIES}, got {on_terminal_error!r}.")
        self.on_terminal_error = on_terminal_error
        from dlt.collectors.base import NULL_COLLECTOR

        #: shows the jobs done per package and table (`dlt.pipeline(progress=...)`)
        self.collector = collector if collector is not None else NULL_COLLECTOR
        self.storage = storage
        self.destination = destination
        self.dataset_name = dataset_name
        self.pipeline_name = pipeline_name
        self.pipeline_dir = pipeline_dir
        self.hook = hook
        self.transient_retries = transient_retries
        self.retry_backoff = retry_backoff
        self._job_times: dict[str, tuple[datetime, datetime, float]] = {}
        """Job file name -> when its load started and finished (UTC) and the seconds it took,
        for the package being loaded (jobs run together share their batch's times)."""

    def _call_hook(self, name: str, **kwargs: Any) -> None:
        if self.hook is not None and getattr(self.hook, name).get_hookimpls():
            getattr(self.hook, name)(pipeline_name=self.pipeline_name, **kwargs)

    def load_package(self, load_id: str) -> PackageLoadInfo:
        """Load one package; returns what happened to each job."""
        started_at = time.perf_counter()
        folder = self.storage.path("normalized", load_id)
        schema = Schema.from_dict(PackageStorage.read_json(folder / "schema.json"))
        package = PackageStorage.read_json(folder / "package.json")
        info = PackageLoadInfo(load_id, schema.name, row_counts=dict(package.get("row_counts", {})))
        # tables a refresh= run drops or empties, done by the job client in this load
        context = client_context(self.destination, schema, self.dataset_name, self.pipeline_name,
                                 self.pipeline_dir, config={"refresh": package.get("refresh") or {}})
        client = self.destination.client(context)
        attempt = 0
        while True:
            try:
                with client, self.collector(f"Load {schema.name} in {load_id}"):
                    self._load_with_client(client, schema, load_id, info)
                break
            except DestinationTransientError as exc:
                attempt += 1
                logger.warning("load: package %s, attempt %d of %d failed with a transient error: %s",
                               load_id, attempt, self.transient_retries + 1, exc)
                if attempt > self.transient_retries:
                    raise LoadClientError(
                        f"Loading package {load_id} into {self.destination.name} failed"
                        f" {attempt} times with a transient error: {exc}. The package stays"
                        " pending and loads on the next run."
                    ) from exc
                time.sleep(self.retry_backoff * 2 ** (attempt - 1))
        info.elapsed = time.perf_counter() - started_at
        self.storage.commit_load(load_id)
        failed = [job for job in info.jobs if job.state == "failed_jobs"]
        rows = {t: n for t, n in info.row_counts.items() if not t.startswith("_dlt")}
        logger.info("load: package %s%s into %s dataset %s: %d jobs%s, %d rows in %d tables (%s)"
                    " in %.2fs", load_id, " (already loaded before)" if info.already_loaded else "",
                    self.destination.name, self.dataset_name, len(info.jobs),
                    f", {len(failed)} failed" if failed else "", sum(rows.values()), len(rows),
                    ", ".join(f"{t}: {n}" for t, n in sorted(rows.items())) or "no tables",
                    info.elapsed)
        return info

    def _load_with_client(self, client: Any, schema: Schema, load_id: str, info: PackageLoadInfo) -> None:
        client.initialize_storage()
        self._job_times = {}
        for started in self.storage.jobs(load_id, "started_jobs"):
            self.storage.move_job(load_id, started, "new_jobs")
        if client.is_load_recorded(load_id):
            info.already_loaded = True
            for job_file in self.storage.jobs(load_id, "new_jobs"):
                self.storage.move_job(load_id, job_file, "completed_jobs")
            info.jobs = [LoadJobInfo.from_path(load_id, p, "completed_jobs")
                         for p in self.storage.jobs(load_id, "completed_jobs")]
            return
        client.update_stored_schema()
        batching = True
        while True:
            pending = ordered_jobs(schema, self.storage.jobs(load_id, "new_jobs"))
            tables = sorted({p.name.split(".")[0] for p in pending})
            self._count_pending(pending)
            try:
                failed_now = self._try_package(client, load_id, pending, tables, batching)
            except _BatchFailed:
                # rolled back: load the package job by job to name the failing file
                batching = False
                continue
            if failed_now is None:
                break
            failed_path, message = failed_now
            logger.warning("load: job %s of package %s failed for good (%s): %s", failed_path.name,
                           load_id, self.on_terminal_error, message)
            job_id = LoadJobInfo.from_path(load_id, failed_path).job_file_info.job_id()
            if self.on_terminal_error == "retry":
                retried = self.storage.retry_job(load_id, failed_path, message)
                job = LoadJobInfo.from_path(load_id, retried, "new_jobs", error=message)
                self._call_hook("on_load_job_complete", load_id=load_id, job=job)
                raise LoadClientJobTerminalRetry(load_id, job_id, message)
            failed_path = self.storage.move_job(load_id, failed_path, "failed_jobs")
            self.storage.write_job_error(load_id, failed_path, message)
            job = LoadJobInfo.from_path(load_id, failed_path, "failed_jobs", error=message)
            self._call_hook("on_load_job_complete", load_id=load_id, job=job)
            if self.on_terminal_error == "abort":
                self.storage.request_abort("normalized", load_id)
                raise PackageAborted(load_id, LoadClientJobFailed(load_id, job_id, message))
        info.jobs = [LoadJobInfo.from_path(load_id, p, state)
                     for state in ("completed_jobs", "failed_jobs")
                     for p in self.storage.jobs(load_id, state) if not p.name.endswith(".exception")]
        for job in info.jobs:
            times = self._job_times.get(job.job_file)
            if times is not None:
                job.started_at, job.finished_at, job.elapsed = times
        for job in info.jobs:
            if job.state == "failed_jobs":
                error_file = self.storage.path("normalized", load_id) / "failed_jobs" / (job.job_file + ".exception")
                job.error = error_file.read_text(encoding="utf-8") if error_file.exists() else None

    def _run_one(self, client: Any, load_id: str, job_file: Path) -> Path:
        raise_if_signalled()
        job = LoadJobInfo.from_path(load_id, job_file, "started_jobs")
        self._call_hook("on_load_job_start", load_id=load_id, job=job)
        started_file = self.storage.move_job(load_id, job_file, "started_jobs")
        started_at, job_start = datetime.now(timezone.utc), time.perf_counter()
        try:
            client.run_job(job, started_file)
        except LoadJobTerminalError as exc:
            exc.started_file = started_file  # type: ignore[attr-defined]
            logger.debug("load: job %s of package %s failed: %s", job_file.name, load_id, exc)
            raise
        job.elapsed = time.perf_counter() - job_start
        job.started_at, job.finished_at = started_at, datetime.now(timezone.utc)
        self._job_times[started_file.name] = (job.started_at, job.finished_at, job.elapsed)
        job.state = "completed_jobs"
        logger.debug("load: job %s of package %s (table %s) completed in %.3fs", job_file.name,
                     load_id, job.table_name, job.elapsed)
        self._count_done([job.table_name])
        self._call_hook("on_load_job_complete", load_id=load_id, job=job)
        return started_file

    def _run_jobs(self, client: Any, load_id: str, pending: list[Path], batching: bool) -> list[Path]:
        """Run jobs one by one, or in parallel where the destination has no transactions."""
        caps = client.capabilities
        workers = caps.max_parallel_load_jobs if not caps.supports_transactions else 1
        if workers <= 1 or len(pending) <= 1:
            started = []
            for group in self._batches(client, pending, batching):
                if len(group) == 1:
                    started.append(self._run_one(client, load_id, group[0]))
                else:
                    started += self._run_batch(client, load_id, group)
            return started
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dlt-load") as pool:
            futures = [pool.submit(self._run_one, client, load_id, job_file) for job_file in pending]
            errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            terminal = [e for e in errors if isinstance(e, LoadJobTerminalError)]
            raise (terminal or errors)[0]
        return [f.result() for f in futures]

    def _batches(self, client: Any, pending: list[Path], batching: bool) -> list[list[Path]]:
        """Consecutive jobs of one table and file format, for clients with `run_jobs`."""
        if not batching or not hasattr(client, "run_jobs"):
            return [[job_file] for job_file in pending]
        groups: list[list[Path]] = []
        for job_file in pending:
            if groups and _table_and_format(groups[-1][0]) == _table_and_format(job_file):
                groups[-1].append(job_file)
            else:
                groups.append([job_file])
        return groups

    def _run_batch(self, client: Any, load_id: str, job_files: list[Path]) -> list[Path]:
        """Run jobs of one table together; a failure is retried job by job to name the culprit."""
        raise_if_signalled()
        jobs = [LoadJobInfo.from_path(load_id, job_file, "started_jobs") for job_file in job_files]
        for job in jobs:
            self._call_hook("on_load_job_start", load_id=load_id, job=job)
        started = [self.storage.move_job(load_id, job_file, "started_jobs") for job_file in job_files]
        started_at, batch_start = datetime.now(timezone.utc), time.perf_counter()
        try:
            client.run_jobs(jobs, started)
        except LoadJobTerminalError as exc:
            logger.debug("load: %d jobs of table %s in package %s failed together (%s); loading"
                         " them one by one to find the failing file", len(jobs), jobs[0].table_name,
                         load_id, exc)
            raise _BatchFailed() from exc
        elapsed = (time.perf_counter() - batch_start) / len(jobs)
        logger.debug("load: %d jobs of table %s in package %s completed together in %.3fs (%s)",
                     len(jobs), jobs[0].table_name, load_id, elapsed * len(jobs),
                     ", ".join(job_file.name for job_file in job_files))
        finished_at = datetime.now(timezone.utc)
        for job, started_file in zip(jobs, started):
            job.elapsed = elapsed
            job.started_at, job.finished_at = started_at, finished_at
            self._job_times[started_file.name] = (started_at, finished_at, elapsed)
            job.state = "completed_jobs"
            self._call_hook("on_load_job_complete", load_id=load_id, job=job)
        self._count_done([job.table_name for job in jobs])
        return started

    def _count_pending(self, pending: list[Path]) -> None:
        """Show the jobs about to run: in all and per table (a second round after a rollback
        starts the counters again)."""
        per_table: dict[str, int] = {}
        for job_file in pending:
            table = job_file.name.split(".")[0]
            per_table[table] = per_table.get(table, 0) + 1
        self.collector.update("Jobs", 0, total=len(pending))
        for table, count in per_table.items():
            self.collector.update(table, 0, total=count, label="jobs")

    def _count_done(self, tables: list[str]) -> None:
        """Count finished jobs, in all and per table."""
        self.collector.update("Jobs", len(tables))
        for table in tables:
            self.collector.update(table, 1, label="jobs")

    def _started(self, load_id: str) -> list[Path]:
        return self.storage.jobs(load_id, "started_jobs")

    def _try_package(self, client: Any, load_id: str, pending: list[Path], tables: list[str],
                     batching: bool) -> tuple[Path, str] | None:
        """Load all pending jobs in one go. On a terminal job error roll back, move the other
        started jobs back to `new_jobs` and return the failed job file (still in
        `started_jobs`) with its error; the caller applies the policy.

        Raises `_BatchFailed` (after rolling back) when jobs run together failed.
        """
        start_package_load(client, load_id, tables)
        try:
            self._run_jobs(client, load_id, pending, batching)
            client.complete_load(load_id, tables)
        except LoadJobTerminalError as exc:
            client.abort_load()
            started = self._started(load_id)
            failed = getattr(exc, "started_file", None) or (started[-1] if started else None)
            for other in started:
                if other != failed:
                    self.storage.move_job(load_id, other, "new_jobs")
            if failed is None or not failed.exists():
                raise
            return failed, str(exc)
        except BaseException:
            client.abort_load()
            for other in self._started(load_id):
                self.storage.move_job(load_id, other, "new_jobs")
            raise
        for job_file in self._started(load_id):
            self.storage.move_job(load_id, job_file, "completed_jobs")
        return None
