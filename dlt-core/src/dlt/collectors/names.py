"""`progress=` values: a collector object or the name of one."""

from __future__ import annotations

from typing import Literal, Union

from dlt.collectors.base import NULL_COLLECTOR, Collector

TSupportedCollectors = Literal["tqdm", "enlighten", "log", "alive_progress"]
TCollectorArg = Union[Collector, TSupportedCollectors, None]

COLLECTOR_NAMES = ("log", "tqdm", "enlighten", "alive_progress")


def collector_from_name(collector: TCollectorArg) -> Collector:
    """The collector for `progress=`: an object as it is, a name made with default settings,
    None the collector that counts nothing. An unknown name raises `ValueError`."""
    if collector is None or collector is False:
        return NULL_COLLECTOR
    if isinstance(collector, Collector):
        return collector
    if isinstance(collector, str):
        name = collector.strip().lower()
        if name == "log":
            from dlt.collectors.log import LogCollector

            return LogCollector()
        if name == "tqdm":
            from dlt.collectors.bars import TqdmCollector

            return TqdmCollector()
        if name == "enlighten":
            from dlt.collectors.bars import EnlightenCollector

            return EnlightenCollector()
        if name in ("alive_progress", "alive-progress"):
            from dlt.collectors.bars import AliveCollector

            return AliveCollector()
    raise ValueError(
        f"progress={collector!r} is not a progress collector. Pass one of"
        f" {', '.join(repr(n) for n in COLLECTOR_NAMES)}, or a collector object from"
        " dlt.progress (e.g. dlt.progress.log(log_period=5))."
    )
