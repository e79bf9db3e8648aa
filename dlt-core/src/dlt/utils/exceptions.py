"""The base exception of dlt and the errors shared by several parts of it.

`TerminalException` and `TransientException` are mixins, as in dlt 1.31: any exception class
(ours or a user's) that derives from one is treated as terminal or transient. Our own
`TerminalError` and `TransientError` derive from them, so `isinstance(error, TerminalException)`
holds for every terminal error dlt raises, and a user's `TerminalException` subclass is
recognised wherever dlt checks for the mixin.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any


class DltException(Exception):
    """Base of every error dlt raises on purpose; its message is a sentence for the user.

    Its text never holds a secret: `str()` (and so every printed traceback) is redacted, also
    of a secret that became known after the error was raised."""

    def __str__(self) -> str:
        from dlt.configuration.redaction import redact

        return redact(super().__str__())


class TerminalException(BaseException):  # noqa: N818 - the name dlt 1.31 users import
    """Mixin marking an error that retrying cannot fix."""


class TransientException(BaseException):  # noqa: N818 - the name dlt 1.31 users import
    """Mixin marking an error that may go away when retried."""


class TerminalError(DltException, TerminalException):
    """An error that retrying cannot fix (bad data, bad configuration, missing privileges)."""


class TransientError(DltException, TransientException):
    """An error that may go away when retried (a dropped connection, a timeout, a rate limit)."""


class TerminalValueError(ValueError, TerminalException):
    """A bad value that retrying cannot fix; dlt 1.31's name, for sources that raise it so
    `retry_load` and retrying clients give up at once."""


class ValueErrorWithKnownValues(ValueError):
    """A value that is not one of the known valid ones (dlt 1.31's class, e.g. for a custom
    destination's `loader_file_format`); `hint` says what to do instead."""

    def __init__(self, key: str, value_received: Any, valid_values: Collection[Any],
                 hint: str = "") -> None:
        self.key = key
        self.value_received = value_received
        self.valid_values = valid_values
        self.msg = (f"Received invalid value `{key}={value_received}`. Valid values are:"
                    f" {list(valid_values)}" + (f". {hint}" if hint else ""))
        super().__init__(self.msg)


class DictValidationException(DltException):  # noqa: N818 - the name dlt 1.31 users import
    """A dict of settings (a resource's hints, a source's configuration) that does not
    validate; dlt 1.31 raises it for, e.g., an unknown `write_disposition`."""


class MissingDependencyException(DltException, ImportError):  # noqa: N818 - dlt 1.31 name
    """A feature needs a package that is not installed; the message says what to install."""

    def __init__(self, caller: str, dependencies: Sequence[str], appendix: str = "") -> None:
        self.caller = caller
        self.dependencies = list(dependencies)
        self.appendix = appendix
        packages = " ".join(f'"{d}"' for d in self.dependencies)
        message = (f"{caller} needs {', '.join(self.dependencies)}, which is not installed."
                   f" Install it with: pip install {packages}")
        if appendix:
            message += f" {appendix}"
        super().__init__(message)
