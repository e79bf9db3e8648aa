"""The base exception of dlt and the errors shared by several parts of it."""

from __future__ import annotations


class DltException(Exception):
    """Base of every error dlt raises on purpose; its message is a sentence for the user."""


class TerminalError(DltException):
    """An error that retrying cannot fix (bad data, bad configuration, missing privileges)."""


class TransientError(DltException):
    """An error that may go away when retried (a dropped connection, a timeout, a rate limit)."""
