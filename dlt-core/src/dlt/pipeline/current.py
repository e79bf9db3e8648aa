"""`dlt.current`: the pipeline, source state and resource state of the code that is running.

As in dlt 1.31, the state functions work in the code of a source or resource: outside it,
`source_state()` without a source name raises `SourceSectionNotAvailable`, and
`resource_name()` raises `ResourceNameNotAvailable`. `state()` is `source_state()`.
"""

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
from dlt.extract.errors import CurrentSourceSchemaNotAvailable
from dlt.pipeline.exceptions import (
    PipelineStateNotAvailable,
    ResourceNameNotAvailable,
    SourceSectionNotAvailable,
)
from dlt.utils.exceptions import DltException

_detached_state: dict[str, Any] = {}


class NoActivePipelineError(DltException):
    """State was asked for outside a pipeline run and no pipeline exists."""


def pipeline() -> Any:
    """The pipeline running now, else the last one created; with none, the default pipeline
    (as `dlt.pipeline()` without arguments gives it), as in dlt 1.31."""
    running = active_pipeline.get()
    if running is not None:
        return running
    from dlt.pipeline import pipeline as default_pipeline

    return default_pipeline()


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
    # the pipeline's default schema (its name before the first run)
    source_token = None
    if active_source.get() is None:
        source_token = active_source.set(pipeline.default_schema_name or pipeline.pipeline_name)
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


def _section_name() -> str | None:
    """The source whose code runs: the one extracted, else the one whose function runs, else
    `default` for a resource iterated on its own; None outside any source or resource."""
    name = active_source.get()
    if name:
        return name
    schema = active_source_schema.get()
    if schema is not None:
        return str(schema.name)
    return "default" if active_resource.get() is not None else None


def source_state(source_name: str | None = None) -> dict[str, Any]:
    """The state dict of the source whose code runs (kept between runs), or of `source_name`.

    Outside a source or resource without `source_name` it raises `SourceSectionNotAvailable`;
    in a source function while no pipeline exists, `PipelineStateNotAvailable` (dlt 1.31)."""
    name = source_name or _section_name()
    if not name:
        raise SourceSectionNotAvailable()
    if source_name is None and active_state.get() is None and active_resource.get() is None:
        from dlt.pipeline.registry import last_pipeline

        if last_pipeline() is None:
            raise PipelineStateNotAvailable(name)
    return _state().setdefault("sources", {}).setdefault(name, {})


def resource_name() -> str:
    """The name of the resource whose code is running; `ResourceNameNotAvailable` outside one."""
    name = active_resource.get()
    if name is None:
        raise ResourceNameNotAvailable()
    return name


def resource_state(resource_name: str | None = None,
                   source_state_: dict[str, Any] | str | None = None) -> dict[str, Any]:
    """The state dict of the resource whose code is running (kept between runs), or of
    `resource_name`. The second argument is a source state dict to read it from (as in dlt
    1.31) or the name of its source."""
    if isinstance(source_state_, dict):
        state_of_source = source_state_
    else:
        state_of_source = source_state(source_state_)
    name = resource_name or active_resource.get()
    if name is None:
        raise ResourceNameNotAvailable()
    return state_of_source.setdefault("resources", {}).setdefault(name, {})


def source_schema() -> Any:
    """The schema of the source whose code runs: edit it in the source body or a resource,
    e.g. `dlt.current.source_schema().remove_type_detection("iso_timestamp")`. Outside both it
    raises `CurrentSourceSchemaNotAvailable`."""
    schema = active_source_schema.get()
    if schema is not None:
        return schema
    if active_resource.get() is None:
        raise CurrentSourceSchemaNotAvailable(
            "dlt.current.source_schema() is called outside a source function or resource; call"
            " it in the body of a function decorated with @dlt.source or @dlt.resource."
        )
    # a resource iterated on its own (`list(resource)`): the schema of its source as the last
    # pipeline stored it, else a new one of that name
    from dlt.pipeline.registry import last_pipeline
    from dlt.schema import Schema

    name = _section_name() or "default"
    pipeline = last_pipeline()
    if pipeline is not None and name in pipeline.schema_names:
        return pipeline.schemas_store.load(name)
    return Schema(name)


def state() -> dict[str, Any]:
    """The same as `source_state()`: the state of the source whose code runs (dlt 1.31)."""
    return source_state()


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
