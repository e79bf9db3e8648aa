"""`lag`: move the start of an incremental window back, so a run re-reads recent rows.

Lag is a number of units of the cursor: plain units for numbers, seconds for datetimes, days for
dates. ISO strings are read as the datetime or date they spell and written back in their own
format. The lagged value never crosses `initial_value`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from dlt.utils.iso_text import datetime_from_iso

_COMPACT_DATE = re.compile(r"^\d{8}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _direction(last_value_func: Callable[..., Any]) -> int:
    """-1 when the window moves back by subtracting (max), +1 by adding (min)."""
    return -1 if last_value_func is max else 1


def _shift_datetime(value: datetime, seconds: float) -> datetime:
    if value.tzinfo is None:
        return value + timedelta(seconds=seconds)
    # shift the instant, not the wall clock, so a lag stays exact across DST changes
    return (value.astimezone(timezone.utc) + timedelta(seconds=seconds)).astimezone(value.tzinfo)


def _format_like(original: str, value: datetime) -> str:
    """`value` written in the ISO shape of `original` (separator, precision, zone suffix)."""
    sep = " " if len(original) > 10 and original[10] == " " else "T"
    time_part = re.split(r"[+Z]|-(?=\d\d:?\d\d$)", original[11:])[0]
    if "." in time_part:
        digits = len(time_part.split(".", 1)[1])
        timespec = "milliseconds" if digits <= 3 else "microseconds"
    elif time_part.count(":") >= 2:
        timespec = "seconds"
    else:
        timespec = "minutes"
    text = value.isoformat(sep=sep, timespec=timespec)
    if original.endswith("Z") and text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def _lag_string(lag: float, value: str, direction: int) -> str:
    if _COMPACT_DATE.match(value):
        day = datetime.strptime(value, "%Y%m%d").date() + timedelta(days=direction * lag)
        return day.strftime("%Y%m%d")
    if _ISO_DATE.match(value):
        return (date.fromisoformat(value) + timedelta(days=direction * lag)).isoformat()
    try:
        parsed = datetime_from_iso(value)
    except ValueError as exc:
        raise ValueError(
            f"lag needs a number, a date, a datetime or an ISO date/datetime string as cursor"
            f" value, got the string {value!r}."
        ) from exc
    return _format_like(value, _shift_datetime(parsed, direction * lag))


def lag_value(lag: float, value: Any, last_value_func: Callable[..., Any]) -> Any:
    """`value` moved back by `lag` in the direction `last_value_func` walks (max: down)."""
    direction = _direction(last_value_func)
    if isinstance(value, bool):
        raise ValueError("lag cannot be applied to a bool cursor value.")
    if isinstance(value, int):
        return int(value + direction * lag)
    if isinstance(value, float):
        return value + direction * lag
    if isinstance(value, datetime):
        return _shift_datetime(value, direction * lag)
    if isinstance(value, date):
        return value + timedelta(days=direction * lag)
    if isinstance(value, str):
        return _lag_string(lag, value, direction)
    raise ValueError(
        f"lag is not supported for cursor values of type {type(value).__name__}; use a number,"
        " a date, a datetime or an ISO string cursor."
    )


def lagged_start(lag: float | None, last_value_func: Callable[..., Any], initial_value: Any,
                 end_value: Any, last_value: Any) -> Any:
    """The start of this run's window: `last_value` moved back by `lag`, not past `initial_value`.

    No lag applies when `lag` is unset, the cursor has no value yet, `end_value` bounds the
    window, or `last_value_func` is neither `max` nor `min`.
    """
    if not lag or last_value is None or end_value is not None:
        return last_value
    if last_value_func not in (max, min):
        return last_value
    lagged = lag_value(lag, last_value, last_value_func)
    if initial_value is not None and last_value_func((initial_value, lagged)) == initial_value:
        return initial_value
    return lagged
