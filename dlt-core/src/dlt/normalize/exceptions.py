"""Errors of the normalize step."""

from __future__ import annotations

from dlt.utils.exceptions import DltException


class NormalizeJobFailed(DltException):
    """Normalizing the items of a load package failed; the cause is chained (as in dlt 1.31,
    where a contract violation reaches `PipelineStepFailed` through this error)."""

    def __init__(self, load_id: str, job_id: str | None, failed_message: str) -> None:
        self.load_id = load_id
        self.job_id = job_id
        self.failed_message = failed_message
        where = f" (items file {job_id})" if job_id else ""
        super().__init__(f"Normalizing load package {load_id}{where} failed: {failed_message}")
