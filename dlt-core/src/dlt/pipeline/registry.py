"""The default and last-created pipeline of this process (for `dlt.run` and `dlt.current`)."""

from __future__ import annotations

from typing import Any

_last: Any = None


def remember(pipeline: Any) -> None:
    """Make `pipeline` the one `dlt.run` and `dlt.current.pipeline()` use."""
    global _last
    _last = pipeline


def last_pipeline() -> Any:
    """The last pipeline created in this process, or None."""
    return _last


def forget() -> None:
    """Forget the last pipeline (`pipeline.deactivate()`, tests)."""
    global _last
    _last = None
