"""What happens to each item a resource yields: its steps, validation, incremental and limit.

The order is dlt 1.31's, whatever order they were added in: the user's `add_map` /
`add_filter` / `add_yield_map` steps first (in the order added), then the pydantic validator,
then the incremental cursor, then the limit, so `add_limit` counts what passed the filters.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dlt.extract.mark import DataItemWithMeta

MAP, FILTER, YIELD_MAP, METRICS = "map", "filter", "yield_map", "metrics"
SELECT_TABLES = "select_tables"
"""A filter that also sees the item's `dlt.mark` meta: `function(item, meta)`."""
STEP = "step"
"""dlt 1.31's `add_step(function)`: `function(item, meta)` of what the resource yields as a
whole (a page stays one value); None drops it."""


@dataclass(frozen=True)
class Limit:
    """`add_limit(max_items, max_time, count_rows)` of a resource."""

    max_items: int | None = None
    max_time: float | None = None
    count_rows: bool = False

    @property
    def is_zero(self) -> bool:
        """True when the resource must yield nothing at all."""
        return self.max_items == 0


def count_rows(item: Any) -> int:
    """Rows in an item: a page's length, an Arrow table's or frame's row count, else 1."""
    if isinstance(item, list):
        return len(item)
    rows = getattr(item, "num_rows", None)
    if isinstance(rows, int):
        return rows
    if type(item).__module__.startswith(("pandas", "polars")):
        return len(item)
    return 1


def apply_step(kind: str, function: Callable[..., Any], item: Any, meta: Any = None) -> list[Any]:
    """The items one step makes of `item` (marked with `meta`, or None); a page (list) is
    handled element by element (a metrics step sees the whole page and passes it on
    unchanged)."""
    if kind == METRICS:
        function(item)
        return [item]
    if kind == STEP:
        stepped = function(item, meta)
        return [] if stepped is None else [stepped]
    if kind == SELECT_TABLES:
        if isinstance(item, list):
            return [[i for i in item if function(i, meta)]]
        return [item] if function(item, meta) else []
    if isinstance(item, list):
        if kind == MAP:
            # as in dlt 1.31, an item the map returns None for is dropped
            return [[mapped for mapped in map(function, item) if mapped is not None]]
        if kind == FILTER:
            return [[i for i in item if function(i)]]
        return [[r for i in item for r in _yielded(function(i))]]
    if kind == MAP:
        mapped = function(item)
        return [] if mapped is None else [mapped]
    if kind == FILTER:
        return [item] if function(item) else []
    return list(_yielded(function(item)))


def _yielded(result: Any) -> Any:
    return () if result is None else result


class ItemProcessor:
    """The running state of one resource's item processing during one evaluation."""

    def __init__(self, steps: list[tuple[str, Any]], validator: Any, incremental: Any,
                 limit: Limit | None) -> None:
        """`incremental` is the evaluation's `IncrementalSlot` (its cursor may be bound later,
        when the resource's function is called)."""
        self.steps = steps
        self.validator = validator
        self.incremental = incremental
        self.limit = limit
        self.count = 0
        self.started = time.monotonic()
        self.exhausted = False
        """Set when the limit is reached: the resource must stop producing."""

    @property
    def trivial(self) -> bool:
        """True when items pass unchanged: no steps, validation, bound incremental or limit."""
        return (not self.steps and self.validator is None and self.limit is None
                and (self.incremental is None or self.incremental.cursor is None))

    def process(self, item: Any, meta: Any = None) -> list[Any]:
        """The pages or items to emit for one yielded `item` (possibly none); `meta` is the
        `dlt.mark` meta of a marked item."""
        if self.exhausted:
            return []
        if type(item) is DataItemWithMeta:
            return [DataItemWithMeta(item.meta, out) for out in self.process(item.data, item.meta)]
        items = [item]
        for kind, function in self.steps:
            items = [out for current in items for out in apply_step(kind, function, current, meta)]
        if self.validator is not None:
            items = [self.validator(current) for current in items]
        incremental = self.incremental
        if incremental is not None and incremental.cursor is not None:
            items = [kept for kept in (incremental.filter(i) for i in items) if kept is not None]
            if incremental.should_close():
                # ordered data left the window: the resource may stop reading its source
                self.exhausted = True
        if self.limit is not None:
            items = self._limited(items)
        return items

    def _limited(self, items: list[Any]) -> list[Any]:
        limit = self.limit
        assert limit is not None
        kept = []
        for item in items:
            self.count += count_rows(item) if limit.count_rows else 1
            kept.append(item)
            reached = limit.max_items is not None and self.count >= limit.max_items
            timed_out = limit.max_time is not None and time.monotonic() - self.started > limit.max_time
            if reached or timed_out:
                self.exhausted = True
                break
        return kept
