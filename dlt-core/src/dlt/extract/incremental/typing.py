"""The types of the incremental's settings, under dlt 1.31's names (`dlt.common.incremental.typing`
re-exports them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, TypedDict, TypeVar, Union

TCursorValue = TypeVar("TCursorValue", bound=Any)
LastValueFunc = Callable[[Sequence[TCursorValue]], Any]
"""A function of the values seen that gives the furthest (`max`, `min` or your own)."""
OnCursorValueMissing = Literal["raise", "include", "exclude"]
TIncrementalRange = Literal["open", "closed"]


class IncrementalArgs(TypedDict, total=False):
    """The arguments of `dlt.sources.incremental`, as a dict."""

    cursor_path: str
    initial_value: Any
    last_value_func: Union[LastValueFunc[str], Literal["min", "max"], None]
    primary_key: Any
    end_value: Any
    row_order: Literal["asc", "desc"] | None
    allow_external_schedulers: bool | None
    lag: float | int | None
    on_cursor_value_missing: OnCursorValueMissing | None
    range_start: TIncrementalRange | None
    range_end: TIncrementalRange | None
