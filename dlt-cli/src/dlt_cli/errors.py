"""How the `dlt` command reports errors: one sentence on stderr and an exit code.

Exit code 1 is a user or data error, 2 a usage error (unknown command or option). Tracebacks
are printed only when the command line asks for them with `-v`/`--verbose`.
"""

from __future__ import annotations

import sys
import traceback

import typer

USER_ERROR = 1
USAGE_ERROR = 2


class CliError(Exception):
    """An error the user can fix, printed as its message alone with `exit_code`."""

    def __init__(self, message: str, exit_code: int = USER_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def warn(message: str) -> None:
    """Print a warning line on stderr."""
    typer.echo(f"Warning: {message}", err=True)


def report_error(error: BaseException, *, verbose: bool) -> int:
    """Print `error` on stderr as one sentence (and its traceback when `verbose`); return the exit code."""
    if verbose:
        typer.echo(redact("".join(traceback.format_exception(error)).rstrip()), err=True)
    if isinstance(error, CliError):
        typer.echo(f"Error: {redact(str(error))}", err=True)
        return error.exit_code
    message = redact(str(error).strip()) or type(error).__name__
    if _is_dlt_error(error):
        typer.echo(f"Error: {message}", err=True)
    else:
        hint = "" if verbose else " Run again with -v to see the traceback."
        typer.echo(f"Error: {type(error).__name__}: {message}{hint}", err=True)
    return USER_ERROR


def redact(text: str) -> str:
    """`text` with every secret this process resolved replaced by `***`.

    Errors of dlt are redacted when raised; this also covers errors of drivers and libraries
    that quote a connection string. Only secrets dlt has seen are known, and dlt is not imported
    just for this.
    """
    redaction = sys.modules.get("dlt.configuration.redaction")
    return redaction.redact(text) if redaction is not None else text


def _is_dlt_error(error: BaseException) -> bool:
    """True for errors dlt raises on purpose, whose message is written for the user."""
    return any(cls.__module__.split(".")[0] == "dlt" for cls in type(error).__mro__)
