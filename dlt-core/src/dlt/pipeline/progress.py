"""`dlt.progress`: the progress collectors to pass as `dlt.pipeline(progress=...)`, as in dlt 1.31.

    dlt.pipeline(..., progress="log")                      # or "tqdm", "enlighten", "alive_progress"
    dlt.pipeline(..., progress=dlt.progress.log(log_period=5, logger=my_logger))
    dlt.pipeline(..., progress=dlt.progress.tqdm(file=sys.stderr))

The collectors live in `dlt.collectors`; this module only re-exports them under dlt 1.31's names.
"""

from dlt.collectors import AliveCollector as alive_progress
from dlt.collectors import Collector as _Collector
from dlt.collectors import EnlightenCollector as enlighten
from dlt.collectors import LogCollector as log
from dlt.collectors import NULL_COLLECTOR as _NULL_COLLECTOR
from dlt.collectors import TCollectorArg, TSupportedCollectors
from dlt.collectors import TqdmCollector as tqdm
from dlt.collectors import collector_from_name as _from_name

__all__ = ["TCollectorArg", "TSupportedCollectors", "alive_progress", "enlighten", "log", "tqdm"]
