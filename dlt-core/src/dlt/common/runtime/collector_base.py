"""`dlt.common.runtime.collector_base` as in dlt 1.31: re-exports `dlt.collectors.base`."""

from dlt.collectors.base import Collector, TCollector

__all__ = ["Collector", "TCollector"]
