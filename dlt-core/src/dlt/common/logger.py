"""`dlt.common.logger`: dlt 1.31's logging functions (`logger.info(...)`), writing to the "dlt"
logger that every message of ours goes to (with its redaction of secrets)."""

import logging
from typing import Any, Callable

LOGGER = logging.getLogger("dlt")
"""The "dlt" logger itself."""


def _logging_at(level: int) -> Callable[..., None]:
    """A function logging its message at `level` on the "dlt" logger, attributed to its caller."""
    def log(msg: str, *args: Any, **kwargs: Any) -> None:
        LOGGER.log(level, msg, *args, stacklevel=2, **kwargs)

    log.__name__ = logging.getLevelName(level).lower()
    log.__doc__ = f"Log `msg` at {logging.getLevelName(level)} on the \"dlt\" logger."
    return log


debug = _logging_at(logging.DEBUG)
info = _logging_at(logging.INFO)
warning = _logging_at(logging.WARNING)
error = _logging_at(logging.ERROR)
critical = _logging_at(logging.CRITICAL)


def exception(msg: str, *args: Any, **kwargs: Any) -> None:
    """Log `msg` at ERROR with the exception being handled."""
    LOGGER.exception(msg, *args, stacklevel=2, **kwargs)


def is_logging() -> bool:
    """True when the "dlt" logger writes anything (a level below CRITICAL + 1 and a handler)."""
    return LOGGER.isEnabledFor(logging.CRITICAL) and LOGGER.hasHandlers()


def log_level() -> str:
    """The name of the "dlt" logger's effective level, e.g. "WARNING"."""
    return logging.getLevelName(LOGGER.getEffectiveLevel())


__all__ = ["LOGGER", "critical", "debug", "error", "exception", "info", "is_logging", "log_level", "warning"]
