"""Logging of dlt: level from `runtime.log_level` (INFO by default), readable format."""

from __future__ import annotations

import logging
import sys

from dlt.configuration.redaction import RedactingFilter

LOG_FORMAT = "%(asctime)s|%(levelname)s|%(name)s|%(message)s"
_configured = False
#: the loggers dlt writes to: everything goes to `dlt`, progress lines to `dlt.progress`
REDACTED_LOGGERS = ("dlt", "dlt.progress")


class _WarningsAndProgress(logging.Filter):
    """Passes warnings and errors, and the progress lines of the `dlt.progress` logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        """True for records of WARNING and above, and for progress records."""
        return record.levelno >= logging.WARNING or record.name == "dlt.progress"


def configure_logging() -> logging.Logger:
    """Set up the `dlt` logger once per process from configuration."""
    global _configured
    logger = logging.getLogger("dlt")
    if _configured:
        return logger
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([("runtime", "log_level")])
    level = str(found[0]).upper() if found else "INFO"
    logger.setLevel(getattr(logging, level, logging.INFO))
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(RedactingFilter())
        # quiet by default (warnings only, as dlt 1.31); RUNTIME__LOG_LEVEL=INFO or DEBUG prints more.
        # Progress lines (progress=dlt.progress.log(logger="dlt_logger")) were asked for: they
        # show at the logger's level
        handler.setLevel(logger.level)
        if not found:
            handler.addFilter(_WarningsAndProgress())
        logger.addHandler(handler)
    # a logger filter redacts a record before any handler sees it, also handlers of the root
    # logger the record propagates to (an application's own logging, pytest's caplog)
    for name in REDACTED_LOGGERS:
        logging.getLogger(name).addFilter(RedactingFilter())
    _configured = True
    return logger
