"""Progress reporting of long runs: log lines with rows and rows per second per table."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

logger = logging.getLogger("dlt.progress")


class ProgressReporter:
    """Reports step progress according to the pipeline's `progress` option.

    `progress="log"` logs a line per package and step; `progress="bar"` (or any other true
    value) writes a one-line status to stderr; None/False stays quiet.
    """

    _started: dict[str, float] = {}

    @classmethod
    def report(cls, progress: Any, step: str, load_id: str, row_counts: dict[str, int]) -> None:
        """Report that `step` finished package `load_id` with `row_counts`."""
        if not progress:
            return
        now = time.perf_counter()
        started = cls._started.setdefault(f"{step}:{load_id}", now)
        elapsed = max(now - started, 1e-9)
        parts = [f"{table}: {rows} rows" + (f" ({rows / elapsed:,.0f} rows/s)" if elapsed > 1e-3 else "")
                 for table, rows in sorted(row_counts.items()) if not table.startswith("_dlt")]
        line = f"[{step}] package {load_id}: " + (", ".join(parts) or "no rows")
        if progress == "log":
            logger.info(line)
        else:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
