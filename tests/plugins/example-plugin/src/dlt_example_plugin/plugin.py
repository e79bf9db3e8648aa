"""Hook implementations of the `example` plugin: only registration, imports happen inside."""

from __future__ import annotations

from typing import Any

from dlt import hookimpl


@hookimpl
def register_destinations(register: Any) -> None:
    """Register the jsonl-files destination as `example_files`."""
    from dlt_example_plugin.destination import example_files

    register("example_files", example_files)


@hookimpl
def register_sources(register: Any) -> None:
    """Register the numbers source as `example_numbers`."""
    from dlt_example_plugin.source import example_numbers

    register("example_numbers", example_numbers)


@hookimpl
def register_commands(app: Any) -> None:
    """Add the `dlt example` command group."""
    from dlt_example_plugin.commands import example_app

    app.add_typer(example_app, name="example")
