"""Counting the rows normalize writes, in the main process and in worker processes.

Normalize hands rows to its job writers through `write(table, rows)` and
`write_columns(table, values, count)` callbacks; `RowCounter.wrap_rows` and `wrap_columns`
count them on the way (one dict update and one clock read per call of 500 rows or a page).
In the main process `CollectorRowCounter` passes the counts to the pipeline's collector; in a
worker process `StreamRowCounter` writes its running totals as one line to its stdout, which
the main process reads (`WORKER_PROGRESS_PREFIX`) and adds with `set_worker_counts`.
"""

from __future__ import annotations

import threading
import time
from typing import IO, Any, Callable

import orjson

WORKER_PROGRESS_PREFIX = b"dlt-progress "
"""Start of a progress line a normalize worker writes to its stdout: then JSON {table: rows}."""


class RowCounter:
    """Counts rows per table and reports them at most every `period` seconds."""

    def __init__(self, period: float = 0.5) -> None:
        self.period = period
        self.counts: dict[str, int] = {}
        self._next_report = time.monotonic() + period

    def count(self, table: str, rows: int) -> None:
        """Add `rows` to `table`; report when the period has passed."""
        self.counts[table] = self.counts.get(table, 0) + rows
        now = time.monotonic()
        if now >= self._next_report:
            self._next_report = now + self.period
            self.report()

    def report(self) -> None:
        """Pass the counts on (subclasses)."""

    def wrap_rows(self, write: Callable[[str, list[Any]], None]) -> Callable[[str, list[Any]], None]:
        """`write(table, rows)` that also counts the rows."""
        def counted(table: str, rows: list[Any]) -> None:
            write(table, rows)
            self.count(table, len(rows))
        return counted

    def wrap_columns(self, write_columns: Callable[[str, dict[str, list[Any]], int], None]
                     ) -> Callable[[str, dict[str, list[Any]], int], None]:
        """`write_columns(table, values, count)` that also counts the rows."""
        def counted(table: str, values: dict[str, list[Any]], count: int) -> None:
            write_columns(table, values, count)
            self.count(table, count)
        return counted


class StreamRowCounter(RowCounter):
    """In a worker process: writes the running totals as a line to `stream` (its stdout)."""

    def __init__(self, stream: IO[bytes], period: float = 0.5) -> None:
        super().__init__(period)
        self.stream = stream

    def report(self) -> None:
        """Write the totals so far."""
        self.stream.write(WORKER_PROGRESS_PREFIX + orjson.dumps(self.counts) + b"\n")
        self.stream.flush()


class CollectorRowCounter(RowCounter):
    """In the main process: rows counted here plus the totals of the workers, handed to a
    collector as increments per table. Worker totals arrive from reader threads."""

    def __init__(self, collector: Any, period: float = 0.5) -> None:
        super().__init__(period)
        self.collector = collector
        self.reported: dict[str, int] = {}
        self.workers: dict[int, dict[str, int]] = {}
        self._lock = threading.Lock()

    def set_worker_counts(self, index: int, counts: dict[str, int]) -> None:
        """The running totals worker `index` reported (called from its reader thread)."""
        with self._lock:
            self.workers[index] = counts

    def read_worker_stream(self, index: int, stream: IO[bytes]) -> None:
        """Read worker `index`'s stdout to its end, taking its progress lines (a thread body)."""
        for line in stream:
            if line.startswith(WORKER_PROGRESS_PREFIX):
                try:
                    self.set_worker_counts(index, orjson.loads(line[len(WORKER_PROGRESS_PREFIX):]))
                except orjson.JSONDecodeError:
                    continue

    def start_over(self) -> None:
        """Forget what this attempt counted (normalize starts again in one process); what the
        collector was shown stays, and only rows beyond it are reported again."""
        with self._lock:
            self.counts = {}
            self.workers = {}

    def totals(self) -> dict[str, int]:
        """Rows counted so far per table, here and in the workers."""
        with self._lock:
            totals = dict(self.counts)
            for counts in self.workers.values():
                for table, rows in counts.items():
                    totals[table] = totals.get(table, 0) + rows
        return totals

    def report(self, totals: dict[str, int] | None = None) -> None:
        """Hand the collector what it has not been shown yet."""
        for table, rows in (self.totals() if totals is None else totals).items():
            delta = rows - self.reported.get(table, 0)
            if delta > 0:
                self.reported[table] = rows
                self.collector.update(table, delta)

    def finish(self, exact: dict[str, int]) -> None:
        """Report the exact row counts of the package."""
        self.report(exact)
