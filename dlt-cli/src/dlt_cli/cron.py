"""Cron expressions: parse and validate the five fields, and find the next time one fires.

Supported: `*`, single values, ranges `a-b`, lists `a,b`, steps `*/n`, `a-b/n` and `a/n`,
month names `JAN`-`DEC`, weekday names `SUN`-`SAT` (0 and 7 are Sunday), and the macros
`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`. As in Vixie
cron, when both day-of-month and day-of-week are restricted a day matching either fires.
Times are naive local datetimes.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import typer

from dlt_cli.errors import CliError

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTH_NAMES = {name.upper(): number for number, name in enumerate(calendar.month_abbr) if name}
WEEKDAY_NAMES = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


FIELDS = (
    _Field("minute", 0, 59, {}),
    _Field("hour", 0, 23, {}),
    _Field("day of month", 1, 31, {}),
    _Field("month", 1, 12, MONTH_NAMES),
    _Field("day of week", 0, 7, WEEKDAY_NAMES),
)
#: how far ahead `next_after` looks before deciding a schedule never fires (leap days: 8 years)
SEARCH_YEARS = 9


class CronError(CliError):
    """A cron expression is not valid; the message names the field and the problem."""


@dataclass(frozen=True)
class CronSchedule:
    """A parsed cron expression: the set of allowed values of each field."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 is Sunday
    days_restricted: bool
    weekdays_restricted: bool

    @property
    def fields(self) -> str:
        """The expression as five fields (macros expanded), for systems that need exactly that."""
        return MACROS.get(self.expression.lower(), self.expression)

    def matches(self, moment: datetime) -> bool:
        """True when the schedule fires in the minute of `moment`."""
        return (moment.minute in self.minutes and moment.hour in self.hours
                and moment.month in self.months and self._day_matches(moment))

    def _day_matches(self, moment: datetime) -> bool:
        day_ok = moment.day in self.days
        weekday_ok = (moment.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return day_ok or weekday_ok
        return day_ok and weekday_ok

    def next_after(self, moment: datetime) -> datetime:
        """The first time strictly after `moment` (at second 0) when the schedule fires."""
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = candidate + timedelta(days=366 * SEARCH_YEARS)
        while candidate < limit:
            if candidate.month not in self.months:
                year, month = divmod(candidate.month, 12)  # first day of the next month
                candidate = candidate.replace(year=candidate.year + year, month=month + 1, day=1,
                                              hour=0, minute=0)
            elif not self._day_matches(candidate):
                candidate = (candidate + timedelta(days=1)).replace(hour=0, minute=0)
            elif candidate.hour not in self.hours:
                candidate = (candidate + timedelta(hours=1)).replace(minute=0)
            elif candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1)
            else:
                return candidate
        raise CronError(f"The schedule '{self.expression}' never fires.")

    def upcoming(self, moment: datetime, count: int) -> list[datetime]:
        """The next `count` times after `moment`."""
        times: list[datetime] = []
        for _ in range(count):
            moment = self.next_after(moment)
            times.append(moment)
        return times


def parse_cron(expression: str) -> CronSchedule:
    """Parse and validate a cron expression; raise `CronError` saying what is wrong and where."""
    text = " ".join(expression.split())
    fields_text = MACROS.get(text.lower(), text)
    if fields_text.startswith("@"):
        raise CronError(
            f"The schedule '{expression}' is not a valid cron expression: unknown macro"
            f" {fields_text.split()[0]}; use one of {', '.join(MACROS)}."
        )
    parts = fields_text.split()
    if len(parts) != 5:
        raise CronError(
            f"The schedule '{expression}' is not a valid cron expression: it has {len(parts)}"
            " fields, expected 5 (minute hour day-of-month month day-of-week), e.g. '0 3 * * *'."
        )
    values = [_parse_field(part, spec, expression) for part, spec in zip(parts, FIELDS, strict=True)]
    weekdays = frozenset(0 if day == 7 else day for day in values[4])
    schedule = CronSchedule(
        expression=text, minutes=values[0], hours=values[1], days=values[2], months=values[3],
        weekdays=weekdays, days_restricted=not parts[2].startswith("*"),
        weekdays_restricted=not parts[4].startswith("*"),
    )
    if schedule.days_restricted and not schedule.weekdays_restricted:
        longest = max(29 if month == 2 else calendar.monthrange(2001, month)[1]
                      for month in schedule.months)
        if min(schedule.days) > longest:
            raise CronError(f"The schedule '{expression}' never fires: no chosen month has day"
                            f" {min(schedule.days)}.")
    return schedule


def _parse_field(text: str, spec: _Field, expression: str) -> frozenset[int]:
    def fail(problem: str) -> CronError:
        return CronError(f"The schedule '{expression}' is not a valid cron expression: {spec.name}"
                         f" field '{text}': {problem}.")

    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise fail("empty list item")
        range_text, _, step_text = item.partition("/")
        step = 1
        if step_text or item.endswith("/"):
            if not step_text.isdigit() or int(step_text) == 0:
                raise fail(f"step '{step_text}' must be a whole number above 0")
            step = int(step_text)
        if range_text == "*":
            low, high = spec.low, spec.high
        elif "-" in range_text:
            start_text, _, end_text = range_text.partition("-")
            low, high = _value(start_text, spec, fail), _value(end_text, spec, fail)
            if low > high:
                raise fail(f"range {range_text} runs backwards")
        else:
            low = _value(range_text, spec, fail)
            high = spec.high if step_text else low  # `a/n` means a, a+n, ... up to the maximum
        values.update(range(low, high + 1, step))
    return frozenset(values)


def _value(text: str, spec: _Field, fail: Callable[[str], CronError]) -> int:
    name = text.upper()
    if name in spec.names:
        return spec.names[name]
    if not text.isdigit():
        expected = f"a number {spec.low}-{spec.high}"
        if spec.names:
            expected += f" or a name ({', '.join(spec.names)})"
        raise fail(f"'{text}' is not {expected}")
    number = int(text)
    if not spec.low <= number <= spec.high:
        raise fail(f"{number} is out of range {spec.low}-{spec.high}")
    return number


def schedule_callback(value: str | None) -> str | None:
    """Typer callback: a usage error (exit code 2) naming the option for an invalid cron expression."""
    if value is not None:
        try:
            parse_cron(value)
        except CronError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value
