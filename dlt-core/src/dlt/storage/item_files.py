"""The extracted item files of a package: pickled pages of items, the key sidecars of merge
tables, and Arrow IPC files of Arrow data.

Extract appends each page (a list of items) to a table's item file with `pickle`; for a root
table with the merge disposition it appends the primary key values of the same page to a
sidecar file, so normalize finds the last item of every key without unpickling the items twice.

A page of dicts whose every value Arrow holds exactly is stored as an Arrow record batch
(`dlt.storage.arrow_pages`, for tables normalize takes by columns): extract builds the arrays,
and normalize's Arrow walk hands them to the job writers without a Python object per value.
Any other page of dicts that all have the same keys in the same order is stored by columns
(`encode_page`): one list of values per key instead of one dict per item. `read_item_pages`
gives every other reader the items as they were (a missing key of a record-batch page reads as
None). Packages written before either form existed read as they did; older code cannot read a
package that holds the newer forms.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from operator import itemgetter
from typing import Any

ARROW_ITEM_SUFFIX = ".arrow"
"""The suffix of extracted Arrow item files (Arrow IPC files)."""

KEYS_SUFFIX = ".keys"
"""Suffix of an item file's key sidecar: `<table>.<index>.pkl.keys`."""


def keys_file_of(item_file: Path) -> Path:
    """The key sidecar of an item file."""
    return item_file.with_name(item_file.name + KEYS_SUFFIX)


def is_keys_file(path: Path) -> bool:
    """True for a key sidecar (not an item file)."""
    return path.name.endswith(KEYS_SUFFIX)


def append_pickled(file: Any, value: Any) -> None:
    """Append one pickled value (a page, or a page's keys) to an open file."""
    pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)


ARROW_MARK = "\x00dlt:arrow"
"""First element of a page stored as an Arrow record batch: `(ARROW_MARK, batch)`."""

COLUMNS_MARK = "\x00dlt:columns"
"""First element of a page stored by columns: `(COLUMNS_MARK, keys, columns)`. Pages of items
are lists, so a tuple with this mark is never a page of the user's."""


class ColumnPage:
    """A page of same-shaped dicts as columns: `keys` (in the items' order) and one list of
    values per key; `items()` gives the dicts back, equal to the ones extract stored."""

    __slots__ = ("keys", "columns")

    def __init__(self, keys: tuple[str, ...], columns: list[list[Any]]) -> None:
        self.keys = keys
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def as_dict(self) -> dict[str, list[Any]]:
        """key -> the values of every item."""
        return dict(zip(self.keys, self.columns))

    def items(self) -> list[dict[str, Any]]:
        """The page as a list of dicts."""
        keys = self.keys
        return [dict(zip(keys, row)) for row in zip(*self.columns)]


ARROW_SPLIT_ITEMS = 500
"""The fewest items extract encodes as one record batch when the resource's pages are smaller."""

ARROW_PART_ITEMS = 100
"""Items per part of a chunk Arrow cannot hold as a whole: each part that it can hold is stored
by Arrow (consecutive ones joined again), so one odd value sends only its part to the row path,
which takes each item many times as long as the Arrow path does."""


def encode_pages(items: list[Any], arrow: bool = False, page_sizes: list[int] | None = None,
                 json_exact: bool = False) -> list[Any]:
    """What `append_pickled` stores for a buffered page, one value per stored page.

    With `arrow`, a buffer whose pages (as the resource yielded them, `page_sizes`) start with
    items of other keys is encoded page by page (pages of fewer than `ARROW_SPLIT_ITEMS` items
    taken together): pages whose keys differ (a sparse column in some pages only) then do not
    make every batch carry every page's columns as nulls. Consecutive batches of one schema are
    joined into one. A buffer whose pages all start alike is encoded whole. A page Arrow cannot
    hold whole is stored in parts of `ARROW_PART_ITEMS` items, every part encoded on its own
    (`encode_page`). `json_exact`: as in `dlt.storage.arrow_pages.encode_arrow_page`."""
    if not arrow:
        return [encode_page(items)]
    if page_sizes and _pages_start_alike(items, page_sizes):
        page_sizes = None
    stored: list[Any] = []
    start = 0
    for end in _chunk_ends(len(items), page_sizes):
        chunk = items[start:end] if start or end < len(items) else items
        stored.extend(_encode_chunk(chunk, json_exact))
        start = end
    return _joined_batches(stored)


def _pages_start_alike(items: list[Any], page_sizes: list[int]) -> bool:
    """True when the first items of all pages are dicts of the same keys in the same order."""
    firsts = set()
    start = 0
    for size in page_sizes:
        if size:
            first = items[start] if start < len(items) else None
            firsts.add(tuple(first) if type(first) is dict else None)
            if len(firsts) > 1:
                return False
        start += size
    return None not in firsts


def _chunk_ends(count: int, page_sizes: list[int] | None) -> list[int]:
    """Where the buffer's chunks end: at page ends, once a chunk holds `ARROW_SPLIT_ITEMS`
    items; a smaller rest goes with the chunk before it."""
    ends: list[int] = []
    end = chunk = 0
    for size in page_sizes or [count]:
        end += size
        chunk += size
        if chunk >= ARROW_SPLIT_ITEMS:
            ends.append(end)
            chunk = 0
    if end != count:  # sizes that do not add up: one chunk
        return [count]
    if chunk:
        if ends:
            ends[-1] = count
        else:
            ends.append(count)
    return ends


def _encode_chunk(items: list[Any], json_exact: bool) -> list[Any]:
    """One chunk as one record batch, or in parts of `ARROW_PART_ITEMS` items when Arrow cannot
    hold it whole."""
    from dlt.storage.arrow_pages import encode_arrow_page

    if len(items) <= ARROW_PART_ITEMS:
        return [encode_page(items, True, json_exact)]
    batch = encode_arrow_page(items, json_exact)
    if batch is not None:
        return [(ARROW_MARK, batch)]
    if set(map(type, items)) == {dict}:
        return [encode_page(items[start:start + ARROW_PART_ITEMS], True, json_exact)
                for start in range(0, len(items), ARROW_PART_ITEMS)]
    return [encode_page(items)]


def _joined_batches(stored: list[Any]) -> list[Any]:
    """The stored pages with each run of record batches of one schema joined into one batch."""
    if len(stored) < 2:
        return stored
    import pyarrow as pa

    joined: list[Any] = []
    run: list[Any] = []

    def close_run() -> None:
        if len(run) == 1:
            joined.append((ARROW_MARK, run[0]))
        elif run:
            table = pa.Table.from_batches(run).combine_chunks()
            joined.append((ARROW_MARK, pa.RecordBatch.from_arrays(
                [column.chunk(0) for column in table.columns], schema=table.schema)))
        run.clear()

    for value in stored:
        if _is_arrow_page(value):
            if run and not value[1].schema.equals(run[0].schema):
                close_run()
            run.append(value[1])
        else:
            close_run()
            joined.append(value)
    close_run()
    return joined


def encode_page(items: list[Any], arrow: bool = False, json_exact: bool = False) -> Any:
    """What `append_pickled` stores for a page: with `arrow`, a record batch when Arrow holds
    every value exactly (`dlt.storage.arrow_pages`); else the columns of a page of dicts of one
    shape (same keys, same order, at least two items); otherwise the list itself."""
    if arrow and len(items) >= 2:
        from dlt.storage.arrow_pages import encode_arrow_page

        batch = encode_arrow_page(items, json_exact)
        if batch is not None:
            return (ARROW_MARK, batch)
    if len(items) < 2 or set(map(type, items)) != {dict}:
        return items
    first = tuple(items[0])
    if not first or set(map(tuple, items)) != {first}:
        return items
    return (COLUMNS_MARK, first, [list(map(itemgetter(key), items)) for key in first])


def read_item_pages(path: Path, columns: bool = False) -> Iterator[Any]:
    """The pages of an item file, each a list of items; with `columns`, pages stored by
    columns come as `ColumnPage`s and pages stored by Arrow as `pyarrow.RecordBatch`es."""
    for value in read_pickled_pages(path):
        if type(value) is tuple and len(value) == 3 and value[0] == COLUMNS_MARK:
            page = ColumnPage(value[1], value[2])
            yield page if columns else page.items()
        elif _is_arrow_page(value):
            yield value[1] if columns else value[1].to_pylist()
        else:
            yield value


def starts_with_arrow_page(path: Path) -> bool:
    """True when the first page of an item file is stored as an Arrow record batch."""
    return _is_arrow_page(next(read_pickled_pages(path), None))


def _is_arrow_page(value: Any) -> bool:
    """True for a stored value `(ARROW_MARK, batch)`."""
    return type(value) is tuple and len(value) == 2 and value[0] == ARROW_MARK


def read_pickled_pages(path: Path) -> Iterator[Any]:
    """The values appended one after another into an item file or a key sidecar. A file that
    is cut short or garbled raises `CorruptedFileError` naming it (never a silent loss of the
    pages after the damage)."""
    size = path.stat().st_size
    with open(path, "rb") as file:
        while True:
            start = file.tell()
            try:
                value = pickle.load(file)
            except EOFError:
                if start >= size:
                    return
                _corrupted(path, f"it is cut short after {start} of {size} bytes")
            except (pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError,
                    MemoryError) as exc:
                _corrupted(path, f"it cannot be unpickled at byte {start} ({exc})")
            yield value


def _corrupted(path: Path, problem: str) -> None:
    from dlt.storage.exceptions import CorruptedFileError, package_file_advice

    raise CorruptedFileError(path, problem, package_file_advice(path))
