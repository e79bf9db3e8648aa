"""The columnar fast path: a page of dicts that needs no schema change, as columns per table.

Most pages of a steady stream look like the page before: the same keys, each value of exactly
its column's type. Such a page is normalized column by column with C-speed builtins (one list
per key, one `set(map(type, ...))` per column) instead of one Python walk per row. Nested dicts
flatten level by level into `parent__child` columns and lists explode into child-table columns
with their parents' ids, in the order the row path makes them. Any page that could change the
schema, or needs a coercion, a variant column or a contract decision, returns None and goes
through `RowNormalizer` row by row (with the same row ids), so results are exactly those of the
row path.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from dlt.schema.inference import INT64_MAX, INT64_MIN, decimal_fits
from dlt.schema.typing import ID_COLUMN, LIST_IDX_COLUMN, LOAD_ID_COLUMN, PARENT_ID_COLUMN, ROOT_ID_COLUMN

from dlt.normalize.arrow_walk import all_iso_timestamps, batch_tables
from dlt.normalize.relational import DEFAULT_MAX_NESTING
from dlt.storage.item_files import ColumnPage

if TYPE_CHECKING:
    from dlt.normalize.relational import RowNormalizer

_NONE_TYPE = type(None)

PageColumns = dict[str, list[Any]]
"""Column name -> one value per row of the page."""


def page_columns(rows: RowNormalizer, table: str, page: list[Any]) -> PageColumns | None:
    """The root rows of a page of flat dicts as columns, or None when the page needs the row
    path or unpacks into child tables (`page_tables` takes those)."""
    mark = rows.id_mark()
    tables = page_tables(rows, table, page, None)
    if tables is None:
        return None
    if len(tables) != 1:
        rows.rewind_ids(mark)
        return None
    return tables[0][1]


TableColumns = tuple[str, PageColumns, int]
"""(table name, its columns, row count) for one table a page produces."""


def page_tables(rows: RowNormalizer, table: str, page: list[Any] | ColumnPage, max_nesting: int | None,
                merge_root: bool = False) -> list[TableColumns] | None:
    """Every row a page of items produces, as columns per table (root table first), or None
    when the page needs the row path.

    The page qualifies when every item is a dict; every key, at every level, was seen before
    (its column name and child table are known); every non-null scalar has exactly its
    column's Python type (ISO 8601 strings count as timestamps, ints must fit 64 bits,
    decimals must fit the default precision); values of one key are all scalars, all dicts
    (flattened into `parent__child` columns) or all lists (a child table of scalars or of
    dicts, linked by `_dlt_parent_id`/`_dlt_list_idx`, `_dlt_id` = parent id + index, and
    `_dlt_root_id` on merge tables), as the row path would unpack them; and no table would
    gain a column. Row ids are the ones the row path would give, in the same order.

    A page extract stored as an Arrow record batch takes the same walk in Arrow
    (`dlt.normalize.arrow_walk`) and comes back as Arrow arrays.
    """
    if type(page) is pa.RecordBatch:
        return batch_tables(rows, table, page, max_nesting, merge_root)
    if type(page) is ColumnPage:
        # stored by columns at extract: dicts of one shape, already transposed
        count = len(page)
        transposed: dict[str, list[Any]] | None = page.as_dict()
    elif not page or set(map(type, page)) != {dict}:
        return None
    else:
        count = len(page)
        transposed = None
    first_id = rows.id_mark()
    ids = rows.new_ids(count)
    columns: PageColumns = {}
    if rows.add_load_id:
        columns[LOAD_ID_COLUMN] = [rows.load_id] * count
    columns[ID_COLUMN] = ids
    out: list[TableColumns] = [(table, columns, count)]
    limit = DEFAULT_MAX_NESTING if max_nesting is None else max_nesting
    walk = _Walk(rows, limit, ids if merge_root else None, out)
    if not rows.is_registered(table) or not walk.scope(table, "", page, columns, 0, ids,
                                                                 transposed=transposed):
        rows.rewind_ids(first_id)
        return None
    return out


_EMPTY: dict[str, Any] = {}


class _Walk:
    """One page's walk over dict levels and lists; every method returns False to give up."""

    def __init__(self, rows: RowNormalizer, limit: int, root_ids: list[str] | None,
                 out: list[TableColumns]) -> None:
        self.rows = rows
        self.limit = limit
        self.root_ids = root_ids
        self.out = out

    def scope(self, table: str, prefix: str, items: list[dict[str, Any]], columns: PageColumns,
              level: int, ids: list[str], root_ids: list[str] | None = None,
              transposed: dict[str, list[Any]] | None = None) -> bool:
        """The keys of one dict level of `table` (items aligned with the table's rows, or
        given already `transposed`: key -> values)."""
        rows = self.rows
        names = rows.scope_names(table, prefix)
        types = rows.known_types(table)
        if root_ids is None:
            root_ids = self.root_ids
        for key, values in (_transpose(items) if transposed is None else transposed).items():
            name = names.get(key)
            if name is None:
                # named as the row path names it; a column the schema lacks is refused below
                name = rows.name_of(table, prefix, key)
            if name in columns:
                return False
            kinds = set(map(type, values))
            kinds.discard(_NONE_TYPE)
            if not kinds:
                # all null: nothing to type; an untyped column stays out of the job file
                if types.get(name) is not None:
                    columns[name] = values
                continue
            if kinds & _CONTAINER_TYPES:
                if len(kinds) != 1 or level >= self.limit or rows.is_json_column(table, name):
                    return False
                if dict in kinds:
                    nested = [_EMPTY if v is None else v for v in values] if None in values else values
                    if not self.scope(table, name, nested, columns, level + 1, ids, root_ids):
                        return False
                    continue
                if list not in kinds:
                    return False
                child = rows.child_table_of(table, name)
                if not self.children(child, values, level + 1, ids, root_ids):
                    return False
                continue
            if not _typed_as_column(rows, table, name, kinds, values, types.get(name)):
                return False
            columns[name] = values
        return True

    def children(self, table: str, lists: list[Any], level: int, parent_ids: list[str],
                 root_ids: list[str] | None) -> bool:
        """The rows of child table `table` from one list per parent row (None: no rows)."""
        rows = self.rows
        if not rows.is_registered(table, True, root_ids is not None):
            return False
        lengths = [len(v) if v else 0 for v in lists]
        elements = [e for v in lists if v for e in v]
        if not elements:
            return True
        parents = [p for p, n in zip(parent_ids, lengths) if n for _ in range(n)]
        indexes = [i for n in lengths if n for i in range(n)]
        ids = [f"{p}_{i}" for p, i in zip(parents, indexes)]
        columns: PageColumns = {PARENT_ID_COLUMN: parents, LIST_IDX_COLUMN: indexes, ID_COLUMN: ids}
        child_roots = None
        if root_ids is not None:
            child_roots = [r for r, n in zip(root_ids, lengths) if n for _ in range(n)]
            columns[ROOT_ID_COLUMN] = child_roots
        self.out.append((table, columns, len(elements)))
        kinds = set(map(type, elements))
        if kinds == {dict}:
            return self.scope(table, "", elements, columns, level, ids, child_roots)
        kinds.discard(_NONE_TYPE)
        if kinds & _CONTAINER_TYPES:
            return False
        # a list of scalars: one `value` column
        types = rows.known_types(table)
        if not kinds:
            if types.get("value") is not None:
                columns["value"] = elements
            return True
        if not _typed_as_column(rows, table, "value", kinds, elements, types.get("value")):
            return False
        columns["value"] = elements
        return True


_CONTAINER_TYPES = frozenset({dict, list, tuple})


def _typed_as_column(rows: RowNormalizer, table: str, name: str, kinds: set[type],
                     values: list[Any], expected: type | None) -> bool:
    """True when the non-null `values` (of Python types `kinds`) go into column `name` as
    they are: no new column, no coercion, no variant."""
    if len(kinds) != 1:
        return False
    (kind,) = kinds
    if expected is None:
        return kind is Decimal and _all_decimals_fit(rows, table, name, values)
    if kind is expected:
        return kind is not int or _fits_int64(values)
    return expected is datetime and kind is str and _all_iso(values)


def _all_decimals_fit(rows: RowNormalizer, table: str, name: str, values: list[Any]) -> bool:
    column = rows.schema.tables.get(table, {}).get("columns", {}).get(name)
    if column is None or column.get("data_type") != "decimal":
        return False
    return all(decimal_fits(v) for v in values if v is not None)


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
    """True when every string is an ISO timestamp, checked by Arrow's regex engine
    (`dlt.normalize.arrow_walk.all_iso_timestamps`). Its pattern is stricter than Python's
    (ASCII digits, no newline before the end), so a value it rejects goes to the row path,
    which then decides as always."""
    try:
        strings = pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    return all_iso_timestamps(strings)
