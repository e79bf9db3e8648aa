"""Keeping secrets out of logs, errors, traces and output.

Every value resolved from a secret (an argument defaulting to `dlt.secrets.value`, destination
credentials) is remembered for the process; `redact()` replaces those values in any text.
"""

from __future__ import annotations

import logging
from typing import Any

REDACTED = "***"
_secrets: set[str] = set()


def remember_secret(value: Any) -> None:
    """Remember a secret value (and its string fields) so it can be redacted later."""
    if isinstance(value, dict):
        for item in value.values():
            remember_secret(item)
        return
    if isinstance(value, (str, bytes)):
        text = value.decode(errors="ignore") if isinstance(value, bytes) else value
        if len(text) >= 4:
            _secrets.add(text)


def redact(text: str) -> str:
    """`text` with every remembered secret replaced by `***`."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secrets from messages and their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message in place; always keep the record."""
        if _secrets:
            record.msg = redact(record.getMessage())
            record.args = ()
        return True
