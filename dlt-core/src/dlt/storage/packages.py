"""Load packages on disk and the atomic moves between their states.

Layout under a pipeline's working dir:

    packages/extracting/<load_id>/   being extracted (discarded if the process dies)
    packages/extracted/<load_id>/    complete extract, waiting for normalize
    packages/normalizing/<load_id>/  being normalized (discarded and redone if the process dies)
    packages/normalized/<load_id>/   load jobs in new_jobs/, started_jobs/, completed_jobs/, failed_jobs/
    packages/loaded/<load_id>/       loaded, kept for `dlt pipeline ... load-package`

Every state change is one `os.replace` of a folder or file, so a crash at any instant leaves
either the old or the new state, never a half-moved package.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

JOB_STATES = ("new_jobs", "started_jobs", "completed_jobs", "failed_jobs")
JOB_ERRORS_FOLDER = "job_errors"
"""Per package: the error of the last attempt of each job waiting in `new_jobs` for a retry."""
ABORT_MARKER = "aborted.json"
"""Per package: written when the package is given up. In a pending package it means "abort
requested" (an interrupted abort is finished by the next pipeline step); in `loaded/` it makes
the package's state `aborted`."""
PACKAGE_STATES = ("extracting", "extracted", "normalizing", "normalized", "loaded")


def new_load_id() -> str:
    """A load id: the current time in microseconds as text, unique and sortable."""
    return f"{time.time():.6f}"


@dataclass(frozen=True)
class JobFileName:
    """A job file name: `<table>.<file_id>.<retry>.<format>`."""

    table_name: str
    file_id: str
    retry: int
    file_format: str

    @classmethod
    def parse(cls, name: str) -> JobFileName:
        """Split a job file name into its parts."""
        table_name, file_id, retry, file_format = name.rsplit(".", 3)
        return cls(table_name, file_id, int(retry), file_format)

    @property
    def retry_count(self) -> int:
        """How many times the job was retried after a terminal error (dlt 1.31's name)."""
        return self.retry

    def job_id(self) -> str:
        """The job's id: the file name without the retry count."""
        return f"{self.table_name}.{self.file_id}.{self.file_format}"

    def with_retry(self, retry: int) -> JobFileName:
        """The same job with another retry count."""
        return JobFileName(self.table_name, self.file_id, retry, self.file_format)

    def __str__(self) -> str:
        return f"{self.table_name}.{self.file_id}.{self.retry}.{self.file_format}"


class PackageStorage:
    """The load packages of one pipeline."""

    def __init__(self, pipeline_dir: Path) -> None:
        self.root = Path(pipeline_dir) / "packages"
        for state in PACKAGE_STATES:
            (self.root / state).mkdir(parents=True, exist_ok=True)

    def path(self, state: str, load_id: str) -> Path:
        """The folder of package `load_id` in `state`."""
        return self.root / state / load_id

    def list(self, state: str) -> list[str]:
        """Load ids in `state`, oldest first."""
        folder = self.root / state
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.exists() else []

    def recover(self) -> None:
        """Clean up after a crash: drop half-done extracts and normalizes."""
        for load_id in self.list("extracting"):
            shutil.rmtree(self.path("extracting", load_id), ignore_errors=True)
        for load_id in self.list("normalizing"):
            shutil.rmtree(self.path("normalizing", load_id), ignore_errors=True)
        for load_id in self.list("extracted"):
            if self.path("normalized", load_id).exists() or self.path("loaded", load_id).exists():
                shutil.rmtree(self.path("extracted", load_id), ignore_errors=True)
        deleted = self.root / "deleted"
        if deleted.exists():
            shutil.rmtree(deleted, ignore_errors=True)

    # -- extract ------------------------------------------------------------------------------

    def start_extract(self, load_id: str) -> Path:
        """A fresh folder for a package being extracted."""
        path = self.path("extracting", load_id)
        (path / "items").mkdir(parents=True)
        return path

    def commit_extract(self, load_id: str) -> None:
        """Mark a package as fully extracted (one rename)."""
        os.replace(self.path("extracting", load_id), self.path("extracted", load_id))

    def discard_extract(self, load_id: str) -> None:
        """Throw away a package that was being extracted."""
        shutil.rmtree(self.path("extracting", load_id), ignore_errors=True)

    # -- normalize ----------------------------------------------------------------------------

    def start_normalize(self, load_id: str) -> Path:
        """A fresh folder for the jobs normalize writes for `load_id`."""
        path = self.path("normalizing", load_id)
        if path.exists():
            shutil.rmtree(path)
        for state in JOB_STATES:
            (path / state).mkdir(parents=True)
        return path

    def commit_normalize(self, load_id: str) -> None:
        """Publish normalized jobs (one rename), then drop the extracted items."""
        os.replace(self.path("normalizing", load_id), self.path("normalized", load_id))
        shutil.rmtree(self.path("extracted", load_id), ignore_errors=True)

    # -- load ---------------------------------------------------------------------------------

    def jobs(self, load_id: str, state: str) -> list[Path]:
        """Job files of a normalized package in a job state, sorted by name (error files and
        temp files left out)."""
        folder = self.path("normalized", load_id) / state
        if not folder.exists():
            return []
        return sorted(p for p in folder.iterdir() if not p.name.endswith((".exception", ".tmp")))

    def move_job(self, load_id: str, job_file: Path, to_state: str) -> Path:
        """Move a job file to another job state (one rename); returns its new path."""
        target = self.path("normalized", load_id) / to_state / job_file.name
        os.replace(job_file, target)
        return target

    def write_job_error(self, load_id: str, job_file: Path, message: str) -> None:
        """Keep the error of a failed job next to it."""
        folder = self.path("normalized", load_id) / "failed_jobs"
        _write_text_atomic(folder / (job_file.name + ".exception"), message)

    def retry_job(self, load_id: str, started_file: Path, message: str) -> Path:
        """Queue a job that failed terminally for a retry: its error is kept in `job_errors/`,
        then the file moves back to `new_jobs` with its retry count increased (one rename).
        Returns the new path."""
        name = JobFileName.parse(started_file.name)
        retried = str(name.with_retry(name.retry + 1))
        errors = self.path("normalized", load_id) / JOB_ERRORS_FOLDER
        errors.mkdir(exist_ok=True)
        _write_text_atomic(errors / (retried + ".exception"), message)
        target = self.path("normalized", load_id) / "new_jobs" / retried
        os.replace(started_file, target)
        return target

    def job_error(self, state: str, load_id: str, job_name: str, job_state: str) -> str | None:
        """The error recorded for a job: its failure in `failed_jobs`, or the last terminal
        error of a job waiting for a retry in `new_jobs`."""
        folder = self.path(state, load_id)
        candidates = [folder / job_state / (job_name + ".exception")]
        if job_state == "new_jobs":
            candidates.append(folder / JOB_ERRORS_FOLDER / (job_name + ".exception"))
        for candidate in candidates:
            if candidate.exists():
                return candidate.read_text(encoding="utf-8")
        return None

    def fail_retried_jobs(self, load_id: str) -> list[Path]:
        """Move every job waiting for a retry after a terminal error to `failed_jobs`, with its
        error (error file first, then one rename per job). Returns the failed job files."""
        folder = self.path("normalized", load_id)
        moved = []
        for job_file in self.jobs(load_id, "new_jobs"):
            error = folder / JOB_ERRORS_FOLDER / (job_file.name + ".exception")
            if not error.exists():
                continue
            self.write_job_error(load_id, job_file, error.read_text(encoding="utf-8"))
            moved.append(self.move_job(load_id, job_file, "failed_jobs"))
        return moved

    # -- abort ---------------------------------------------------------------------------------

    def request_abort(self, state: str, load_id: str) -> None:
        """Write the abort marker into a pending package (atomic)."""
        target = self.path(state, load_id) / ABORT_MARKER
        if not target.exists():
            self.write_json(target, {"aborted_at": time.time()})

    def is_aborted(self, state: str, load_id: str) -> bool:
        """True when the package carries the abort marker."""
        return (self.path(state, load_id) / ABORT_MARKER).exists()

    def delete_package(self, state: str, load_id: str) -> None:
        """Delete a package: one rename out of its state folder, then the files."""
        source = self.path(state, load_id)
        if not source.exists():
            return
        trash = self.root / "deleted"
        trash.mkdir(exist_ok=True)
        target = trash / f"{state}-{load_id}"
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(source, target)
        shutil.rmtree(target, ignore_errors=True)

    def package_state(self, load_id: str) -> str | None:
        """`extracted`, `normalized`, `loaded`, `aborted`, or None for an unknown load id."""
        for state in ("extracted", "normalized", "loaded"):
            if self.path(state, load_id).exists():
                if state == "loaded" and self.is_aborted(state, load_id):
                    return "aborted"
                return state
        return None

    def commit_load(self, load_id: str) -> None:
        """Mark a package as loaded, or aborted when it carries the abort marker (one rename;
        the completion time is written into the package just before)."""
        self.write_json(self.path("normalized", load_id) / "completed.json", {"completed_at": time.time()})
        os.replace(self.path("normalized", load_id), self.path("loaded", load_id))

    # -- metadata ------------------------------------------------------------------------------

    @staticmethod
    def write_json(path: Path, data: Any) -> None:
        """Write JSON atomically (temp file + rename)."""
        temp = path.with_name(path.name + ".tmp")
        temp.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
        os.replace(temp, path)

    @staticmethod
    def read_json(path: Path) -> Any:
        """Read a JSON file; one that is not valid JSON raises `CorruptedFileError` naming it and
        saying what to do."""
        data = path.read_bytes()
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            from dlt.storage.exceptions import CorruptedFileError, package_file_advice

            problem = "it is empty" if not data.strip() else f"it is not valid JSON ({exc})"
            if path.name.endswith(".schema.json"):
                advice = ("Restore it from a backup or delete it: the next run then restores the"
                          " schema stored in the destination, or infers it again from the data.")
            else:
                advice = package_file_advice(path)
            raise CorruptedFileError(path, problem, advice) from None


def _write_text_atomic(path: Path, text: str) -> None:
    """Write a text file atomically (temp file + rename)."""
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
