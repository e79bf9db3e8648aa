"""The columnar fast path: a page of flat dicts that needs no schema change, as columns.

Most pages of a steady stream look like the page before: the same keys, each value of exactly
its column's type. Such a page is normalized column by column with C-speed builtins (one list
per key, one `set(map(type, ...))` per column) instead of one Python walk per row. Any page
that could change the schema, or needs a coercion, a variant column, a contract decision or an
unpacked child table, returns None and goes through `RowNormalizer` row by row, so results are
exactly those of the row path.
"""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from dlt.schema.inference import INT64_MAX, INT64_MIN, ISO_TIMESTAMP_PATTERN
from dlt.schema.typing import ID_COLUMN, LOAD_ID_COLUMN

if TYPE_CHECKING:
    from dlt.normalize.relational import RowNormalizer

_NONE_TYPE = type(None)

PageColumns = dict[str, list[Any]]
"""Column name -> one value per row of the page."""


def page_columns(rows: RowNormalizer, table: str, page: list[Any]) -> PageColumns | None:
    """The root rows of `page` as columns, or None when the page needs the row path.

    The page qualifies when every item is a dict whose keys are known columns of `table` and
    every non-null value has exactly its column's Python type (ISO 8601 strings count as
    timestamps, ints must fit 64 bits). `_dlt_id` and `_dlt_load_id` are added as columns.
    """
    if not page or table not in rows.registered_tables():
        return None
    if set(map(type, page)) != {dict}:
        return None
    names = rows.scope_names(table)
    types = rows.known_types(table)
    columns: PageColumns = {}
    for key, values in _transpose(page).items():
        name = names.get(key)
        if name is None:
            return None
        kinds = set(map(type, values))
        kinds.discard(_NONE_TYPE)
        if not kinds:
            # all null: nothing to type; an untyped column stays out of the job file
            if types.get(name) is not None:
                columns[name] = values
            continue
        expected = types.get(name)
        if expected is None or len(kinds) != 1:
            return None
        (kind,) = kinds
        if kind is expected:
            if kind is int and not _fits_int64(values):
                return None
        elif not (expected is datetime and kind is str and _all_iso(values)):
            return None
        columns[name] = values
    count = len(page)
    if rows.add_load_id and LOAD_ID_COLUMN not in columns:
        columns[LOAD_ID_COLUMN] = [rows.load_id] * count
    if ID_COLUMN not in columns:
        columns[ID_COLUMN] = rows.new_ids(count)
    return columns


def _transpose(page: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """key -> the values of every item (None where an item lacks the key)."""
    if len(set(map(len, page))) == 1:
        # the common case, every item with the same keys: C-speed getters
        try:
            return {key: list(map(itemgetter(key), page)) for key in page[0]}
        except KeyError:
            pass
    return {key: [item.get(key) for item in page] for key in dict.fromkeys(chain.from_iterable(page))}


def _fits_int64(values: list[Any]) -> bool:
    present = [v for v in values if v is not None] if None in values else values
    return INT64_MIN <= min(present) and max(present) <= INT64_MAX


def _all_iso(values: list[Any]) -> bool:
    """True when every string is an ISO timestamp, checked by Arrow's regex engine. Its
    pattern is stricter than Python's (ASCII digits, no newline before the end), so a value
    it rejects goes to the row path, which then decides as always."""
    try:
        matches = pc.match_substring_regex(pa.array(values, type=pa.string()), ISO_TIMESTAMP_PATTERN)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    return matches.null_count < len(values) and bool(pc.all(matches).as_py())
