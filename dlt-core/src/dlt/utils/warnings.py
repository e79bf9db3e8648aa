"""Warnings dlt emits on purpose."""

from __future__ import annotations


class DltDeprecationWarning(DeprecationWarning):
    """A name or option that still works but will go away; the message names its replacement."""

    def __init__(self, message: str, since: str | None = None) -> None:
        self.since = since
        super().__init__(f"{message} (deprecated since dlt {since})" if since else message)
