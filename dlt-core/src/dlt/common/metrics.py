"""`dlt.common.metrics`: dlt 1.31's import path of the step metrics records; re-exports of
`dlt.pipeline.metrics`."""

from dlt.pipeline.metrics import DataWriterMetrics, LoadJobMetrics

__all__ = ["DataWriterMetrics", "LoadJobMetrics"]
