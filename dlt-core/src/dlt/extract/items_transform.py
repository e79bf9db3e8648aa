"""`dlt.extract.items_transform`: dlt 1.31's import path of `LimitItem`, the object
`resource.limit` gives once `add_limit` was called."""

from __future__ import annotations

from typing import Any


class LimitItem:
    """The limit of a resource as `add_limit(max_items, max_time, count_rows)` set it.

    `max_items` is -1 when only a time limit (or no limit) was given, as in dlt 1.31. Changing
    the attributes does not change the resource: call `add_limit` again for that.
    """

    def __init__(self, max_items: int | None, max_time: float | None, count_rows: bool) -> None:
        self.max_items = max_items if max_items is not None else -1
        self.max_time = max_time
        self.count_rows = count_rows
        self._custom_metrics: dict[str, Any] = {}

    @property
    def custom_metrics(self) -> dict[str, Any]:
        """Metrics of this step (a limit collects none)."""
        return self._custom_metrics

    def limit(self, chunk_size: int) -> int | None:
        """The most rows the resource yields when each page holds `chunk_size` rows (rows are
        counted directly with `count_rows`); None without a count limit."""
        if self.max_items in (None, -1):
            return None
        return self.max_items * (1 if self.count_rows else chunk_size)

    def __repr__(self) -> str:
        return (f"LimitItem(max_items={self.max_items!r}, max_time={self.max_time!r},"
                f" count_rows={self.count_rows!r})")


__all__ = ["LimitItem"]
