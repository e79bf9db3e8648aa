"""`progress="log"`: counters written as text lines to stdout, a stream or a logger."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import NamedTuple, TextIO, Union

from dlt.collectors.base import Collector

PROGRESS_LOGGER = "dlt.progress"
"""The logger that `logger="dlt_logger"` writes to; dlt's own handler shows its INFO lines
even at the default log level, because progress lines are asked for explicitly."""

TLogTarget = Union[logging.Logger, logging.LoggerAdapter, TextIO, str]


class _CounterInfo(NamedTuple):
    description: str
    start_time: float
    total: int | None


class LogCollector(Collector):
    """Writes every counter of the running step every `log_period` seconds.

    The lines go to `logger`: `"stdout"` (the default, the current `sys.stdout` at the time of
    writing), `"dlt_logger"` (the `dlt.progress` logger), a `logging.Logger`, or any text
    stream. A background timer writes them also while nothing is counted (a resource waiting on
    an API, a long load job), so a long step shows a line at least every `log_period` seconds.
    `dump_system_stats` adds the memory and CPU use of the process (needs `psutil`, the
    `dlt-core[psutil]` extra; by default added when psutil is installed, and asked for without
    it a warning says how to install it).
    """

    def __init__(self, log_period: float = 1.0, logger: TLogTarget | None = "stdout",
                 log_level: int = logging.INFO, dump_system_stats: bool | None = None) -> None:
        self.step = None
        self.log_period = log_period
        self.logger: TLogTarget = "dlt_logger" if logger is None else logger
        self.log_level = log_level
        if dump_system_stats is None:
            dump_system_stats = _has_psutil()
        elif dump_system_stats and not _has_psutil():
            import warnings

            # as dlt 1.31: the lines come without memory and CPU use
            warnings.warn('dump_system_stats needs psutil, which is not installed: progress lines'
                          ' show no memory and CPU use. Install it with: pip install'
                          ' "dlt-core[psutil]", or pass dump_system_stats=False.', stacklevel=2)
            dump_system_stats = False
        self.dump_system_stats = dump_system_stats
        self.counters: dict[str, int] | None = None
        self.counter_info: dict[str, _CounterInfo] = {}
        self.messages: dict[str, str | None] = {}
        self.last_log_time: float | None = None
        self._lock = threading.RLock()
        self._stopping: threading.Event | None = None
        self._timer: threading.Thread | None = None
        self._started = time.monotonic()

    def update(self, name: str, inc: int = 1, total: int | None = None,
               inc_total: int | None = None, message: str | None = None,
               label: str | None = None) -> None:
        """Add `inc` to the counter and write the lines when `log_period` has passed."""
        key = f"{name}_{label}" if label else name
        with self._lock:
            if self.counters is None:
                return
            info = self.counter_info.get(key)
            if info is None:
                self.counters[key] = 0
                self.counter_info[key] = _CounterInfo(f"{name} ({label})" if label else name,
                                                      time.monotonic(), total)
                self.messages[key] = None
            elif inc_total:
                self.counter_info[key] = info._replace(total=(info.total or 0) + inc_total)
            elif total is not None and info.total != total:
                self.counter_info[key] = info._replace(total=total)
            self.counters[key] += inc
            if message is not None:
                self.messages[key] = message
            self.maybe_log()

    def maybe_log(self) -> None:
        """Write the lines if `log_period` passed since the last time."""
        with self._lock:
            now = time.monotonic()
            # a step shorter than one period shows its counters once, when it ends
            last = self.last_log_time if self.last_log_time is not None else self._started
            if now - last >= self.log_period:
                self.on_log()

    def on_log(self) -> None:
        """Write the lines now."""
        with self._lock:
            if self.counters is None:
                return
            self.last_log_time = time.monotonic()
            self._write(self.format_counters())

    def format_counters(self) -> str:
        """The step header, one line per counter and, if enabled, the memory and CPU use."""
        now = time.monotonic()
        lines = [f" {self.step} ".center(80, "-")]
        for key, count in (self.counters or {}).items():
            lines.append(self._counter_line(key, count, self.counter_info[key], now))
        if self.dump_system_stats:
            lines.append(_system_stats_line())
        return "\n".join(lines)

    def _counter_line(self, key: str, count: int, info: _CounterInfo, now: float) -> str:
        elapsed = now - info.start_time
        rate = count / elapsed if elapsed > 0 else 0.0
        progress = f"{count}/{info.total} ({count / info.total * 100:.1f}%)" if info.total else f"{count}"
        message = f" [{self.messages[key]}]" if self.messages.get(key) else ""
        return f"{info.description}: {progress} | Time: {elapsed:.2f}s | Rate: {rate:.2f}/s{message}"

    def _write(self, text: str) -> None:
        target = self.logger
        if target == "dlt_logger":
            target = logging.getLogger(PROGRESS_LOGGER)
        if isinstance(target, (logging.Logger, logging.LoggerAdapter)):
            target.log(self.log_level, text)
            return
        stream = sys.stdout if isinstance(target, str) else target
        stream.write(text + "\n")
        stream.flush()

    def _start(self, step: str) -> None:
        with self._lock:
            self.counters = {}
            self.counter_info = {}
            self.messages = {}
            self.last_log_time = None
            self._started = time.monotonic()
        if self.log_period and self.log_period > 0:
            self._stopping = threading.Event()
            self._timer = threading.Thread(target=self._tick, args=(self._stopping,),
                                           name="dlt-progress-log", daemon=True)
            self._timer.start()

    def _tick(self, stopping: threading.Event) -> None:
        # the period is checked again under the lock: an update may just have written
        while not stopping.wait(self.log_period / 2):
            with self._lock:
                if self.counters is not None:
                    self.maybe_log()

    def _stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
            if self._timer is not None:
                self._timer.join()
            self._stopping = self._timer = None
        with self._lock:
            self.on_log()
            self.counters = None
            self.last_log_time = None


def _has_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def _system_stats_line() -> str:
    import psutil

    process = psutil.Process(os.getpid())
    rss_mb = process.memory_info().rss / 1024 ** 2
    return (f"Memory usage: {rss_mb:.2f} MB ({psutil.virtual_memory().percent:.2f}%) |"
            f" CPU usage: {process.cpu_percent():.2f}%")
