"""`retry_load`: a retry condition for tenacity (or any retry loop) around `pipeline.run`, as
in dlt 1.31.

    from tenacity import Retrying, retry_if_exception, stop_after_attempt

    for attempt in Retrying(stop=stop_after_attempt(3), retry=retry_if_exception(retry_load()), reraise=True):
        with attempt:
            pipeline.run(data)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.utils.exceptions import TerminalException


def _is_terminal(error: BaseException) -> bool:
    """True when `error`, the error a step failed with, or the error it was raised from or
    while handling is terminal (retrying cannot fix it)."""
    causes = [error, getattr(error, "exception", None), error.__cause__, error.__context__]
    return any(isinstance(cause, TerminalException) for cause in causes)


def retry_load(retry_on_pipeline_steps: Sequence[str] = ("load",)) -> Callable[[BaseException], bool]:
    """A predicate saying whether a failed `pipeline.run` is worth repeating: not when a step
    outside `retry_on_pipeline_steps` failed (by default only `load` is repeated: extract and
    normalize of the same data fail the same way), and not when the error is terminal (bad
    data or configuration, refused credentials, jobs that failed for good)."""

    def should_retry(error: BaseException) -> bool:
        if isinstance(error, PipelineStepFailed) and error.step not in retry_on_pipeline_steps:
            return False
        return not _is_terminal(error)

    return should_retry


__all__ = ["retry_load"]
