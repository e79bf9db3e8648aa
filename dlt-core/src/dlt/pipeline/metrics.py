"""The metrics records of step infos, in dlt 1.31's shapes (`dlt.common.metrics`)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class DataWriterMetrics(NamedTuple):
    """What was written for one table (or file): rows, bytes and when (epoch seconds)."""

    file_path: str
    items_count: int
    file_size: int
    created: float
    last_modified: float


class LoadJobMetrics(NamedTuple):
    """One load job: its file, table, state and when it started and finished (UTC)."""

    job_id: str
    file_path: str
    table_name: str
    started_at: datetime | None
    finished_at: datetime | None
    state: str | None
    remote_url: str | None
    retry_count: int = 0
    followup_jobs: tuple[str, ...] = ()


__all__ = ["DataWriterMetrics", "LoadJobMetrics"]
