"""Context of the running extract: which pipeline state, source and resource are active."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

#: the pipeline state dict an extract step reads and writes
active_state: ContextVar[dict[str, Any] | None] = ContextVar("dlt_active_state", default=None)
#: the name of the source being extracted
active_source: ContextVar[str | None] = ContextVar("dlt_active_source", default=None)
#: the schema of the source whose function is running (`dlt.current.source_schema()`)
active_source_schema: ContextVar[Any] = ContextVar("dlt_active_source_schema", default=None)
#: the name of the resource whose code is running
active_resource: ContextVar[str | None] = ContextVar("dlt_active_resource", default=None)
#: the pipeline object running a step
active_pipeline: ContextVar[Any] = ContextVar("dlt_active_pipeline", default=None)
#: custom metrics of the resources being extracted: resource name -> metrics dict
active_metrics: ContextVar[dict[str, Any] | None] = ContextVar("dlt_active_metrics", default=None)
