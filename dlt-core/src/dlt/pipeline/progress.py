"""Progress reporting of long runs: rows and rows per second per table, as log lines or a bar."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

logger = logging.getLogger("dlt.progress")


class ProgressReporter:
    """Counts rows per table during a step and reports them every `interval` seconds.

    `progress="log"` writes log lines (logger `dlt.progress`); any other true value (e.g.
    `"bar"`) rewrites one status line on stderr; None/False stays quiet.
    """

    def __init__(self, progress: Any, step: str, interval: float = 1.0) -> None:
        self.mode = progress
        self.step = step
        self.interval = interval
        self.counts: dict[str, int] = {}
        self.started = time.perf_counter()
        self._last = self.started

    def update(self, table: str, rows: int) -> None:
        """Add `rows` to `table`; report when the interval passed."""
        if not self.mode:
            return
        self.counts[table] = self.counts.get(table, 0) + rows
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            self._emit(final=False)

    def finish(self, counts: dict[str, int] | None = None) -> None:
        """Report the totals of the step."""
        if not self.mode:
            return
        if counts is not None:
            self.counts = dict(counts)
        self._emit(final=True)

    def line(self) -> str:
        """The current status as one line."""
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        parts = [f"{table}: {rows} rows ({rows / elapsed:,.0f} rows/s)"
                 for table, rows in sorted(self.counts.items()) if not table.startswith("_dlt")]
        return f"[{self.step}] {elapsed:.1f}s " + (", ".join(parts) or "no rows yet")

    def _emit(self, final: bool) -> None:
        text = self.line()
        if self.mode == "log":
            logger.info(text)
        else:
            sys.stderr.write("\r" + text + ("\n" if final else ""))
            sys.stderr.flush()
