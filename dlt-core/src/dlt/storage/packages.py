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
        """Job files of a normalized package in a job state, sorted by name."""
        folder = self.path("normalized", load_id) / state
        return sorted(folder.iterdir()) if folder.exists() else []

    def move_job(self, load_id: str, job_file: Path, to_state: str) -> Path:
        """Move a job file to another job state (one rename); returns its new path."""
        target = self.path("normalized", load_id) / to_state / job_file.name
        os.replace(job_file, target)
        return target

    def write_job_error(self, load_id: str, job_file: Path, message: str) -> None:
        """Keep the error of a failed job next to it."""
        folder = self.path("normalized", load_id) / "failed_jobs"
        (folder / (job_file.name + ".exception")).write_text(message, encoding="utf-8")

    def commit_load(self, load_id: str) -> None:
        """Mark a package as loaded (one rename)."""
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
        """Read a JSON file."""
        return orjson.loads(path.read_bytes())
