"""`dlt.current` in and outside the code of sources and resources, as in dlt 1.31.

Expected values were produced by dlt 1.31.0 from the same calls."""

from __future__ import annotations

import pytest

import dlt
from dlt.common.exceptions import (
    PipelineException,
    PipelineStateNotAvailable,
    ResourceNameNotAvailable,
    SourceSectionNotAvailable,
)


def _pipeline(tmp_path):
    destination = dlt.destinations.duckdb(str(tmp_path / "current.duckdb"))
    return dlt.pipeline("current", pipelines_dir=str(tmp_path / "pipelines"),
                        destination=destination, dataset_name="ds")


def _run_and_capture(tmp_path, probe):
    """Run a source whose resource calls `probe()` and return what it returned."""
    seen = {}

    @dlt.source(name="src")
    def src():
        @dlt.resource(name="res")
        def res():
            dlt.current.resource_state()["k"] = 1
            seen["value"] = probe()
            yield {"id": 1}

        return res

    _pipeline(tmp_path).run(src())
    return seen["value"]


def test_resource_name_inside_a_resource(tmp_path):
    assert _run_and_capture(tmp_path, dlt.current.resource_name) == "res"


def test_resource_name_outside_a_resource_raises():
    with pytest.raises(ResourceNameNotAvailable):
        dlt.current.resource_name()


def test_source_schema_inside_a_resource_is_the_source_schema(tmp_path):
    schema = _run_and_capture(tmp_path, dlt.current.source_schema)
    assert schema.name == "src"


def test_state_inside_a_resource_is_the_source_state(tmp_path):
    assert _run_and_capture(tmp_path, dlt.current.state) == {"resources": {"res": {"k": 1}}}


def test_source_state_outside_a_source_raises_source_section_not_available(tmp_path):
    _pipeline(tmp_path)
    for call in (dlt.current.source_state, dlt.current.state, dlt.current.resource_state):
        with pytest.raises(SourceSectionNotAvailable) as exc:
            call()
        assert isinstance(exc.value, PipelineException)


def test_source_state_in_a_source_without_a_pipeline_raises():
    @dlt.source
    def lonely():
        dlt.current.source_state()
        return dlt.resource([1], name="r")

    with pytest.raises(PipelineStateNotAvailable):
        lonely()


def test_resource_state_reads_a_given_source_state_dict():
    assert dlt.current.resource_state("r", {"resources": {"r": {"x": 1}}}) == {"x": 1}


def test_current_pipeline_without_one_is_the_default_pipeline(tmp_path):
    pipeline = dlt.current.pipeline()
    assert pipeline is not None and pipeline.is_active
    created = _pipeline(tmp_path)
    assert dlt.current.pipeline() is created
