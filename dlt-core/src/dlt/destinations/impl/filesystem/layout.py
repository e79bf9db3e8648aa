"""The `layout` of the filesystem destination: where each load file goes, as in dlt 1.31.

A layout is a path template relative to the dataset folder, e.g. the default
`{table_name}/{load_id}.{file_id}.{ext}`. Placeholders: `schema_name`, `table_name`,
`load_id`, `file_id`, `ext` (appended as `.{ext}` when the layout lacks it), the date and time
tokens of pendulum's format (`YYYY`, `MM`, `DD`, `MMM`, `dddd`, `Q`, ..., lower-cased), `timestamp`,
`timestamp_ms`, `curr_date`, `load_package_timestamp(_ms)`, and the names of
`extra_placeholders` (a value, or a callable `(schema_name, table_name, load_id, file_id, ext)`).
The date placeholders come from `current_datetime` (a datetime or a callable returning one), else
from the time the load package was made.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from dlt.destinations.base import DestinationTerminalError

DEFAULT_LAYOUT = "{table_name}/{load_id}.{file_id}.{ext}"

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _fraction(value: datetime, digits: int) -> str:
    return f"{value.microsecond:06d}"[:digits].ljust(digits, "0")


DATETIME_TOKENS: dict[str, Callable[[datetime], str]] = {
    "YYYY": lambda d: f"{d.year:04d}",
    "YY": lambda d: f"{d.year % 100:02d}",
    "Y": lambda d: str(d.year),
    "MMMM": lambda d: _MONTHS[d.month - 1],
    "MMM": lambda d: _MONTHS[d.month - 1][:3],
    "MM": lambda d: f"{d.month:02d}",
    "M": lambda d: str(d.month),
    "DD": lambda d: f"{d.day:02d}",
    "D": lambda d: str(d.day),
    "HH": lambda d: f"{d.hour:02d}",
    "H": lambda d: str(d.hour),
    "mm": lambda d: f"{d.minute:02d}",
    "m": lambda d: str(d.minute),
    "dddd": lambda d: _WEEKDAYS[d.weekday()],
    "ddd": lambda d: _WEEKDAYS[d.weekday()][:3],
    "dd": lambda d: _WEEKDAYS[d.weekday()][:2],
    # pendulum's `d`: day of the week, Sunday is 0
    "d": lambda d: str((d.weekday() + 1) % 7),
    "ss": lambda d: f"{d.second:02d}",
    "s": lambda d: str(d.second),
    "SSSS": lambda d: _fraction(d, 4),
    "SSS": lambda d: _fraction(d, 3),
    "SS": lambda d: _fraction(d, 2),
    "S": lambda d: _fraction(d, 1),
    "Q": lambda d: str((d.month - 1) // 3 + 1),
}
"""The date and time placeholders (pendulum format tokens) and how each renders."""

STANDARD_PLACEHOLDERS = frozenset(DATETIME_TOKENS) | {
    "schema_name", "table_name", "load_id", "file_id", "ext", "curr_date", "timestamp",
    "timestamp_ms", "load_package_timestamp", "load_package_timestamp_ms"}
TABLE_PREFIX_PLACEHOLDERS = ("schema_name",)
"""Placeholders allowed before `{table_name}`: the files of a table are found by the path up to
the table name, so nothing that changes per load may come before it."""


class InvalidFilesystemLayout(DestinationTerminalError):
    """The `layout` of the filesystem destination names placeholders nobody provides."""

    def __init__(self, layout: str, invalid: list[str], extra: list[str]) -> None:
        self.layout = layout
        self.invalid_placeholders = invalid
        super().__init__(
            f"The filesystem layout '{layout}' uses unknown placeholders {', '.join(invalid)}. Use the"
            f" standard ones ({', '.join(sorted(STANDARD_PLACEHOLDERS))}) or add them to"
            f" extra_placeholders (now: {', '.join(extra) or 'none'})."
        )


class CantExtractTablePrefix(DestinationTerminalError):
    """The layout does not let dlt find the files of one table."""

    def __init__(self, layout: str, reason: str) -> None:
        self.layout = layout
        super().__init__(
            f"The filesystem layout '{layout}' cannot locate the files of a table: {reason}. Start the"
            " layout with `{table_name}` (optionally after `{schema_name}`), e.g. the default"
            f" '{DEFAULT_LAYOUT}'."
        )


def placeholders_of(layout: str) -> list[str]:
    """The placeholder names of `layout`, in order."""
    return re.findall(r"\{(.*?)\}", layout)


def check_layout(layout: str, extra_placeholders: Mapping[str, Any] | None = None) -> list[str]:
    """The placeholders of `layout`; raises `InvalidFilesystemLayout` for unknown ones."""
    found = placeholders_of(layout)
    extra = list(extra_placeholders or {})
    invalid = [p for p in found if p not in STANDARD_PLACEHOLDERS and p not in extra]
    if invalid:
        raise InvalidFilesystemLayout(layout, invalid, extra)
    return found


def resolve_datetime(current_datetime: Any, package_time: datetime) -> datetime:
    """`current_datetime` (a datetime or a callable returning one; naive means UTC), else the
    load package's time."""
    value = current_datetime() if callable(current_datetime) else current_datetime
    if value is None:
        return package_time
    if not isinstance(value, datetime):
        raise DestinationTerminalError(
            f"current_datetime of the filesystem destination must be a datetime or a callable"
            f" returning one, got {type(value).__name__}."
        )
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def package_datetime(load_id: str) -> datetime:
    """When the load package `load_id` was made: its id is the creation time in seconds."""
    try:
        return datetime.fromtimestamp(float(load_id), tz=timezone.utc)
    except ValueError:
        return datetime.now(timezone.utc)


def datetime_params(moment: datetime, package_time: datetime) -> dict[str, str]:
    """The values of the date and time placeholders at `moment`."""
    params = {token: render(moment).lower() for token, render in DATETIME_TOKENS.items()}
    params["timestamp"] = str(int(moment.timestamp()))
    params["timestamp_ms"] = str(int(moment.timestamp() * 1000))
    params["curr_date"] = str(moment.date())
    params["load_package_timestamp"] = str(int(package_time.timestamp()))
    params["load_package_timestamp_ms"] = str(int(package_time.timestamp() * 1000))
    return params


def extra_params(extra_placeholders: Mapping[str, Any] | None, schema_name: str, table_name: str,
                 load_id: str | None, file_id: str | None, ext: str | None) -> dict[str, Any]:
    """The values of `extra_placeholders`; callables get `(schema_name, table_name, load_id,
    file_id, ext)`."""
    params: dict[str, Any] = {}
    for key, value in (extra_placeholders or {}).items():
        if callable(value):
            try:
                params[key] = value(schema_name, table_name, load_id, file_id, ext)
            except TypeError as exc:
                raise DestinationTerminalError(
                    f"The extra placeholder '{key}' of the filesystem layout is a callable that does"
                    " not accept (schema_name, table_name, load_id, file_id, ext): define it with"
                    " these five arguments."
                ) from exc
        else:
            params[key] = value
    return params


def make_file_path(layout: str, *, schema_name: str, table_name: str, load_id: str, file_id: str,
                   ext: str, current_datetime: Any = None,
                   extra_placeholders: Mapping[str, Any] | None = None) -> str:
    """The path of one load file relative to the dataset folder (`/` separated)."""
    package_time = package_datetime(load_id)
    moment = resolve_datetime(current_datetime, package_time)
    params: dict[str, Any] = datetime_params(moment, package_time)
    params.update(schema_name=schema_name, table_name=table_name, load_id=load_id, file_id=file_id, ext=ext)
    params.update(extra_params(extra_placeholders, schema_name, table_name, load_id, file_id, ext))
    found = check_layout(layout, params)
    if "ext" not in found:
        layout = f"{layout}.{{ext}}"
    return layout.format(**params)


def table_prefix_layout(layout: str) -> str:
    """The part of `layout` that selects one table's files: up to `{table_name}` and the one
    character after it (`{table_name}/` of the default layout)."""
    found = placeholders_of(layout)
    if "table_name" not in found:
        raise CantExtractTablePrefix(layout, "it has no {table_name} placeholder")
    index = layout.index("{table_name}")
    before = placeholders_of(layout[:index])
    wrong = [p for p in before if p not in TABLE_PREFIX_PLACEHOLDERS]
    if wrong:
        raise CantExtractTablePrefix(layout, f"{', '.join(wrong)} come(s) before {{table_name}}")
    end = index + len("{table_name}")
    after = layout[end:end + 1]
    if after == "{":
        raise CantExtractTablePrefix(layout, "another placeholder follows {table_name} directly")
    return layout[:end] + after


def table_prefix(layout: str, schema_name: str, table_name: str) -> str:
    """The path prefix (relative to the dataset folder) of every file of `table_name`."""
    return table_prefix_layout(layout).format(schema_name=schema_name, table_name=table_name)
