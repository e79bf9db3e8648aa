"""`example_numbers`: a source with one resource of numbers and their squares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt


@dlt.source(name="example_numbers")
def example_numbers(count: int = 10) -> Any:
    """The numbers 0 to `count - 1` with their squares, in the table `numbers`."""

    @dlt.resource(name="numbers", write_disposition="append")
    def numbers() -> Iterator[dict[str, int]]:
        for i in range(count):
            yield {"n": i, "square": i * i}

    return numbers
