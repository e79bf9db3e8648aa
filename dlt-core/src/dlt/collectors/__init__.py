"""Progress collectors: what `dlt.pipeline(progress=...)` reports during extract, normalize
and load.

`dlt.progress` and `dlt.common.runtime.collector` (the import paths of dlt 1.31) re-export
these classes. The bar collectors need optional libraries, installed as extras of dlt-core
(`pip install "dlt-core[tqdm]"`, `[enlighten]`, `[alive-progress]`).
"""

from dlt.collectors.bars import AliveCollector, EnlightenCollector, TqdmCollector
from dlt.collectors.base import NULL_COLLECTOR, Collector, DictCollector, NullCollector
from dlt.collectors.log import LogCollector
from dlt.collectors.names import TCollectorArg, TSupportedCollectors, collector_from_name

__all__ = [
    "NULL_COLLECTOR", "AliveCollector", "Collector", "DictCollector", "EnlightenCollector",
    "LogCollector", "NullCollector", "TCollectorArg", "TSupportedCollectors", "TqdmCollector",
    "collector_from_name",
]
