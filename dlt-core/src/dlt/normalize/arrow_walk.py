"""The columnar fast path over pages extract stored as Arrow record batches.

The same walk as `dlt.normalize.columnar` (which takes pages of Python values), with Arrow doing
the work per column: a struct column flattens into `parent__child` columns, a list column
explodes into its child table (parent ids taken by `list_parent_indices`, `_dlt_list_idx`
counted per list, `_dlt_id` = parent id + `_` + index), and the type check is one comparison of
the column's Arrow type with the type its table column holds. The page gives up (returns None,
and its ids are handed back) in exactly the cases the Python walk does: an unseen key or child
table, a value of another type than its column, a json column, the nesting limit, or a column
name met twice. Extract only stores a page by Arrow when every value survives exactly
(`dlt.storage.arrow_pages`), so a page that gives up gets the same rows on the row path.

The first three are one item's (the first item holding the unseen key, child rows or value), and
the walk goes on past them to find the first such item of the page (`BatchWalk.first_refused`):
the items before it take the walk, and the row path starts there, so a page with a new column at
item 3,000 sends a few items to the row path, not 3,000.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from dlt.normalize.relational import DEFAULT_MAX_NESTING
from dlt.utils.arrow_ranges import arrow_range, arrow_repeat
from dlt.schema.inference import DECIMAL_PRECISION, DECIMAL_SCALE, ISO_TIMESTAMP_PATTERN
from dlt.schema.typing import ID_COLUMN, LIST_IDX_COLUMN, LOAD_ID_COLUMN, PARENT_ID_COLUMN, ROOT_ID_COLUMN

if TYPE_CHECKING:
    from dlt.normalize.relational import RowNormalizer

ArrowColumns = dict[str, pa.Array]
"""Column name -> one value per row, as an Arrow array."""


class BatchWalk(NamedTuple):
    """What the walk made of a page stored as a record batch."""

    tables: list[tuple[str, ArrowColumns, int]] | None
    """Every row the page produces, as Arrow columns per table (root table first), or None when
    the page needs the row path."""
    first_refused: int | None
    """With `tables` None: the first item of the page the row path must take (the items before
    it take the walk), or None when the refusal is not one item's (a json column, the nesting
    limit, a column name met twice, a None among a list's dicts, a list of lists)."""


def batch_tables(rows: RowNormalizer, table: str, batch: pa.RecordBatch, max_nesting: int | None,
                 merge_root: bool = False) -> list[tuple[str, ArrowColumns, int]] | None:
    """Every row a page stored as a record batch produces, as Arrow columns per table (root
    table first), or None when the page needs the row path."""
    return walk_batch(rows, table, batch, max_nesting, merge_root).tables


def walk_batch(rows: RowNormalizer, table: str, batch: pa.RecordBatch, max_nesting: int | None,
               merge_root: bool = False) -> BatchWalk:
    """Walk a page stored as a record batch: its rows as Arrow columns per table, or where the
    row path must start (see `BatchWalk`). A refused page hands its row ids back."""
    count = batch.num_rows
    if not count:
        return BatchWalk(None, None)
    if not rows.is_registered(table):
        # the row path registers the table with the first item
        return BatchWalk(None, 0)
    first_id = rows.id_mark()
    ids = rows.new_ids_array(count)
    columns: ArrowColumns = {}
    if rows.add_load_id:
        columns[LOAD_ID_COLUMN] = arrow_repeat(rows.load_id, count)
    columns[ID_COLUMN] = ids
    out: list[tuple[str, ArrowColumns, int]] = [(table, columns, count)]
    limit = DEFAULT_MAX_NESTING if max_nesting is None else max_nesting
    walk = _ArrowWalk(rows, limit, ids if merge_root else None, out)
    if not walk.scope(table, "", zip(batch.schema.names, batch.columns), columns, 0, ids, None, None):
        rows.rewind_ids(first_id)
        return BatchWalk(None, None)
    if walk.first_refused is not None:
        rows.rewind_ids(first_id)
        return BatchWalk(None, walk.first_refused)
    return BatchWalk(out, None)


_PY_TYPE_OF = {
    pa.int64(): int,
    pa.float64(): float,
    pa.string(): str,
    pa.bool_(): bool,
    pa.binary(): bytes,
    pa.date32(): date,
}


def _python_type(arrow_type: pa.DataType) -> type | None:
    """The Python type extract turned into this Arrow type (see `dlt.storage.arrow_pages`)."""
    if pa.types.is_timestamp(arrow_type):
        return datetime
    return _PY_TYPE_OF.get(arrow_type)


class _ArrowWalk:
    """One page's walk over struct levels and lists. Every method returns False to give up on
    the page; a refusal that is one item's is noted in `first_refused` and the walk goes on."""

    def __init__(self, rows: RowNormalizer, limit: int, root_ids: pa.Array | None,
                 out: list[tuple[str, ArrowColumns, int]]) -> None:
        self.rows = rows
        self.limit = limit
        self.root_ids = root_ids
        self.out = out
        self.first_refused: int | None = None

    def refuse(self, row: int, items: pa.Array | None) -> None:
        """Note that row `row` of the current table needs the row path; `items` holds the page
        item of each row of a child table (None on the root table, whose rows are the items)."""
        item = row if items is None else items[row].as_py()
        if self.first_refused is None or item < self.first_refused:
            self.first_refused = item

    def scope(self, table: str, prefix: str, fields: Any, columns: ArrowColumns, level: int,
              ids: pa.Array, root_ids: pa.Array | None, items: pa.Array | None) -> bool:
        """The `(key, array)` fields of one dict level of `table`, aligned with its rows
        (`items`: the page item of each row, None on the root table)."""
        rows = self.rows
        names = rows.scope_names(table, prefix)
        types = rows.known_types(table)
        if root_ids is None:
            root_ids = self.root_ids
        for key, values in fields:
            name = names.get(key)
            if name is None:
                # a key this normalize has not met (a column of an earlier load, or new): named
                # as the row path names it; a column the schema lacks is refused below
                name = rows.name_of(table, prefix, key)
            arrow_type = values.type
            if pa.types.is_null(arrow_type) or values.null_count == len(values):
                # all null: no item of these rows has a value under the key (as if it were
                # absent); an untyped column stays out of the job file
                if name not in columns and types.get(name) is not None:
                    columns[name] = values
                continue
            if name in columns:
                return False
            if pa.types.is_struct(arrow_type):
                if level >= self.limit or rows.is_json_column(table, name):
                    return False
                nested = zip([f.name for f in arrow_type], values.flatten())
                if not self.scope(table, name, nested, columns, level + 1, ids, root_ids, items):
                    return False
                continue
            if pa.types.is_list(arrow_type):
                if level >= self.limit or rows.is_json_column(table, name):
                    return False
                child = rows.child_table_of(table, name)
                if not rows.is_registered(child, True, root_ids is not None):
                    # the row path makes the child table, even for an empty list
                    self.refuse(_first_valid(values), items)
                    continue
                if not self.children(child, values, level + 1, ids, root_ids, items):
                    return False
                continue
            expected = types.get(name)
            if not _typed_as_column(values, expected) and not _decimals_fit(rows, table, name, values):
                self.refuse(_first_mistyped(values, expected), items)
                continue
            columns[name] = values
        return True

    def children(self, table: str, lists: pa.ListArray, level: int, parent_ids: pa.Array,
                 root_ids: pa.Array | None, parent_items: pa.Array | None) -> bool:
        """The rows of child table `table` (registered) from one list per parent row (null:
        no rows); `parent_items` as in `scope`."""
        rows = self.rows
        elements = lists.flatten()
        if not len(elements):
            return True
        parent_index = pc.list_parent_indices(lists)
        items = parent_index if parent_items is None else pc.take(parent_items, parent_index)
        lengths = pc.fill_null(pc.list_value_length(lists), 0)
        starts = pc.subtract(pc.cumulative_sum(lengths), lengths)
        indexes = pc.subtract(arrow_range(0, len(elements)), pc.take(starts, parent_index).cast(pa.int64()))
        parents = pc.take(parent_ids, parent_index)
        ids = pc.binary_join_element_wise(parents, pc.cast(indexes, pa.string()), "_")
        columns: ArrowColumns = {PARENT_ID_COLUMN: parents, LIST_IDX_COLUMN: indexes, ID_COLUMN: ids}
        child_roots = None
        if root_ids is not None:
            child_roots = pc.take(root_ids, parent_index)
            columns[ROOT_ID_COLUMN] = child_roots
        self.out.append((table, columns, len(elements)))
        element_type = elements.type
        if pa.types.is_struct(element_type):
            if elements.null_count:
                # a None among the dicts of a list: the row path decides
                return False
            fields = zip([f.name for f in element_type], elements.flatten())
            return self.scope(table, "", fields, columns, level, ids, child_roots, items)
        if pa.types.is_list(element_type):
            return False
        # a list of scalars: one `value` column
        types = rows.known_types(table)
        if pa.types.is_null(element_type) or elements.null_count == len(elements):
            if types.get("value") is not None:
                columns["value"] = elements
            return True
        expected = types.get("value")
        if not _typed_as_column(elements, expected) and not _decimals_fit(rows, table, "value", elements):
            self.refuse(_first_mistyped(elements, expected), items)
            return True
        columns["value"] = elements
        return True


def _first_valid(values: pa.Array) -> int:
    """The index of the first non-null value (the caller knows there is one)."""
    return pc.index(values.is_valid(), True).as_py()


def _first_mistyped(values: pa.Array, expected: type | None) -> int:
    """The index of the first value that does not go into a column of Python type `expected`
    as it is (for strings going into a timestamp column: the first that is no ISO timestamp)."""
    if expected is datetime and _python_type(values.type) is str:
        index = pc.index(pc.match_substring_regex(values, ISO_TIMESTAMP_PATTERN), False).as_py()
        if index >= 0:
            return index
    return _first_valid(values)


def _typed_as_column(values: pa.Array, expected: type | None) -> bool:
    """True when the non-null `values` go into a column of Python type `expected` as they are:
    the same type, or ISO 8601 strings into a timestamp column."""
    kind = _python_type(values.type)
    if kind is None or expected is None:
        return False
    if kind is expected:
        return True
    return expected is datetime and kind is str and all_iso_timestamps(values)


def _decimals_fit(rows: RowNormalizer, table: str, name: str, values: pa.Array) -> bool:
    """True for decimals going into a decimal column that hold them at dlt's default precision
    and scale (as `dlt.schema.inference.decimal_fits` decides per value)."""
    arrow_type = values.type
    if not pa.types.is_decimal(arrow_type):
        return False
    column = rows.schema.tables.get(table, {}).get("columns", {}).get(name)
    if column is None or column.get("data_type") != "decimal":
        return False
    return arrow_type.scale <= DECIMAL_SCALE and arrow_type.precision - arrow_type.scale <= DECIMAL_PRECISION - DECIMAL_SCALE


def all_iso_timestamps(values: pa.Array) -> bool:
    """True when every non-null string of an Arrow string array is an ISO timestamp (Arrow's
    regex engine) and at least one is not null."""
    matches = pc.match_substring_regex(values, ISO_TIMESTAMP_PATTERN)
    return matches.null_count < len(values) and bool(pc.all(matches).as_py())
