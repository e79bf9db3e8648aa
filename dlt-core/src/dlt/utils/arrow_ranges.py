"""Arrow arrays of consecutive integers and repeated values, built by Arrow (no Python int or
str per element)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def arrow_range(start: int, count: int) -> pa.Array:
    """int64 array `start, start + 1, ..., start + count - 1`."""
    if count == 0:
        return pa.array([], type=pa.int64())
    steps = pc.cumulative_sum(pa.repeat(pa.scalar(1, type=pa.int64()), count))
    return pc.add(steps, pa.scalar(start - 1, type=pa.int64()))


def arrow_repeat(value: str, count: int) -> pa.Array:
    """A string array holding `value` `count` times."""
    return pa.repeat(pa.scalar(value, type=pa.string()), count)
