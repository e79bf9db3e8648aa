"""Progress bars: `progress="tqdm"`, `"enlighten"` and `"alive_progress"`.

Each library is optional and imported only when its collector is made; a missing one raises
`MissingDependencyException` (an `ImportError`) naming the dlt-core extra that installs it.
"""

from __future__ import annotations

import threading
from typing import Any

from dlt.collectors.base import Collector


def _require(module: str, collector: str, extra: str) -> Any:
    """Import `module`, or raise saying which extra of dlt-core installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module.split(".")[0]:
            raise
        from dlt.utils.exceptions import MissingDependencyException

        raise MissingDependencyException(
            f"{collector} (progress=\"{extra.replace('-', '_')}\")", [f"dlt-core[{extra}]"],
            f"The extra installs {extra}, which draws the progress bars.",
        ) from exc


def _bar_name(name: str, label: str | None) -> str:
    return f"{name}[{label}]" if label else name


class _BarCollector(Collector):
    """What the three bar collectors share: one bar per counter (`name` and `label`), made on
    first use, or only the step's first one with `single_bar`; a lock, since extract threads and
    the normalize workers' reader threads update concurrently. Subclasses make, grow, advance and
    close their library's bars."""

    def __init__(self, single_bar: bool, **bar_kwargs: Any) -> None:
        self.step = None
        self.single_bar = single_bar
        self._bar_kwargs = bar_kwargs
        self._bars: dict[str, Any] = {}
        self._lock = threading.RLock()

    def update(self, name: str, inc: int = 1, total: int | None = None,
               inc_total: int | None = None, message: str | None = None,
               label: str | None = None) -> None:
        """Advance the counter's bar, creating it on first use."""
        key = f"{name}_{label or ''}"
        with self._lock:
            bar = self._bars.get(key)
            if bar is None:
                if self._bars and self.single_bar:
                    return
                title = _bar_name(name, label)
                if not self._bars and self._title_has_step:
                    title = f"{self.step}: {title}"
                bar = self._bars[key] = self._new_bar(key, title, total)
            elif inc_total:
                self._grow(bar, inc_total)
            self._advance(bar, inc, message)

    _title_has_step = True

    def _new_bar(self, key: str, title: str, total: int | None) -> Any:
        raise NotImplementedError

    def _grow(self, bar: Any, inc_total: int) -> None:
        bar.total = (bar.total or 0) + inc_total

    def _advance(self, bar: Any, inc: int, message: str | None) -> None:
        bar.update(inc)

    def _start(self, step: str) -> None:
        self._bars = {}

    def _stop(self) -> None:
        with self._lock:
            for bar in self._bars.values():
                bar.refresh()
                bar.close()
            self._bars = {}


class TqdmCollector(_BarCollector):
    """Shows each counter as a `tqdm` bar; keyword arguments go to `tqdm` (e.g. `file=`,
    `mininterval=`). With `single_bar` only the first counter of a step gets a bar."""

    def __init__(self, single_bar: bool = False, **tqdm_kwargs: Any) -> None:
        self._tqdm = _require("tqdm", "TqdmCollector", "tqdm").tqdm
        super().__init__(single_bar, **tqdm_kwargs)
        self.tqdm_kwargs = tqdm_kwargs

    def _new_bar(self, key: str, title: str, total: int | None) -> Any:
        return self._tqdm(desc=title, total=total, **{"leave": False, **self.tqdm_kwargs})

    def _grow(self, bar: Any, inc_total: int) -> None:
        super()._grow(bar, inc_total)
        bar.refresh()

    def _advance(self, bar: Any, inc: int, message: str | None) -> None:
        if message:
            bar.set_postfix_str(message, refresh=False)
        bar.update(inc)


class EnlightenCollector(_BarCollector):
    """Shows counters as `enlighten` bars under a status bar naming the step; log lines keep
    scrolling above them. Keyword arguments go to `enlighten`'s `Manager.counter`."""

    _title_has_step = False  # the status bar names the step

    def __init__(self, single_bar: bool = False, **enlighten_kwargs: Any) -> None:
        self._enlighten = _require("enlighten", "EnlightenCollector", "enlighten")
        super().__init__(single_bar, **enlighten_kwargs)
        self.enlighten_kwargs = enlighten_kwargs
        self._manager: Any = None
        self._status: Any = None

    def _new_bar(self, key: str, title: str, total: int | None) -> Any:
        return self._manager.counter(desc=title, total=total, **{"leave": True, **self.enlighten_kwargs})

    def _start(self, step: str) -> None:
        super()._start(step)
        self._manager = self._enlighten.get_manager()
        self._status = self._manager.status_bar(leave=True, justify=self._enlighten.Justify.CENTER,
                                                fill="=")
        self._status.update(step)

    def _stop(self) -> None:
        with self._lock:
            super()._stop()
            if self._status is not None:
                self._status.close()
            if self._manager is not None:
                self._manager.stop()
            self._manager = self._status = None


class AliveCollector(_BarCollector):
    """Shows counters as `alive-progress` bars (by default only the first counter of a step,
    as alive-progress draws one bar at a time). Keyword arguments go to `alive_bar`."""

    def __init__(self, single_bar: bool = True, **alive_kwargs: Any) -> None:
        self._alive_bar = _require("alive_progress", "AliveCollector", "alive-progress").alive_bar
        super().__init__(single_bar, **alive_kwargs)
        self.alive_kwargs = alive_kwargs
        self._contexts: dict[str, Any] = {}

    def _new_bar(self, key: str, title: str, total: int | None) -> Any:
        context = self._alive_bar(total=total, title=title, **self.alive_kwargs)
        self._contexts[key] = context
        return context.__enter__()

    def _grow(self, bar: Any, inc_total: int) -> None:
        pass  # an alive bar's total is fixed when it is made

    def _advance(self, bar: Any, inc: int, message: str | None) -> None:
        if message:
            bar.text(message)
        if inc > 0:
            bar(inc)

    def _start(self, step: str) -> None:
        super()._start(step)
        self._contexts = {}

    def _stop(self) -> None:
        with self._lock:
            for context in self._contexts.values():
                context.__exit__(None, None, None)
            self._bars = {}
            self._contexts = {}
