"""Values dlt stores as text or skips: UUIDs, enums and `yield None` (issue 19 items 2 and 7)."""

from __future__ import annotations

import enum
import uuid

import dlt
from core_helpers import rows_of


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Shade(str, enum.Enum):
    DARK = "dark"


def test_uuid_and_enum_values_are_stored_as_their_text_or_number():
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    pipeline = dlt.pipeline(pipeline_name="uuid_enum", destination="duckdb")
    pipeline.run([{"id": 1, "key": key, "color": Color.RED, "level": Level.HIGH, "shade": Shade.DARK}],
                 table_name="things")
    [row] = rows_of(pipeline, "things")
    assert row["key"] == str(key)
    assert row["color"] == "red"
    assert row["level"] == 3
    assert row["shade"] == "dark"


def test_yield_none_is_skipped_and_makes_no_row():
    @dlt.resource(name="sparse")
    def sparse():
        yield {"id": 1}
        yield None
        yield {"id": 2}

    pipeline = dlt.pipeline(pipeline_name="sparse_pipe", destination="duckdb")
    info = pipeline.run(sparse())
    assert info.row_counts == {"sparse": 2}
    assert sorted(r["id"] for r in rows_of(pipeline, "sparse")) == [1, 2]
