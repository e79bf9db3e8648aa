"""`dlt.common.pipeline`: re-exports of the step infos (`dlt.pipeline.load_info`,
`dlt.extract.extractor`, `dlt.normalize.normalizer`), `dlt.pipeline.trace`, and
`get_dlt_pipelines_dir` (`dlt.pipeline.options.default_pipelines_dir`)."""

from dlt.extract.extractor import ExtractInfo
from dlt.normalize.normalizer import NormalizeInfo
from dlt.pipeline.load_info import LoadInfo
from dlt.pipeline.options import default_pipelines_dir
from dlt.pipeline.trace import PipelineTrace, StepTrace

TPipelineState = dict
"""dlt 1.31's name of the pipeline state (`pipeline.state`): a dict."""


def get_dlt_pipelines_dir() -> str:
    """The folder pipelines keep their working dirs in when `pipelines_dir` is not given."""
    return str(default_pipelines_dir())

__all__ = ["ExtractInfo", "LoadInfo", "NormalizeInfo", "PipelineTrace", "StepTrace", "TPipelineState",
           "get_dlt_pipelines_dir"]
