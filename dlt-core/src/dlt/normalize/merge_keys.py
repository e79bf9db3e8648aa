"""The last item per primary key of a merge table within one load.

Root tables with the merge disposition and a primary key keep only the last item of every key.
A first pass over the table's pages finds the position of each key's last item, so memory
holds one integer per key, not the rows; the key sidecars that extract writes make that pass
read only the keys.
"""

from __future__ import annotations

from operator import itemgetter
from pathlib import Path
from typing import Any

from dlt.schema import Schema
from dlt.storage.item_files import keys_file_of, read_pickled_pages


def merge_keys_of(schema: Schema, table: str) -> list[str]:
    """Primary key columns of a root table with the merge disposition ([] otherwise)."""
    table_schema = schema.tables.get(table, {})
    if table_schema.get("parent") or table_schema.get("write_disposition") != "merge":
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
    """For merge tables with a primary key: positions of the last item of every key."""
    result: dict[str, set[int]] = {}
    for table in sorted({f.name.rsplit(".", 2)[0] for f in files}):
        primary_key = merge_keys_of(schema, table)
        if not primary_key:
            continue
        last: dict[Any, int] = {}
        position = 0
        for item_file in files:
            if item_file.name.rsplit(".", 2)[0] == table:
                position = _file_keys(schema, item_file, primary_key, last, position)
        result[table] = set(last.values())
    return result


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
    for page in read_pickled_pages(item_file):
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
