"""Logging of dlt: level from `runtime.log_level` (INFO by default), readable format."""

from __future__ import annotations

import logging
import sys

from dlt.configuration.redaction import RedactingFilter

LOG_FORMAT = "%(asctime)s|%(levelname)s|%(name)s|%(message)s"
_configured = False


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
        handler.setLevel(logging.WARNING if level == "INFO" else logger.level)
        logger.addHandler(handler)
    logger.addFilter(RedactingFilter())
    _configured = True
    return logger
