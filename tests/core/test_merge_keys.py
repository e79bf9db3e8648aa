"""The last item per key of merge tables: extract writes each page's keys to a sidecar, and
normalize finds the last items from the sidecar alone, falling back to the pages when the
sidecar cannot answer."""

from __future__ import annotations

import dlt
from dlt.extract.extractor import TableItemsFile
from dlt.normalize.merge_keys import last_occurrences
from dlt.schema import Schema
from dlt.storage.item_files import keys_file_of, read_pickled_pages

from core_helpers import rows_of


def merge_schema(primary_key: str = "id") -> Schema:
    schema = Schema("keys")
    schema.update_table({"name": "items", "write_disposition": "merge",
                         "columns": {primary_key: {"name": primary_key, "data_type": "bigint",
                                                   "primary_key": True}}})
    return schema


def write_pages(tmp_path, schema: Schema, pages, primary_key=("id",)):
    writer = TableItemsFile(tmp_path, "items", 1, iter(range(1, 100)).__next__,
                             primary_key=list(primary_key), naming=schema.naming)
    for page in pages:
        writer.add(page)
        writer.flush()
    writer.close()
    return sorted(tmp_path.glob("items.*.pkl"))


PAGES = [[{"id": 1, "v": "a"}, {"id": 2, "v": "b"}], [{"id": 1, "v": "c"}, {"id": 3, "v": "d"}]]


def test_the_last_item_of_every_key_is_found_from_the_sidecar_alone(tmp_path):
    schema = merge_schema()
    files = write_pages(tmp_path, schema, PAGES)
    assert keys_file_of(files[0]).exists()
    # the items themselves are not read: garbage in their place changes nothing
    files[0].write_bytes(b"not a pickle")
    assert last_occurrences(schema, files) == {"items": {1, 2, 3}}


def test_distinct_keys_need_no_dedupe_and_a_key_repeated_in_another_file_does(tmp_path):
    schema = merge_schema()
    (tmp_path / "a").mkdir()
    distinct = write_pages(tmp_path / "a", schema, [[{"id": 1}, {"id": 2}], [{"id": 3}]])
    distinct[0].write_bytes(b"not a pickle")  # the sidecar alone answers
    assert last_occurrences(schema, distinct) == {}
    (tmp_path / "b").mkdir()
    first = write_pages(tmp_path / "b", schema, [[{"id": 1}, {"id": 2}]])
    # a second file of the same table, holding key 1 again
    writer = TableItemsFile(tmp_path / "b", "items", 1, iter(range(50, 60)).__next__,
                             primary_key=["id"], naming=schema.naming)
    writer.add([{"id": 3}, {"id": 1}])
    writer.close()
    files = sorted((tmp_path / "b").glob("items.*.pkl"))
    assert len(files) == 2 and files[0] == first[0]
    assert last_occurrences(schema, files) == {"items": {1, 2, 3}}


def test_a_page_of_mixed_shapes_falls_back_to_reading_the_items(tmp_path):
    schema = merge_schema()
    # the second item has no key: the sidecar cannot hold that page's keys
    pages = [[{"id": 1, "v": "a"}, {"v": "b"}], [{"id": 1, "v": "c"}]]
    files = write_pages(tmp_path, schema, pages)
    assert None in list(read_pickled_pages(keys_file_of(files[0])))
    assert last_occurrences(schema, files) == {"items": {1, 2}}


def test_a_sidecar_written_for_another_key_is_ignored(tmp_path):
    files = write_pages(tmp_path, merge_schema(), PAGES)
    by_v = merge_schema("v")
    # keyed by "v" every item is distinct: nothing to dedupe, no positions to check
    assert last_occurrences(by_v, files) == {}


def test_merge_keeps_the_last_item_of_a_key_within_one_load():
    pipeline = dlt.pipeline(pipeline_name="merge_last_item", destination="duckdb")
    rows = [{"id": i % 100, "v": i} for i in range(1_000)]
    pipeline.run(dlt.resource(rows, name="items", primary_key="id", write_disposition="merge"))
    assert sorted((r["id"], r["v"]) for r in rows_of(pipeline, "items")) == [(i, 900 + i) for i in range(100)]
