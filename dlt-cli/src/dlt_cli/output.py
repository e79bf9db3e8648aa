"""How commands print: rich tables for people, JSON for programs, a spinner for long work.

Tables and JSON go to stdout; progress and notes go to stderr, so `--json` output and piped
tables stay clean.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer

#: width of tables when stdout is not a terminal, so piped output keeps one row per line
PIPE_WIDTH = 200


def stdout_console() -> Any:
    """A rich console on stdout, wide when piped."""
    from rich.console import Console

    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(width=max(console.width, PIPE_WIDTH), highlight=False)
    return console


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """Print rows under bold column headers; cells are shown as text, never as rich markup."""
    from rich.table import Table
    from rich.text import Text

    table = Table(*columns, box=None, header_style="bold", pad_edge=False, title=title,
                  title_justify="left", title_style="bold")
    for row in rows:
        table.add_row(*(Text("-" if cell is None else str(cell)) for cell in row))
    stdout_console().print(table)


def print_pairs(pairs: Sequence[tuple[str, Any]]) -> None:
    """Print `label: value` lines with aligned values."""
    width = max((len(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        typer.echo(f"{label + ':':<{width + 1}} {'-' if value is None else value}")


def print_json(data: Any) -> None:
    """Print `data` as indented JSON (dates and other objects as strings)."""
    typer.echo(json.dumps(data, indent=2, default=str))


def note(message: str) -> None:
    """Print a line for the person at the terminal on stderr (kept out of piped output)."""
    typer.echo(message, err=True)


@contextmanager
def progress(message: str) -> Iterator[None]:
    """Show a spinner with `message` on stderr while the block runs (plain text when piped)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield
