"""Concurrent extraction: parallelized resources, async generators and transformers, defer.

Concurrency is proven with barriers and events that a sequential evaluation cannot pass.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from core_helpers import rows_of


def test_parallelized_resources_step_side_by_side_off_the_main_thread():
    main = threading.get_ident()
    barrier = threading.Barrier(2, timeout=5)

    def stepper(side):
        for i in range(3):
            barrier.wait()
            yield {"side": side, "i": i, "main": threading.get_ident() == main}

    west = dlt.resource(stepper, name="west", parallelized=True)
    east = dlt.resource(stepper, name="east", parallelized=True)
    pipeline = dlt.pipeline(pipeline_name="parallel_barrier", destination="duckdb")
    info = pipeline.run([west("west"), east("east")])
    assert info.row_counts == {"west": 3, "east": 3}
    assert {r["main"] for r in rows_of(pipeline, "west") + rows_of(pipeline, "east")} == {False}


def test_async_generators_run_concurrently():
    started = {}

    def make(me, other):
        async def gen():
            started[me] = True
            for _ in range(100):
                if other in started:
                    break
                await asyncio.sleep(0.02)
            assert other in started, f"{other} never started while {me} was running"
            yield {"gen": me}

        return dlt.resource(gen, name=me)

    pipeline = dlt.pipeline(pipeline_name="async_gens", destination="duckdb")
    info = pipeline.run([make("a", "b")(), make("b", "a")()])
    assert info.row_counts == {"a": 1, "b": 1}


def test_async_transformer_calls_overlap():
    in_flight = {"n": 0}

    @dlt.resource
    def ids():
        yield from ({"id": i} for i in range(3))

    @dlt.transformer(data_from=ids)
    async def details(item):
        in_flight["n"] += 1
        for _ in range(100):
            if in_flight["n"] >= 3:
                break
            await asyncio.sleep(0.02)
        assert in_flight["n"] >= 3, "async transformer calls did not overlap"
        return {"id": item["id"], "square": item["id"] ** 2}

    pipeline = dlt.pipeline(pipeline_name="async_tx", destination="duckdb")
    pipeline.run(details)
    assert [r["square"] for r in rows_of(pipeline, "details", "id")] == [0, 1, 4]


def test_deferred_calls_run_at_once_in_the_pool():
    barrier = threading.Barrier(3, timeout=5)

    @dlt.defer
    def fetch(i):
        barrier.wait()
        return {"i": i}

    @dlt.resource
    def profiles():
        for i in range(3):
            yield fetch(i)

    assert sorted(r["i"] for r in profiles()) == [0, 1, 2]


def test_an_error_in_a_parallelized_resource_names_the_resource():
    @dlt.resource(parallelized=True)
    def broken():
        yield {"a": 1}
        raise ValueError("boom")

    pipeline = dlt.pipeline(pipeline_name="parallel_error", destination="duckdb")
    with pytest.raises(PipelineStepFailed, match="broken"):
        pipeline.run(broken())


def test_a_limit_stops_a_parallelized_generator():
    @dlt.resource(parallelized=True)
    def endless():
        i = 0
        while True:
            yield {"i": i}
            i += 1

    assert [r["i"] for r in endless().add_limit(4)] == [0, 1, 2, 3]
