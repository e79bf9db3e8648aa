"""`dlt.current`: the pipeline, source state and resource state of the code that is running."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dlt.utils.context import (
    active_pipeline,
    active_resource,
    active_source,
    active_source_schema,
    active_state,
)
from dlt.utils.exceptions import DltException

_detached_state: dict[str, Any] = {}


class NoActivePipelineError(DltException):
    """State was asked for outside a pipeline run and no pipeline exists."""


def pipeline() -> Any:
    """The pipeline running now, or the last one created."""
    running = active_pipeline.get()
    if running is not None:
        return running
    from dlt.pipeline.registry import last_pipeline

    return last_pipeline()


@contextmanager
def last_pipeline_state() -> Iterator[None]:
    """Outside a pipeline run, make a copy of the last pipeline's state the state that
    `source_state()` / `resource_state()` read inside the block, as dlt 1.31 reads the active
    pipeline's state when a resource is iterated directly (`list(resource)`): an incremental
    resource starts from where the pipeline got to. Changes stay in the copy; a resource that
    belongs to no source reads the state of the pipeline's default schema's source. Inside a
    run, or with no pipeline, nothing changes."""
    if active_state.get() is not None:
        yield
        return
    from dlt.pipeline.registry import last_pipeline

    pipeline = last_pipeline()
    if pipeline is None:
        yield
        return
    token = active_state.set(copy.deepcopy(pipeline.state))
    # a resource outside a source keeps its state under the source the pipeline runs it as:
    # the pipeline's default schema
    source_token = None
    if active_source.get() is None and pipeline.default_schema_name:
        source_token = active_source.set(pipeline.default_schema_name)
    try:
        yield
    finally:
        if source_token is not None:
            active_source.reset(source_token)
        active_state.reset(token)


def _state() -> dict[str, Any]:
    state = active_state.get()
    if state is None:
        # outside a pipeline run (a resource iterated directly): a scratch state
        return _detached_state
    return state


def source_state(source_name: str | None = None) -> dict[str, Any]:
    """The state dict of the source being extracted (kept between runs)."""
    name = source_name or active_source.get() or "default"
    return _state().setdefault("sources", {}).setdefault(name, {})


def resource_state(resource_name: str | None = None, source_name: str | None = None) -> dict[str, Any]:
    """The state dict of the resource whose code is running (kept between runs)."""
    name = resource_name or active_resource.get()
    if name is None:
        raise DltException("resource_state() is called outside a resource; pass resource_name.")
    return source_state(source_name).setdefault("resources", {}).setdefault(name, {})


def source_schema() -> Any:
    """The schema of the source whose function is running: edit it in the source body, e.g.
    `dlt.current.source_schema().remove_type_detection("iso_timestamp")`."""
    schema = active_source_schema.get()
    if schema is None:
        raise DltException(
            "dlt.current.source_schema() is called outside a source function; call it in the body"
            " of a function decorated with @dlt.source."
        )
    return schema


def state() -> dict[str, Any]:
    """The whole state of the running pipeline."""
    return _state()


def resource_metrics() -> dict[str, Any]:
    """The custom metrics dict of the resource whose code is running: what a resource writes
    here is reported in `ExtractInfo.metrics[load_id][0]["resource_metrics"][name].custom_metrics`.
    Outside an extract step it is a scratch dict."""
    from dlt.utils.context import active_metrics

    name = active_resource.get()
    if name is None:
        raise DltException("resource_metrics() is called outside a resource; call it in the resource's code.")
    collected = active_metrics.get()
    if collected is None:
        return {}
    return collected.setdefault(name, {})
