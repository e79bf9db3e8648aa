"""The `dlt` command: a typer application made of one module per command plus plugin commands.

Importing this module is cheap: dlt-core and the plugins load only when `main()` runs. To add a
command, write a module with a `register(app: typer.Typer)` function and list it in
`COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from dlt_cli.errors import USER_ERROR, report_error
from dlt_cli.plugin_hooks import load_plugin_manager, register_plugin_commands

#: Modules that each add one built-in command (or command group) through `register(app)`.
COMMAND_MODULES: tuple[str, ...] = (
    "dlt_cli.init_command",
    "dlt_cli.deploy_command",
    "dlt_cli.schema_command",
    "dlt_cli.pipeline_command",
    "dlt_cli.run_command",
    "dlt_cli.plugins_command",
)

VERBOSE_FLAGS = ("-v", "--verbose")


def _show_version(value: bool) -> None:
    if not value:
        return
    from dlt_cli.versions import version_text

    typer.echo(version_text(load_plugin_manager()))
    raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Show the versions of dlt-core, dlt-cli and every plugin, then exit.",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option(*VERBOSE_FLAGS, help="Show tracebacks of errors.")
    ] = False,
) -> None:
    """dlt, the data load tool: load data from anything iterable into a database."""


def build_app(*, with_plugins: bool = True) -> typer.Typer:
    """The root typer application with the built-in commands and, optionally, plugin commands."""
    app = typer.Typer(
        name="dlt",
        # plain help text (click's layout): docstrings are re-wrapped as paragraphs, flags show
        # no "<bool>", and brackets in help texts ("dlt-core[tqdm]") are not read as markup
        rich_markup_mode=None,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)
    if with_plugins:
        manager = load_plugin_manager()
        if manager is not None:
            register_plugin_commands(app, manager)
    _plain_help(app)
    return app


def _plain_help(app: typer.Typer) -> None:
    """Give every command group (built-in or a plugin's) the root's plain help layout."""
    for group in app.registered_groups:
        if group.typer_instance is not None:
            group.typer_instance.rich_markup_mode = app.rich_markup_mode
            _plain_help(group.typer_instance)


def wants_traceback(args: Sequence[str]) -> bool:
    """True when `-v`/`--verbose` appears among the options (before a `--`)."""
    for arg in args:
        if arg == "--":
            return False
        if arg in VERBOSE_FLAGS:
            return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `dlt` command with `argv` (default: the process arguments); return the exit code.

    Typer itself reports usage errors (exit code 2) and `typer.Exit`; every other error is
    reported here as one sentence with exit code 1.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        build_app()(args=args, prog_name="dlt")
    except SystemExit as exit_:
        return _exit_code(exit_.code)
    except Exception as error:  # CliError and dlt errors: one sentence, exit code 1
        return report_error(error, verbose=wants_traceback(args))
    return 0


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message") convention
    return USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
