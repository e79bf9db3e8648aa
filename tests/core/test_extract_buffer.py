"""A table's extract buffer flushes after `buffer_items` items, or sooner for wide items: what
it holds grows with items x keys."""

from __future__ import annotations

from dlt.extract.extractor import BUFFER_KEYS_PER_ITEM, TableItemsFile


def page(keys: int, rows: int = 1_000) -> list[dict]:
    return [{f"k{k}": i + k for k in range(keys)} for i in range(rows)]


def items_file(tmp_path) -> TableItemsFile:
    return TableItemsFile(tmp_path, "items", 5_000, iter(range(1, 100)).__next__)


def test_narrow_items_wait_for_buffer_items(tmp_path):
    writer = items_file(tmp_path)
    for _ in range(4):
        writer.add(page(10))
    assert len(writer.buffer) == 4_000 and writer.file is None
    writer.add(page(10))
    assert writer.buffer == [] and writer.file is not None
    writer.close()


def test_wide_items_flush_when_their_values_reach_the_budget(tmp_path):
    writer = items_file(tmp_path)
    keys = 60
    pages_to_budget = -(-5_000 * BUFFER_KEYS_PER_ITEM // (1_000 * keys))
    for _ in range(pages_to_budget - 1):
        writer.add(page(keys))
    assert writer.file is None
    writer.add(page(keys))
    assert writer.buffer == [] and writer.file is not None
    writer.close()
    assert writer.path.stat().st_size > 0


def test_pages_of_values_count_one_value_per_item(tmp_path):
    writer = items_file(tmp_path)
    for _ in range(4):
        writer.add(list(range(1_000)))
    assert len(writer.buffer) == 4_000
    writer.close()
