"""Incremental boundary dedup hashes agree with dlt 1.31, so a pipeline that ran on 1.31 (or on
an older build of this dlt) and now runs here loads no row at the stored cursor value twice.

The expected digests were computed by dlt 1.31.0 (`dlt.extract.utils.digest_dedup_value`, with
and without `legacy=True`) for the same values."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pyarrow as pa
import pytest

import dlt
from core_helpers import rows_of
from dlt.extract.incremental.window import hash_format_of, row_hash

VECTORS_131 = [
    # value, dlt 1.29+ digest, dlt before 1.29 digest
    (1, "669czW83KR00", "669czW83KR00ut4bv/U5"),
    ("a", "HXVczKyPrzLo", "HXVczKyPrzLoPDkJtIV8"),
    ([1, "x"], "T2u7rnGEfmXm", "T2u7rnGEfmXm0tVkRBws"),
    ({"b": 1, "a": [1, 2]}, "gjFxhJWLqcOe", "gjFxhJWLqcOeAzNe3W6B"),
    (datetime(2024, 1, 1, 12, 0, 0, 123456), "fv1tiGfOv3Op", "EWXFItHxELjyFDEPSNFx"),
    (datetime(2024, 1, 1, tzinfo=timezone.utc), "h/U5EKOHERSH", "Ls2rKmgN2G3606kizSU3"),
    # the same instant in another zone hashes alike in the 1.29+ format
    (datetime(2024, 1, 1, 5, tzinfo=timezone(timedelta(hours=5))), "h/U5EKOHERSH",
     "W6NQx/wGYlpESdSnnvf9"),
    (date(2024, 1, 2), "Bkb6U0e63GvT", "Bkb6U0e63GvTfIh8oHXh"),
    (Decimal("1.500"), "9c/pmHIMP+Ul", "9c/pmHIMP+UlU7dxK4we"),
    (b"\x00\xff", "a/UgTI9XTVtG", "a/UgTI9XTVtGLZL1rAj1"),
    ({"d": datetime(2020, 1, 1), "n": None, 1: "int key"}, "SnH2nG6rrM2b", "uI606pLcil3sp1sLdWiR"),
    ({"seq": 9, "msg": "m"}, "spILc18GexVc", "spILc18GexVceU3kpkGs"),
]


@pytest.mark.parametrize("value,current,legacy", VECTORS_131)
def test_row_hash_is_the_digest_dlt_131_computes(value, current, legacy):
    assert row_hash(value) == current
    assert row_hash(value, "dlt_pre_1_29") == legacy


def test_the_format_of_stored_hashes_is_recognised():
    assert hash_format_of([]) == "dlt"
    assert hash_format_of(["spILc18GexVc"]) == "dlt"
    assert hash_format_of(["spILc18GexVceU3kpkGs"]) == "dlt_pre_1_29"
    assert hash_format_of(["058d1dc8b4ab39932726c349"]) == "blake2b_hex"


def _state_of(pipeline, resource):
    schema = pipeline.default_schema_name
    return pipeline.state["sources"][schema]["resources"][resource]["incremental"]


@pytest.mark.parametrize("primary_key,expected", [
    ("id", ["669czW83KR00", "Tp44cKMYfAuJ"]),  # a name hashes the key's value
    (["id"], ["Lj3E34tIJ/Zx", "y/yGik6NApHV"]),  # a list hashes a list of values
    (["id", "x"], ["mcZYZ721/y8j", "ndvRJS8rm8iA"]),
    (None, ["BEgaaKsYO9Is", "Z1IPTG033+AY"]),  # no key: the whole row
])
def test_state_holds_the_hashes_dlt_131_writes_for_the_same_rows(primary_key, expected):
    rows = [{"c": 1, "id": 1, "x": "a"},
            {"c": 1, "id": 2, "x": "b", "d": datetime(2024, 1, 1, tzinfo=timezone.utc),
             "dd": date(2024, 1, 2), "dec": Decimal("1.50"), "b": b"xy", "n": None,
             "l": [1, {"z": 2}]}]

    @dlt.resource(primary_key=primary_key, name="r")
    def r(c=dlt.sources.incremental("c")):
        yield rows

    pipeline = dlt.pipeline("hash_vectors", destination="duckdb", dev_mode=True)
    pipeline.extract(r())
    assert sorted(_state_of(pipeline, "r")["c"]["unique_hashes"]) == expected


@pytest.mark.parametrize("primary_key,expected", [
    ("id", ["669czW83KR00", "Tp44cKMYfAuJ"]),
    (None, ["Li7anaLnzDbo", "ehE1IpULATFo"]),
])
def test_arrow_rows_hash_as_in_dlt_131(primary_key, expected):
    table = pa.Table.from_pylist([
        {"c": 1, "id": i, "x": x, "d": datetime(2024, 1, 1, tzinfo=timezone.utc)}
        for i, x in ((1, "a"), (2, "b"))])

    @dlt.resource(primary_key=primary_key, name="r")
    def r(c=dlt.sources.incremental("c")):
        yield table

    pipeline = dlt.pipeline("hash_vectors_arrow", destination="duckdb", dev_mode=True)
    pipeline.extract(r())
    assert sorted(_state_of(pipeline, "r")["c"]["unique_hashes"]) == expected


@pytest.mark.parametrize("stored_hash", [
    "spILc18GexVc",  # written by dlt 1.29 to 1.31
    "spILc18GexVceU3kpkGs",  # written by dlt before 1.29
    "058d1dc8b4ab39932726c349",  # written by this dlt before it wrote 1.31's hashes
])
def test_a_run_after_state_of_an_older_dlt_loads_the_boundary_row_once(stored_hash):
    """The first run loads rows 0..9 and leaves the cursor state an older dlt left (the row
    at seq 9 loaded); the second run with the incremental must not load that row again."""

    @dlt.resource(name="log")
    def written_by_older_dlt():
        dlt.current.resource_state()["incremental"] = {"seq": {
            "initial_value": None, "last_value": 9, "unique_hashes": [stored_hash],
            "start_value": None}}
        yield [{"seq": i, "msg": "m"} for i in range(10)]

    @dlt.resource(name="log")
    def log(cursor=dlt.sources.incremental("seq")):
        yield [{"seq": i, "msg": "m"} for i in range(15)]

    pipeline = dlt.pipeline("hash_upgrade", destination="duckdb", dev_mode=True)
    pipeline.run(written_by_older_dlt())
    pipeline.run(log())
    assert sorted(row["seq"] for row in rows_of(pipeline, "log")) == list(range(15))
    # the cursor moved on: its hashes are now in 1.31's format
    assert _state_of(pipeline, "log")["seq"]["unique_hashes"] == [row_hash({"seq": 14, "msg": "m"})]


def test_older_hashes_stay_in_their_format_while_the_cursor_does_not_move():
    old_hash = row_hash([9], "blake2b_hex")

    @dlt.resource(name="events", primary_key="id")
    def written_by_older_dlt():
        dlt.current.resource_state()["incremental"] = {"seq": {
            "initial_value": None, "last_value": 9, "unique_hashes": [old_hash],
            "start_value": None}}
        yield {"id": 9, "seq": 9}

    @dlt.resource(name="events", primary_key="id", write_disposition="append")
    def events(cursor=dlt.sources.incremental("seq")):
        yield [{"id": 9, "seq": 9}, {"id": 10, "seq": 9}]

    pipeline = dlt.pipeline("hash_upgrade_same_value", destination="duckdb", dev_mode=True)
    pipeline.run(written_by_older_dlt())
    pipeline.run(events())
    assert sorted(row["id"] for row in rows_of(pipeline, "events")) == [9, 10]
    hashes = _state_of(pipeline, "events")["seq"]["unique_hashes"]
    assert sorted(hashes) == sorted([old_hash, row_hash([10], "blake2b_hex")])
