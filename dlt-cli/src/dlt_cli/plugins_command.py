"""`dlt plugins list`: every plugin the loader saw, what it provides and whether it works."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from dlt_cli.errors import CliError

if TYPE_CHECKING:
    from dlt.plugins import PluginRecord

COLUMNS = ("NAME", "DISTRIBUTION", "VERSION", "HOOKS", "PROVIDES", "STATUS")
STATUS_STYLES = {"ok": "green", "blocked": "yellow", "incompatible": "red", "error": "red"}
#: width of the table when stdout is not a terminal, so piped output keeps one row per line
PIPE_WIDTH = 200


def register(app: typer.Typer) -> None:
    """Add the `plugins` command group to `app`."""
    plugins_app = typer.Typer(
        name="plugins", help="Inspect the installed dlt plugins.", no_args_is_help=True
    )
    plugins_app.command("list")(list_plugins)
    app.add_typer(plugins_app, name="plugins")


def list_plugins(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON list of plugin records.")
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit with code 1 when any plugin is not ok.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Show the traceback of each failed plugin.")
    ] = False,
) -> None:
    """List every plugin: its distribution, version, hooks, what it provides and its status."""
    from dlt.plugins import get_plugin_manager

    records = sorted(get_plugin_manager().records.values(), key=lambda record: record.name)
    if as_json:
        typer.echo(json.dumps([record.to_dict() for record in records], indent=2))
    else:
        _print_table(records)
    failed = [record for record in records if not record.ok]
    if verbose:
        for record in failed:
            typer.echo(f"\nTraceback of plugin '{record.name}' ({record.status}):", err=True)
            typer.echo((record.error_traceback() or "no error recorded").rstrip(), err=True)
    if check and failed:
        listing = ", ".join(f"{record.name} ({record.status})" for record in failed)
        raise CliError(f"{len(failed)} of {len(records)} plugins are not ok: {listing}.")


def _print_table(records: list[PluginRecord]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, PIPE_WIDTH))
    table = Table(*COLUMNS, box=None, header_style="bold", pad_edge=False)
    for record in records:
        style = STATUS_STYLES.get(record.status, "")
        table.add_row(
            record.name,
            record.distribution or "-",
            record.version or "-",
            ", ".join(sorted(record.hooks)) or "-",
            ", ".join(record.provided()) or "-",
            f"[{style}]{record.status}[/]" if style else record.status,
        )
    console.print(table)
    problems = [record for record in records if record.error is not None]
    if problems:
        console.print()
        for record in problems:
            console.print(f"{record.name}: {record.error_text()}", markup=False, highlight=False)
