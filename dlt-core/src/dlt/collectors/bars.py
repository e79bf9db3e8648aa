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


class TqdmCollector(Collector):
    """Shows each counter as a `tqdm` bar; keyword arguments go to `tqdm` (e.g. `file=`,
    `mininterval=`). With `single_bar` only the first counter of a step gets a bar."""

    def __init__(self, single_bar: bool = False, **tqdm_kwargs: Any) -> None:
        self._tqdm = _require("tqdm", "TqdmCollector", "tqdm").tqdm
        self.step = None
        self.single_bar = single_bar
        self.tqdm_kwargs = tqdm_kwargs
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
                desc = _bar_name(name, label)
                if not self._bars:
                    desc = f"{self.step}: {desc}"
                kwargs = {"leave": False, **self.tqdm_kwargs}
                bar = self._bars[key] = self._tqdm(desc=desc, total=total, **kwargs)
            elif inc_total:
                bar.total = (bar.total or 0) + inc_total
                bar.refresh()
            if message:
                bar.set_postfix_str(message, refresh=False)
            bar.update(inc)

    def _start(self, step: str) -> None:
        self._bars = {}

    def _stop(self) -> None:
        with self._lock:
            for bar in self._bars.values():
                bar.refresh()
                bar.close()
            self._bars = {}


class EnlightenCollector(Collector):
    """Shows counters as `enlighten` bars under a status bar naming the step; log lines keep
    scrolling above them. Keyword arguments go to `enlighten`'s `Manager.counter`."""

    def __init__(self, single_bar: bool = False, **enlighten_kwargs: Any) -> None:
        self._enlighten = _require("enlighten", "EnlightenCollector", "enlighten")
        self.step = None
        self.single_bar = single_bar
        self.enlighten_kwargs = enlighten_kwargs
        self._bars: dict[str, Any] = {}
        self._manager: Any = None
        self._status: Any = None
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
                kwargs = {"leave": True, **self.enlighten_kwargs}
                bar = self._bars[key] = self._manager.counter(desc=_bar_name(name, label),
                                                              total=total, **kwargs)
            elif inc_total:
                bar.total = (bar.total or 0) + inc_total
            bar.update(inc)

    def _start(self, step: str) -> None:
        self._bars = {}
        self._manager = self._enlighten.get_manager()
        self._status = self._manager.status_bar(leave=True, justify=self._enlighten.Justify.CENTER,
                                                fill="=")
        self._status.update(step)

    def _stop(self) -> None:
        with self._lock:
            for bar in self._bars.values():
                bar.refresh()
                bar.close()
            self._bars = {}
            if self._status is not None:
                self._status.close()
            if self._manager is not None:
                self._manager.stop()
            self._manager = self._status = None


class AliveCollector(Collector):
    """Shows counters as `alive-progress` bars (by default only the first counter of a step,
    as alive-progress draws one bar at a time). Keyword arguments go to `alive_bar`."""

    def __init__(self, single_bar: bool = True, **alive_kwargs: Any) -> None:
        self._alive_bar = _require("alive_progress", "AliveCollector", "alive-progress").alive_bar
        self.step = None
        self.single_bar = single_bar
        self.alive_kwargs = alive_kwargs
        self._bars: dict[str, Any] = {}
        self._contexts: dict[str, Any] = {}
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
                if not self._bars:
                    title = f"{self.step}: {title}"
                context = self._alive_bar(total=total, title=title, **self.alive_kwargs)
                bar = self._bars[key] = context.__enter__()
                self._contexts[key] = context
            if message:
                bar.text(message)
            if inc > 0:
                bar(inc)

    def _start(self, step: str) -> None:
        self._bars = {}
        self._contexts = {}

    def _stop(self) -> None:
        with self._lock:
            for context in self._contexts.values():
                context.__exit__(None, None, None)
            self._bars = {}
            self._contexts = {}
