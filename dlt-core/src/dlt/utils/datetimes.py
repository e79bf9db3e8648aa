"""Coercing date and time values of any common form to pendulum's types, in UTC by default.

What scripts written for dlt 1.31 import as `dlt.common.time.ensure_pendulum_datetime` and its
siblings (often to turn an incremental cursor or a config value into a datetime). The rules:

- a string is parsed as ISO 8601 (a date alone is its midnight); a number, or a string that is
  not ISO 8601 but a number, is a Unix timestamp;
- a naive value is taken to be in `tz` (UTC unless given), an aware one is converted to `tz`.

pendulum is imported with this module only, so `import dlt` does not load it.
"""

from __future__ import annotations

import datetime
from typing import Any

import pendulum

from dlt.utils.typing import TAnyDateTime


UTC = pendulum.UTC


def parse_iso_like_datetime(value: str) -> pendulum.DateTime | pendulum.Date | pendulum.Time:
    """An ISO 8601 text as a pendulum DateTime, Date or Time; a datetime without an offset stays
    naive. Raises ValueError for text that is not a date, a time or a datetime."""
    try:
        parsed = pendulum.parse(value, exact=True, strict=False, tz=None)  # no offset: naive
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError) as exc:
        raise ValueError(f"'{value}' is not an ISO 8601 date, time or datetime") from exc
    if isinstance(parsed, (datetime.datetime, datetime.date, datetime.time)):
        return parsed
    raise ValueError(f"'{value}' is an ISO 8601 duration or interval, not a date, time or datetime")


def _from_text_or_number(value: str | float | int) -> Any:
    """A timestamp number, or a text that is ISO 8601 or else a number."""
    if isinstance(value, (int, float)):
        return pendulum.from_timestamp(value)
    try:
        return parse_iso_like_datetime(value)
    except ValueError:
        try:
            return pendulum.from_timestamp(float(value))
        except ValueError:
            raise ValueError(
                f"Cannot read '{value}' as a datetime: give an ISO 8601 text such as"
                " '2024-01-31T12:00:00+00:00', a date, or a Unix timestamp") from None


def _read_text_or_number(value: Any) -> Any:
    """A text or number read as a datetime or date (`_from_text_or_number`); ValueError for a
    time of day, which has no date. Any other value as it is."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = _from_text_or_number(value)
        if isinstance(value, datetime.time):
            raise ValueError(f"Cannot make a datetime of the time {value.isoformat()}: it has no date")
    return value


def ensure_pendulum_datetime(value: TAnyDateTime, tz: datetime.tzinfo | None = None) -> pendulum.DateTime:
    """`value` as an aware pendulum DateTime in `tz` (UTC by default): a naive value is taken to
    be in `tz`, an aware one keeps its instant; a date is its midnight."""
    zone = tz or UTC
    value = _read_text_or_number(value)
    if isinstance(value, datetime.datetime):
        moment = pendulum.instance(value, tz=zone) if value.tzinfo is None else pendulum.instance(value)
        return moment.in_timezone(zone)
    if isinstance(value, datetime.date):
        return pendulum.datetime(value.year, value.month, value.day, tz=zone)
    raise TypeError(f"Cannot make a datetime of {type(value).__name__} {value!r}")


def ensure_pendulum_date(value: TAnyDateTime, tz: datetime.tzinfo | None = None) -> pendulum.Date:
    """The pendulum Date `value` falls on in `tz` (UTC by default); a date stays that date."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return pendulum.date(value.year, value.month, value.day)
    moment = ensure_pendulum_datetime(value, tz)
    return pendulum.date(moment.year, moment.month, moment.day)


def ensure_pendulum_time(value: str | datetime.time | datetime.timedelta) -> pendulum.Time:
    """`value` as a naive pendulum Time: an aware time is converted to UTC first, a timedelta
    counts from midnight."""
    if isinstance(value, str):
        try:
            value = datetime.time.fromisoformat(value.strip())  # keeps an offset pendulum drops
        except ValueError:
            parsed = parse_iso_like_datetime(value)
            if not isinstance(parsed, datetime.time) or isinstance(parsed, datetime.datetime):
                raise ValueError(f"'{value}' is not an ISO 8601 time") from None
            value = parsed
    if isinstance(value, datetime.timedelta):
        return pendulum.time(0).add(seconds=value.total_seconds())
    if isinstance(value, datetime.time):
        if value.tzinfo is not None:
            moment = datetime.datetime.combine(datetime.date(1970, 1, 1), value).astimezone(UTC)
            value = moment.time()
        return pendulum.time(value.hour, value.minute, value.second, value.microsecond)
    raise TypeError(f"Cannot make a time of {type(value).__name__} {value!r}")


def ensure_datetime(value: TAnyDateTime) -> datetime.datetime:
    """`value` as a standard library datetime, keeping its zone (a naive value stays naive, a
    date is its naive midnight; text and numbers are read as by `ensure_pendulum_datetime`)."""
    value = _read_text_or_number(value)
    if isinstance(value, datetime.datetime):
        return _stdlib_datetime(value)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    raise TypeError(f"Cannot make a datetime of {type(value).__name__} {value!r}")


def ensure_date(value: TAnyDateTime, tz: datetime.tzinfo | None = None) -> datetime.date:
    """The standard library date `value` falls on in `tz` (UTC by default)."""
    day = ensure_pendulum_date(value, tz)
    return datetime.date(day.year, day.month, day.day)


def _stdlib_datetime(value: datetime.datetime) -> datetime.datetime:
    """A pendulum DateTime as a plain datetime of the same instant and zone."""
    if type(value) is datetime.datetime:
        return value
    return datetime.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                             value.microsecond, tzinfo=value.tzinfo, fold=value.fold)
