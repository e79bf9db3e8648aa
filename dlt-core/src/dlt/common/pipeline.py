"""`dlt.common.pipeline`: re-exports of the step infos (`dlt.pipeline.load_info`,
`dlt.extract.extractor`, `dlt.normalize.normalizer`) and `dlt.pipeline.trace`."""

from dlt.extract.extractor import ExtractInfo
from dlt.normalize.normalizer import NormalizeInfo
from dlt.pipeline.load_info import LoadInfo
from dlt.pipeline.trace import PipelineTrace, StepTrace

__all__ = ["ExtractInfo", "LoadInfo", "NormalizeInfo", "PipelineTrace", "StepTrace"]
