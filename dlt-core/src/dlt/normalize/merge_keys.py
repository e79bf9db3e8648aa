"""The last item per primary key of a merge table within one load.

Root tables with the merge disposition and a primary key keep only the last item of every key
(or, with a `dedup_sort` column, the item with the highest or lowest value in it). A first pass
over the table's pages finds the position of each key's kept item, so memory holds one integer
per key, not the rows; the key sidecars that extract writes make that pass read only the keys.

Also here: the `_dlt_id` of root rows of upsert tables (derived from the primary key) and of
scd2 tables (the row hash), which `stamp_row_ids` puts in place of the random ids.
"""

from __future__ import annotations

from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from dlt.destinations.strategies import dedup_sort, merge_strategy, uses_stable_row_id
from dlt.schema import Schema
from dlt.schema.typing import (
    ID_COLUMN,
    LIST_IDX_COLUMN,
    PARENT_ID_COLUMN,
    ROOT_ID_COLUMN,
    TTableSchema,
)
from dlt.storage.item_files import keys_file_of, read_item_pages, read_pickled_pages
from dlt.utils import typed_json
from dlt.utils.digests import digest128, digest128b
from dlt.utils.json_codec import custom_encode


def merge_keys_of(schema: Schema, table: str) -> list[str]:
    """Primary key columns of a root table with the merge disposition whose rows are
    de-duplicated by key ([] otherwise; scd2 tables keep every row)."""
    table_schema = schema.tables.get(table, {})
    if table_schema.get("parent") or table_schema.get("write_disposition") != "merge":
        return []
    if merge_strategy(table_schema) == "scd2":
        return []
    return [n for n, c in table_schema.get("columns", {}).items() if c.get("primary_key")]


def page_keys(page: list[Any], primary_key: list[str], naming: Any) -> list[Any] | None:
    """The key of every item of a page whose items are dicts of one shape, or None."""
    if not page or type(page[0]) is not dict:
        return None
    by_column = {naming.normalize_path(k): k for k in page[0]}
    raw = [by_column.get(pk) for pk in primary_key]
    if None in raw:
        return None
    try:
        if set(map(type, page)) != {dict}:
            return None
        keys = list(map(itemgetter(*raw), page))
        set(keys)  # all hashable
    except (KeyError, TypeError):
        return None
    return keys


def last_occurrences(schema: Schema, files: list[Path]) -> dict[str, set[int]]:
    """For merge tables with a primary key where a key occurs more than once: positions of
    the last item of every key."""
    result: dict[str, set[int]] = {}
    for table in sorted({f.name.rsplit(".", 2)[0] for f in files}):
        primary_key = merge_keys_of(schema, table)
        if not primary_key:
            continue
        last: dict[Any, int] = {}
        position = 0
        sort = dedup_sort(schema.tables[table])
        best: dict[Any, Any] = {}
        table_files = [f for f in files if f.name.rsplit(".", 2)[0] == table]
        if sort is None and _sidecar_keys_distinct(table_files, primary_key):
            continue  # every item is the last of its key: no dedupe
        for item_file in table_files:
            if sort is None:
                position = _file_keys(schema, item_file, primary_key, last, position)
            else:
                position = _file_keys_sorted(schema, item_file, primary_key, sort, last, best, position)
        if len(last) < position:
            # some key occurs more than once; a table whose every item is the last of its key
            # needs no dedupe (and its pages no position check)
            result[table] = set(last.values())
    return result


def _file_keys_sorted(schema: Schema, item_file: Path, primary_key: list[str], sort: tuple[str, str],
                      kept: dict[Any, int], best: dict[Any, Any], position: int) -> int:
    """Like `_file_keys`, keeping per key the item whose `dedup_sort` column value is highest
    (`desc`) or lowest (`asc`); a missing value never wins over a present one, and among
    equal values the later item wins."""
    column, order = sort
    descending = order == "desc"
    naming = schema.naming
    for page in read_item_pages(item_file):
        for item in page:
            if not isinstance(item, dict):
                kept[("__position__", position)] = position
                position += 1
                continue
            by_column = {naming.normalize_identifier(k): k for k in item}
            values = [item.get(by_column.get(pk)) for pk in primary_key]
            key: Any = values[0] if len(values) == 1 else tuple(values)
            value = item.get(by_column.get(column))
            try:
                hash(key)
            except TypeError:
                key = ("__position__", position)
            if key in kept and value is None and best.get(key) is not None:
                position += 1
                continue
            if key in kept and value is not None and best.get(key) is not None:
                try:
                    better = value >= best[key] if descending else value <= best[key]
                except TypeError:
                    better = True
                if not better:
                    position += 1
                    continue
            kept[key] = position
            best[key] = value
            position += 1
    return position


def _file_keys(schema: Schema, item_file: Path, primary_key: list[str], last: dict[Any, int],
               position: int) -> int:
    """Record the position of every item of one file under its key; returns the next position."""
    sidecar = _sidecar_keys(item_file, primary_key)
    if sidecar is not None:
        for keys in sidecar:
            last.update(zip(keys, range(position, position + len(keys))))
            position += len(keys)
        return position
    naming = schema.naming
    raw_keys: dict[tuple[str, ...], tuple[str | None, ...]] = {}
    for page in read_item_pages(item_file):
        keys = page_keys(page, primary_key, naming)
        if keys is not None:
            # a page of same-shaped dicts with hashable keys: C-speed
            last.update(zip(keys, range(position, position + len(page))))
            position += len(page)
            continue
        for item in page:
            if isinstance(item, dict):
                shape = tuple(item)
                names = raw_keys.get(shape)
                if names is None:
                    by_column = {naming.normalize_path(k): k for k in shape}
                    names = raw_keys[shape] = tuple(by_column.get(pk) for pk in primary_key)
                key: Any = item.get(names[0]) if len(names) == 1 else tuple(item.get(n) for n in names)
            else:
                key = ("__position__", position)
            try:
                last[key] = position
            except TypeError:  # an unhashable key value: keep that item
                last[("__position__", position)] = position
            position += 1
    return position


def _sidecar_keys_distinct(files: list[Path], primary_key: list[str]) -> bool:
    """True when every file has a sidecar and no key occurs twice in them (a set of the keys
    costs a fraction of the position map `_file_keys` builds)."""
    seen: set[Any] = set()
    count = 0
    for item_file in files:
        pages = _sidecar_keys(item_file, primary_key)
        if pages is None:
            return False
        for keys in pages:
            seen.update(keys)
            count += len(keys)
    return len(seen) == count


def _sidecar_keys(item_file: Path, primary_key: list[str]) -> list[list[Any]] | None:
    """The keys of every page of an item file from its sidecar, or None when there is no
    sidecar, it was written for another primary key, or a page's keys could not be taken."""
    sidecar = keys_file_of(item_file)
    if not sidecar.exists():
        return None
    values = read_pickled_pages(sidecar)
    if next(values, None) != tuple(primary_key):
        return None
    pages = list(values)
    return None if any(keys is None for keys in pages) else pages


ROW_ID_BYTES = 10
"""Digest length of a derived row id, as dlt 1.31's: 14 base64 characters."""


def nested_row_id(parent_id: str, table: str, list_index: int) -> str:
    """The `_dlt_id` of a nested row under a root row with a stable id, as dlt 1.31 derives it
    from its parent's id, its table's name and its position in the list."""
    return digest128(f"{parent_id}_{table}_{list_index}", ROW_ID_BYTES)


def row_id_function(table: TTableSchema) -> Any:
    """The function giving a root row its `_dlt_id` in upsert tables (from the primary key of
    the root row) and scd2 tables (a hash of the item with its nested data, so a change only
    in a nested list makes a new version), or None for random ids. It takes the root row and the
    item it came from. Both hashes are dlt 1.31's, so tables it loaded merge on here (and the
    other way round) without a row changing its id."""
    if not uses_stable_row_id(table):
        return None
    if merge_strategy(table) == "upsert":
        primary_key = [n for n, c in table["columns"].items() if c.get("primary_key")]
        return lambda row, item: digest128b(orjson.dumps(
            {pk: row.get(pk) for pk in primary_key}, default=_typed, option=_HASH_OPTIONS),
            ROW_ID_BYTES)

    def row_hash(row: dict[str, Any], item: Any) -> str:
        # the item as it came (nested data included), without dlt's own keys
        data = item if isinstance(item, dict) else row
        kept = {k: v for k, v in data.items() if not str(k).startswith("_dlt")}
        return digest128b(orjson.dumps(kept, default=_typed, option=_HASH_OPTIONS), ROW_ID_BYTES)

    return row_hash


_HASH_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _typed(value: Any) -> Any:
    """Values as dlt 1.31 has them when it hashes a row: datetimes, dates, decimals and bytes
    in its typed JSON form (the marked strings its extracted files hold), models as dicts."""
    try:
        return typed_json.default(value)
    except TypeError:
        return custom_encode(value)


def stamp_row_ids(rows: list[tuple[str, dict[str, Any]]], table: str, row_id: Any, item: Any) -> None:
    """Give the root row of one item's rows `row_id(root row, item)` as `_dlt_id`, and its nested
    rows the ids `nested_row_id` derives from it (parents come before their children in `rows`),
    with their parent and root ids to match."""
    if not rows or rows[0][0] != table:
        return
    root = rows[0][1]
    old = root.get(ID_COLUMN)
    if old is None:
        return
    new = row_id(root, item)
    root[ID_COLUMN] = new
    renamed = {old: new}
    for child_table, row in rows[1:]:
        parent = renamed.get(row.get(PARENT_ID_COLUMN))
        if parent is None:
            continue
        child = nested_row_id(parent, child_table, row[LIST_IDX_COLUMN])
        renamed[row[ID_COLUMN]] = child
        row[ID_COLUMN] = child
        row[PARENT_ID_COLUMN] = parent
        if row.get(ROOT_ID_COLUMN) is not None:
            row[ROOT_ID_COLUMN] = new