"""Errors of the load step."""

from __future__ import annotations

from dlt.destinations.base import DestinationTerminalError
from dlt.utils.exceptions import DltException


class LoadClientError(DltException):
    """The destination failed while loading a package; the package stays pending."""


class LoadClientJobException(DestinationTerminalError):
    """A load job failed for good in the destination; `load_id`, `job_id`, `failed_message`."""

    def __init__(self, load_id: str, job_id: str, failed_message: str, message: str) -> None:
        self.load_id = load_id
        self.job_id = job_id
        self.failed_message = failed_message
        super().__init__(message)


class LoadClientJobTerminalRetry(LoadClientJobException):
    """A job failed terminally and the package stays pending: the next load retries the job
    until the package is aborted (`pipeline.abort_packages()`)."""

    def __init__(self, load_id: str, job_id: str, failed_message: str) -> None:
        super().__init__(
            load_id, job_id, failed_message,
            f"Job with `job_id={job_id}` and `load_id={load_id}` failed terminally with message:"
            f" {failed_message}. The job has been queued for retry and the package remains pending."
            " Fix the cause and run the pipeline again (`pipeline.run()` or `pipeline.load()`"
            " retries it), or give the package up with `pipeline.abort_packages()`.",
        )


class LoadClientJobFailed(LoadClientJobException):
    """A job failed terminally and its package was aborted (`load.auto_abort_on_terminal_error`)."""

    def __init__(self, load_id: str, job_id: str, failed_message: str) -> None:
        super().__init__(
            load_id, job_id, failed_message,
            f"Job with `job_id={job_id}` and `load_id={load_id}` failed terminally with message:"
            f" {failed_message}. The package is aborted and cannot be retried; the local state and"
            " schemas went back to where they were before the package.",
        )
