"""The dashboard's HTML: Jinja templates with autoescaping, so every value is escaped.

Every value a template prints also passes through `redact()`, so a secret this process resolved
(destination credentials) never reaches the page even if an error message quotes it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from dlt_cli.errors import redact

#: longest text shown in a cell of a data preview; the rest is cut off with an ellipsis
MAX_CELL_CHARS = 200


def build_environment() -> Any:
    """The Jinja environment of the dashboard templates (autoescape on, values redacted)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    def finalize(value: Any) -> Any:
        if isinstance(value, Markup):  # already-rendered HTML of a macro, escaped when it was built
            return value
        if isinstance(value, str):
            return redact(value)
        return value

    environment = Environment(
        loader=PackageLoader("dlt_cli.dashboard", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["cell"] = cell_text
    environment.filters["when"] = when_text
    environment.filters["seconds"] = seconds_text
    environment.filters["size"] = size_text
    return environment


def cell_text(value: Any, limit: int = MAX_CELL_CHARS) -> str:
    """A value of a table cell as text: JSON for nested values, ISO for dates, hex for bytes."""
    if value is None:
        return "NULL"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, default=str, ensure_ascii=False)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        text = bytes(value).hex()
    elif isinstance(value, (datetime, date, time)):
        text = value.isoformat()
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def when_text(value: datetime | None) -> str:
    """A time as `2024-05-01 12:00:03 UTC`-style text (seconds precision)."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    return str(value)


def seconds_text(value: float | None) -> str:
    """A duration in seconds with two decimals."""
    return "-" if value is None else f"{value:.2f} s"


def size_text(value: int | None) -> str:
    """A file size in bytes, KiB or MiB."""
    if value is None:
        return "-"
    if value < 1024:
        return f"{value} B"
    if value < 1024 * 1024:
        return f"{value / 1024:.1f} KiB"
    return f"{value / (1024 * 1024):.1f} MiB"


class Pages:
    """Renders the dashboard's pages from their templates."""

    def __init__(self) -> None:
        self._environment = build_environment()

    def render(self, template: str, **context: Any) -> str:
        """The HTML of `template` with `context`."""
        return self._environment.get_template(template).render(**context)
