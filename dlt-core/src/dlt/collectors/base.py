"""The collector interface: named counters that a pipeline step updates while it runs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from typing import Any, TypeVar

TCollector = TypeVar("TCollector", bound="Collector")


class Collector(ABC):
    """Counts what a step processes, e.g. rows per table, and shows or stores the counts.

    A step runs inside `with collector("Extract my_source"):`; the step calls
    `update(name, inc)` as work is done. Counters are created on first update.
    """

    step: str | None = None

    @abstractmethod
    def update(self, name: str, inc: int = 1, total: int | None = None,
               inc_total: int | None = None, message: str | None = None,
               label: str | None = None) -> None:
        """Add `inc` to counter `name` (created with `total` on first use); `inc_total` raises
        the total, `message` is shown next to the counter, `label` makes a sub-counter."""

    @abstractmethod
    def _start(self, step: str) -> None:
        """Start counting for the step named `step`."""

    @abstractmethod
    def _stop(self) -> None:
        """Stop counting: show the final counts and release the screen or stream."""

    def __call__(self: TCollector, step: str) -> TCollector:
        """Name the step for the following `with` block."""
        self.step = step
        return self

    def __enter__(self: TCollector) -> TCollector:
        self._start(self.step or "")
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        self._stop()

    # trace callbacks, as dlt 1.31 collectors have them; they do nothing by default
    def on_start_trace(self, trace: Any, step: Any, pipeline: Any) -> None:
        """Called when a pipeline trace starts."""

    def on_start_trace_step(self, trace: Any, step: Any, pipeline: Any) -> None:
        """Called when a step of the trace starts."""

    def on_end_trace_step(self, trace: Any, step: Any, pipeline: Any, step_info: Any,
                          send_state: bool) -> None:
        """Called when a step of the trace ends."""

    def on_end_trace(self, trace: Any, pipeline: Any, send_state: bool) -> None:
        """Called when the trace ends."""


class NullCollector(Collector):
    """Counts nothing: the collector of a pipeline without `progress=`."""

    def update(self, name: str, inc: int = 1, total: int | None = None,
               inc_total: int | None = None, message: str | None = None,
               label: str | None = None) -> None:
        """Ignore the update."""

    def _start(self, step: str) -> None:
        """Nothing to start."""

    def _stop(self) -> None:
        """Nothing to stop."""


class DictCollector(Collector):
    """Keeps the counts of the running step in `counters` (for tests and programs)."""

    def __init__(self) -> None:
        self.step = None
        self.counters: defaultdict[str, int] | None = None

    def update(self, name: str, inc: int = 1, total: int | None = None,
               inc_total: int | None = None, message: str | None = None,
               label: str | None = None) -> None:
        """Add `inc` to `counters[name]` (`counters["name_label"]` with a label)."""
        assert self.counters is not None, "update() outside of a step"
        self.counters[f"{name}_{label}" if label else name] += inc

    def _start(self, step: str) -> None:
        self.counters = defaultdict(int)

    def _stop(self) -> None:
        self.counters = None


NULL_COLLECTOR = NullCollector()
"""The shared collector that counts nothing."""


def is_null(collector: Any) -> bool:
    """True when `collector` reports nothing, so steps can skip the work of counting."""
    return collector is None or isinstance(collector, NullCollector)
