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


def is_terminal(error: BaseException | None) -> bool:
    """True when `error` or an error in its chain (the error a step failed with, the one it was
    raised from or while handling, up to ten deep) is terminal: retrying cannot fix it. dlt
    1.31 looks one level deep; a terminal cause further down is terminal here too."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, TerminalException):
            return True
        error = getattr(error, "exception", None) or error.__cause__ or error.__context__
        seen += 1
    return False


def retry_load(retry_on_pipeline_steps: Sequence[str] = ("load",)) -> Callable[[BaseException], bool]:
    """A predicate saying whether a failed `pipeline.run` is worth repeating: not when a step
    outside `retry_on_pipeline_steps` failed (by default only `load` is repeated: extract and
    normalize of the same data fail the same way), and not when the error is terminal (bad
    data or configuration, refused credentials, jobs that failed for good)."""

    def should_retry(error: BaseException) -> bool:
        if isinstance(error, PipelineStepFailed) and error.step not in retry_on_pipeline_steps:
            return False
        return not is_terminal(error)

    return should_retry


__all__ = ["is_terminal", "retry_load"]
