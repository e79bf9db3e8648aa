"""`LoadJobInfo`: one job file of a load package, as hooks and load info see it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dlt.storage.packages import JobFileName


@dataclass
class LoadJobInfo:
    """A load job: which table, which file, what happened to it."""

    load_id: str
    job_file: str
    table_name: str
    file_id: str
    file_format: str
    state: str = "new"
    error: str | None = None
    file_size: int = 0
    elapsed: float = 0.0

    @classmethod
    def from_path(cls, load_id: str, path: Path, state: str = "new") -> LoadJobInfo:
        """Describe the job file at `path`."""
        name = JobFileName.parse(path.name)
        size = path.stat().st_size if path.exists() else 0
        return cls(load_id, path.name, name.table_name, name.file_id, name.file_format, state,
                   file_size=size)
