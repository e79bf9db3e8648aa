"""ISO 8601 datetime texts as stdlib datetimes, on every supported Python."""

from __future__ import annotations

from datetime import datetime


def datetime_from_iso(text: str) -> datetime:
    """`datetime.fromisoformat` that also reads a `Z` suffix on Python 3.10 (3.11 reads it);
    ValueError for text that is not ISO 8601."""
    return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
