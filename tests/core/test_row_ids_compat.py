"""Root and nested `_dlt_id` values of upsert and scd2 tables are the ones dlt 1.31 gives the
same rows, so a table 1.31 loaded merges on here (and back) without every row changing its id:
an scd2 table would retire and reinsert each current row, an upsert table would leave its nested
rows behind.

The expected ids were read from the tables dlt 1.31.0 loaded from `ROWS` into DuckDB."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

import dlt
from core_helpers import rows_of

ROWS = [
    {"id": 1, "name": "a", "tags": ["x", "y"], "meta": {"k": 1, "deep": [{"z": 1}, {"z": 2}]}},
    {"id": 2, "name": None, "price": Decimal("1.50"),
     "at": datetime(2024, 1, 1, 12, tzinfo=timezone.utc), "d": date(2024, 1, 2)},
    {"id": 3, "Name Space": "q", "n": 1.5, "b": True, "nested": {"a": {"b": [1, 2]}}},
    {"id": 4, "at": datetime(2024, 1, 1, 12), "_dlt_extra": 1},
]

IDS_131 = {
    "scd2": {
        "t": [("FuzUnEeSgU9oFQ",), ("J2Xo27K978BjyA",), ("JNbgLOlTJkqUfg",), ("dUQ5sxB3Iol8TA",)],
        "t__meta__deep": [("3dUfEYwffZjMaA", "JNbgLOlTJkqUfg", 1),
                          ("MpDhgSzCMQE8iQ", "JNbgLOlTJkqUfg", 0)],
        "t__nested__a__b": [("Iadz+r7BE+pjsA", "FuzUnEeSgU9oFQ", 0),
                            ("kLkTjW6GtZCrGA", "FuzUnEeSgU9oFQ", 1)],
        "t__tags": [("ISxwJxHHQ8fRjA", "JNbgLOlTJkqUfg", 0),
                    ("uHfclrg/j6BC2g", "JNbgLOlTJkqUfg", 1)],
    },
    "upsert": {
        "t": [("KzKP0q9TGlvQbA",), ("M6/KlLzJ2FeV/w",), ("hKdQ/VhGat+Pgw",), ("z5jIxXIbUnmbKw",)],
        "t__meta__deep": [("aeudrrhIxK/oFg", "z5jIxXIbUnmbKw", "z5jIxXIbUnmbKw", 1),
                          ("t8SIHWA1DFwtfQ", "z5jIxXIbUnmbKw", "z5jIxXIbUnmbKw", 0)],
        "t__nested__a__b": [("Rc3SodKkdq5qUA", "hKdQ/VhGat+Pgw", "hKdQ/VhGat+Pgw", 0),
                            ("bkWMPFo+jWvQOg", "hKdQ/VhGat+Pgw", "hKdQ/VhGat+Pgw", 1)],
        "t__tags": [("JJOmkc0Sw5lwug", "z5jIxXIbUnmbKw", "z5jIxXIbUnmbKw", 0),
                    ("ZfiFbjEeja6G3A", "z5jIxXIbUnmbKw", "z5jIxXIbUnmbKw", 1)],
    },
}


@pytest.mark.parametrize("strategy", ["scd2", "upsert"])
def test_row_ids_are_the_ones_dlt_131_gives(strategy):
    @dlt.resource(name="t", primary_key="id",
                  write_disposition={"disposition": "merge", "strategy": strategy})
    def t():
        yield ROWS

    pipeline = dlt.pipeline(f"row_ids_{strategy}", destination="duckdb", dev_mode=True)
    pipeline.run(t())
    for table, expected in IDS_131[strategy].items():
        columns = ["_dlt_id", "_dlt_parent_id", "_dlt_root_id", "_dlt_list_idx"]
        rows = rows_of(pipeline, table)
        present = [c for c in columns if c in rows[0]]
        assert sorted(tuple(row[c] for c in present) for row in rows) == sorted(expected), table


def test_an_scd2_table_keeps_its_versions_when_the_same_rows_come_again():
    @dlt.resource(name="dim", primary_key="id",
                  write_disposition={"disposition": "merge", "strategy": "scd2"})
    def dim(rows):
        yield rows

    pipeline = dlt.pipeline("row_ids_scd2_again", destination="duckdb", dev_mode=True)
    pipeline.run(dim(ROWS))
    pipeline.run(dim(ROWS))
    rows = rows_of(pipeline, "dim")
    assert len(rows) == 4 and all(row["_dlt_valid_to"] is None for row in rows)
    changed = [dict(ROWS[0], name="b")] + ROWS[1:]
    pipeline.run(dim(changed))
    rows = rows_of(pipeline, "dim")
    assert len(rows) == 5
    assert sorted(row["id"] for row in rows if row["_dlt_valid_to"] is not None) == [1]
