"""The `dlt example` command group that the plugin adds to the `dlt` command line.

Imported only from the `register_commands` hook, which runs inside `dlt-cli`, so `typer` is
available there without being a dependency of this distribution.
"""

from __future__ import annotations

from typing import Annotated

import typer

example_app = typer.Typer(help="Commands of dlt-example-plugin.", no_args_is_help=True)


@example_app.command()
def hello(
    name: Annotated[str, typer.Argument(help="Who to greet.")] = "World",
) -> None:
    """Greet NAME."""
    typer.echo(f"Hello {name} from dlt-example-plugin")
