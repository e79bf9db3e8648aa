"""`dlt.common.runtime.collector` as in dlt 1.31: re-exports `dlt.collectors`."""

from dlt.collectors import (
    NULL_COLLECTOR,
    AliveCollector,
    Collector,
    DictCollector,
    EnlightenCollector,
    LogCollector,
    NullCollector,
    TqdmCollector,
)

__all__ = [
    "NULL_COLLECTOR", "AliveCollector", "Collector", "DictCollector", "EnlightenCollector",
    "LogCollector", "NullCollector", "TqdmCollector",
]
