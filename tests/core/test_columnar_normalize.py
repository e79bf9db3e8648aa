"""The columnar fast path of normalize gives exactly what the row path gives: every page that
could change the schema, coerce a value or fill a variant column goes row by row."""

from __future__ import annotations

from datetime import datetime, timezone

import dlt
import pyarrow as pa
import pytest
from core_helpers import rows_of
from dlt.normalize import normalizer as normalizer_module
from dlt.normalize.arrow_walk import walk_batch
from dlt.normalize.columnar import page_columns, page_tables
from dlt.normalize.relational import RowNormalizer
from dlt.schema import Schema
from dlt.storage.item_files import ColumnPage

UTC = timezone.utc

# yielded two at a time, with extract.buffer_items=2: every two items are one page
TRICKY_ITEMS = [
    # page 1: creates the columns (row path)
    {"id": 1, "name": "a", "at": "2024-01-01T00:00:00Z", "n": 1.5},
    {"id": 2, "name": "b", "at": "2024-01-02T10:00:00+02:00", "n": 2.5},
    # page 2: same shape, with nulls (columnar)
    {"id": 3, "name": "c", "at": "2024-01-03T00:00:00Z", "n": 3.5},
    {"id": 4, "name": None, "at": None, "n": None},
    # page 3: other key order, a missing key (columnar)
    {"n": 5.5, "id": 5},
    {"name": "f", "id": 6, "at": "2024-01-06T00:00:00Z", "n": 6.5},
    # page 4: an int in the double column is coerced (row path)
    {"id": 7, "name": "g", "at": "2024-01-07T00:00:00Z", "n": 7},
    {"id": 8, "name": "h", "at": "2024-01-08T00:00:00Z", "n": 8.5},
    # page 5: a string that is no timestamp goes to a variant column (row path)
    {"id": 9, "name": "i", "at": "yesterday", "n": 9.5},
    {"id": 10, "name": "j", "at": "2024-01-10T00:00:00Z", "n": 10.5},
    # page 6: a new column (row path)
    {"id": 11, "name": "k", "at": "2024-01-11T00:00:00Z", "n": 11.5, "extra": True},
    {"id": 12, "name": "l", "at": "2024-01-12T00:00:00Z", "n": 12.5, "extra": False},
    # page 7: a nested value makes a child table (row path)
    {"id": 13, "name": "m", "at": "2024-01-13T00:00:00Z", "n": 13.5, "tags": ["x", "y"]},
    {"id": 14, "name": "n", "at": "2024-01-14T00:00:00Z", "n": 14.5},
    # page 8: back to the known shape (columnar)
    {"id": 15, "name": "o", "at": "2024-01-15T00:00:00Z", "n": 15.5, "extra": True},
    {"id": 16, "name": "p", "at": "2024-01-16T00:00:00Z", "n": 16.5, "extra": None},
]


@pytest.mark.parametrize("file_format", ["parquet", "jsonl"])
def test_pages_of_every_kind_load_as_the_row_path_would(monkeypatch, file_format):
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", "2")
    columnar_pages = []

    def counting_page_tables(rows, table, page, *args):
        tables = page_tables(rows, table, page, *args)
        if tables is not None:
            if isinstance(page, ColumnPage):
                items = page.items()
            elif isinstance(page, pa.RecordBatch):
                items = page.to_pylist()
            else:
                items = page
            columnar_pages.append([item["id"] for item in items])
        return tables

    def counting_walk(rows, table, batch, *args):
        walked = walk_batch(rows, table, batch, *args)
        if walked.tables is not None:
            columnar_pages.append(batch.column("id").to_pylist())
        return walked

    monkeypatch.setattr(normalizer_module, "page_tables", counting_page_tables)
    monkeypatch.setattr(normalizer_module, "walk_batch", counting_walk)
    pipeline = dlt.pipeline(pipeline_name="columnar", destination="duckdb")
    pages = [TRICKY_ITEMS[i:i + 2] for i in range(0, len(TRICKY_ITEMS), 2)]
    info = pipeline.run(dlt.resource(pages, name="items"), loader_file_format=file_format)
    # pages of at most 500 items that bring something new go row by row whole
    assert columnar_pages == [[3, 4], [5, 6], [15, 16]]
    assert info.row_counts == {"items": 16, "items__tags": 2}
    rows = {r["id"]: r for r in rows_of(pipeline, "items")}
    assert sorted(rows) == list(range(1, 17))
    assert len({r["_dlt_id"] for r in rows.values()}) == 16
    assert rows[2]["at"] == datetime(2024, 1, 2, 8, 0, tzinfo=UTC)
    assert rows[4]["name"] is None and rows[4]["at"] is None and rows[4]["n"] is None
    assert rows[5]["n"] == 5.5 and rows[5]["name"] is None and rows[5]["at"] is None
    assert rows[6]["at"] == datetime(2024, 1, 6, tzinfo=UTC)
    assert rows[7]["n"] == 7.0
    assert rows[9]["at"] is None and rows[9]["at__v_text"] == "yesterday"
    assert rows[10]["at__v_text"] is None
    assert [rows[i]["extra"] for i in (1, 11, 12, 15, 16)] == [None, True, False, True, None]
    assert all(r["_dlt_load_id"] == info.loads_ids[0] for r in rows.values())
    tags = rows_of(pipeline, "items__tags", order_by="_dlt_list_idx")
    assert [t["value"] for t in tags] == ["x", "y"]
    assert {t["_dlt_parent_id"] for t in tags} == {rows[13]["_dlt_id"]}
    columns = pipeline.default_schema.tables["items"]["columns"]
    assert {n: c["data_type"] for n, c in columns.items() if not n.startswith("_dlt")} == {
        "id": "bigint", "name": "text", "at": "timestamp", "n": "double",
        "at__v_text": "text", "extra": "bool",
    }


def test_merge_keeps_the_last_item_of_each_key_across_columnar_pages(monkeypatch):
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", "3")
    pipeline = dlt.pipeline(pipeline_name="columnar_merge", destination="duckdb")
    first = [{"id": i, "value": f"v{i}"} for i in range(10)]
    pipeline.run(dlt.resource([first[i:i + 3] for i in range(0, 10, 3)], name="items",
                              primary_key="id", write_disposition="merge"))
    second = [{"id": i % 4, "value": f"w{i}"} for i in range(12)]
    info = pipeline.run(dlt.resource([second[i:i + 3] for i in range(0, 12, 3)], name="items",
                                     primary_key="id", write_disposition="merge"))
    assert info.row_counts == {"items": 4}
    rows = {r["id"]: r["value"] for r in rows_of(pipeline, "items")}
    assert rows == {0: "w8", 1: "w9", 2: "w10", 3: "w11", **{i: f"v{i}" for i in range(4, 10)}}


def _normalizer_with_items_table() -> RowNormalizer:
    schema = Schema("columnar")
    rows = RowNormalizer(schema, "1234.5")
    rows.normalize_item_typed("items", {"id": 1, "at": "2024-01-01T00:00:00Z", "ok": True})
    return rows


def test_page_columns_takes_pages_that_match_the_schema_exactly():
    rows = _normalizer_with_items_table()
    page = [{"id": 2, "at": "2024-01-02T00:00:00+01:00", "ok": False}, {"id": 3, "ok": None}]
    columns = page_columns(rows, "items", page)
    assert columns is not None
    assert columns["id"] == [2, 3]
    assert columns["at"] == ["2024-01-02T00:00:00+01:00", None]
    assert columns["ok"] == [False, None]
    assert columns["_dlt_load_id"] == ["1234.5", "1234.5"]
    assert len(set(columns["_dlt_id"])) == 2


@pytest.mark.parametrize("page", [
    [{"id": 2, "new": 1}],                       # a new key
    [{"id": 2.5}],                               # a float in a bigint column
    [{"id": 2}, {"id": "3"}],                    # two types in one column
    [{"id": 2**70}],                             # beyond 64 bits
    [{"id": 2, "at": "2024-01-02"}],             # not a timestamp string
    [{"id": 2, "at": datetime(2024, 1, 2)}, {"id": 3, "at": "2024-01-02T00:00:00Z"}],
    [{"id": 2, "ok": {"nested": 1}}],            # a dict
    [{"id": 2}, [1, 2]],                         # not a dict
    [{"id": 2, "tags": []}],                     # a list
])
def test_page_columns_leaves_every_other_page_to_the_row_path(page):
    rows = _normalizer_with_items_table()
    assert page_columns(rows, "items", page) is None
