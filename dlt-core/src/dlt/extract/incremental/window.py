"""`CursorWindow`: the filter one bound incremental applies to a run's items.

A window is `[start, end)` along the direction of `last_value_func` (both ends configurable as
open or closed). It lets through items whose cursor value is inside, drops rows at the start that
an earlier run already loaded (by primary key hash, or whole-row hash without a key), and tracks
the furthest cursor value seen with the hashes of the rows at it, for the next run.

Python rows go through a cheap per-row path; Arrow tables, record batches and pandas/polars
frames are filtered as columns with pyarrow compute, row by row only for rows at the boundary.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import orjson

from dlt.extract.incremental.exceptions import (
    IncrementalCursorInvalidCoercion,
    IncrementalCursorPathHasValueNone,
    IncrementalCursorPathMissing,
    IncrementalPrimaryKeyMissing,
)
from dlt.utils.digests import digest128b
from dlt.utils.json_codec import custom_encode

logger = logging.getLogger("dlt")

_MISSING = object()


def compile_cursor_path(cursor_path: str) -> list[str]:
    """The field names of a cursor path: `ts`, `meta.updated_at`, `$.meta.updated_at`."""
    path = cursor_path.strip()
    if path.startswith("$"):
        path = path[1:].lstrip(".")
    parts = []
    for part in path.replace("['", ".").replace("']", "").split("."):
        if part:
            parts.append(part)
    if not parts:
        raise ValueError(f"The incremental cursor path {cursor_path!r} names no field.")
    return parts


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)

HASH_FORMATS = ("dlt", "dlt_pre_1_29", "blake2b_hex")
"""Dedup hash formats, read from the hashes in state: dlt 1.29 and later (12 base64 characters,
what every new hash is), dlt before 1.29 (20 base64 characters) and this dlt before it wrote
1.31's hashes (24 hex characters). A window hashes rows at its start value in the format of the
stored hashes, so state written by any of them still deduplicates the boundary."""


def hash_format_of(hashes: Sequence[str]) -> str:
    """The format the hashes stored in state were written in (`dlt` when there are none)."""
    for digest in hashes:
        if len(digest) == 20:
            return "dlt_pre_1_29"
        if len(digest) == 24 and all(c in "0123456789abcdef" for c in digest):
            return "blake2b_hex"
    return "dlt"


def _timestamp_us(value: Any) -> Any:
    """A datetime as whole microseconds since the epoch (naive read as UTC), other values
    encoded as in dlt's JSON."""
    if isinstance(value, datetime):
        moment = datetime(value.year, value.month, value.day, value.hour, value.minute,
                          value.second, value.microsecond, value.tzinfo or timezone.utc)
        return (moment - _EPOCH) // _MICROSECOND
    return custom_encode(value)


_SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def row_hash(value: Any, hash_format: str = "dlt") -> str:
    """The dedup digest of a row or of its primary key value(s), as dlt 1.31 computes it: JSON
    with sorted keys, datetimes as epoch microseconds, shake-128 in base64 (`hash_format` reads
    hashes of older state, see `HASH_FORMATS`)."""
    if hash_format == "dlt":
        return digest128b(orjson.dumps(value, default=_timestamp_us,
                                       option=_SORTED | orjson.OPT_PASSTHROUGH_DATETIME), 9)
    if hash_format == "dlt_pre_1_29":
        return digest128b(orjson.dumps(value, default=custom_encode,
                                       option=_SORTED | orjson.OPT_UTC_Z), 15)
    blob = orjson.dumps(value, option=_SORTED, default=str)
    return hashlib.blake2b(blob, digest_size=12).hexdigest()


def _adapt_timezone(row_value: datetime, value: datetime, name: str, resource: str | None,
                    row_text: str | None = None) -> datetime:
    """`value` with the tz-awareness of `row_value` (a naive value is read as UTC)."""
    if (value.tzinfo is None) == (row_value.tzinfo is None):
        return value
    if resource is not None:
        logger.warning(
            "In resource %s: %s %s and %s differ in timezone awareness; the %s follows the data"
            " (a naive value is read as UTC). Check the tz-awareness of initial_value or whether"
            " the data changed it between runs.", resource, name, value,
            row_text or f"the row value {row_value}", name)
    if row_value.tzinfo is None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.replace(tzinfo=timezone.utc).astimezone(row_value.tzinfo)


class CursorWindow:
    """The range, dedup hashes and progress of one incremental during one run."""

    def __init__(self, *, resource_name: str | None, cursor_path: str, start: Any, end: Any,
                 last_value_func: Callable[..., Any], primary_key: Any, start_hashes: Sequence[str],
                 on_cursor_value_missing: str, range_start: str, range_end: str,
                 dedup: bool) -> None:
        self.resource_name = resource_name
        self.cursor_path = cursor_path
        self.path = compile_cursor_path(cursor_path)
        self.start = start
        self.end = end
        self.last = start
        self.func = last_value_func
        self.ascending = last_value_func is max
        self.ordered = last_value_func in (max, min)
        self.primary_key = primary_key
        self.key_columns: list[str] | None = (
            None if primary_key is None else
            [primary_key] if isinstance(primary_key, str) else list(primary_key)
        )
        self.key_is_column = isinstance(primary_key, str)  # hashed as its value, not a list
        self.dedup = dedup
        self.start_format = self.hash_format = hash_format_of(start_hashes)
        self.start_hashes = frozenset(start_hashes) if dedup else frozenset()
        self.hashes: set[str] = set(start_hashes) if dedup else set()
        self.last_rows: list[Any] = []
        self.on_missing = on_cursor_value_missing
        self.start_open = range_start == "open"
        self.end_open = range_end == "open"
        self.start_out_of_range = False
        self.end_out_of_range = False
        self.seen_data = False

    # -- comparisons along the direction of last_value_func ---------------------------------

    def beyond(self, value: Any, reference: Any) -> bool:
        """True when `value` is strictly further than `reference` (max: greater)."""
        if self.ascending:
            return value > reference
        if self.func is min:
            return value < reference
        return value != reference and self.func((value, reference)) != reference

    def behind(self, value: Any, reference: Any) -> bool:
        """True when `value` is strictly before `reference` (max: smaller). A custom function
        decides as in dlt 1.31: `func((value, reference))` gives `reference`, so on a tie the
        function's choice of its first argument keeps the row."""
        if self.ascending:
            return value < reference
        if self.func is min:
            return value > reference
        return value != reference and self.func((value, reference)) == reference

    def _compare_error(self, reference: Any, name: str, value: Any, exc: Exception) -> Exception:
        return IncrementalCursorInvalidCoercion(
            self.resource_name, self.cursor_path, reference, name, value, type(value).__name__, str(exc))

    # -- Python rows ------------------------------------------------------------------------

    def cursor_value(self, row: Any) -> Any:
        """The value at the cursor path of `row`, or `_MISSING`."""
        node = row
        for part in self.path:
            if isinstance(node, dict):
                node = node.get(part, _MISSING)
                if node is _MISSING:
                    return _MISSING
            else:
                node = getattr(node, part, _MISSING)
                if node is _MISSING:
                    return _MISSING
        return node

    def key_hash(self, row: Any, hash_format: str | None = None) -> str:
        """The dedup hash of a Python row: its primary key value(s), or the whole row (in the
        window's current hash format unless `hash_format` is given)."""
        hash_format = hash_format or self.hash_format
        columns = self.key_columns
        if columns is None:
            return row_hash(row, hash_format)
        try:
            if isinstance(row, dict):
                values = [row[c] for c in columns]
            else:
                values = [getattr(row, c) for c in columns]
            return row_hash(self._key_value(values, hash_format), hash_format)
        except (KeyError, AttributeError) as exc:
            raise IncrementalPrimaryKeyMissing(self.resource_name, exc.args[0], row) from None

    def _adapt_to_row(self, value: datetime) -> None:
        if isinstance(self.start, datetime):
            self.start = self.last = _adapt_timezone(value, self.start, "start value", self.resource_name)
        if isinstance(self.end, datetime):
            self.end = _adapt_timezone(value, self.end, "end_value", self.resource_name)

    def keep_row(self, row: Any) -> bool:
        """Decide one Python row and record its cursor value; True keeps it."""
        self.start_out_of_range = self.end_out_of_range = False
        value = self.cursor_value(row)
        if value is _MISSING or value is None:
            if self.on_missing == "raise":
                error = IncrementalCursorPathMissing if value is _MISSING else IncrementalCursorPathHasValueNone
                raise error(self.resource_name, self.cursor_path, row)
            return self.on_missing == "include"
        if not self.seen_data:
            if isinstance(value, datetime):
                self._adapt_to_row(value)
            self.seen_data = True
        end = self.end
        if end is not None:
            try:
                if self.beyond(value, end) or (self.end_open and value == end):
                    self.end_out_of_range = True
                    return False
            except TypeError as exc:
                raise self._compare_error(end, "end_value", value, exc) from exc
        last = self.last
        try:
            advances = last is None or self.beyond(value, last)
        except TypeError as exc:
            raise self._compare_error(last, "start_value/initial_value", value, exc) from exc
        if advances:
            self.last = value
            if self.dedup:
                self.last_rows = [row]
                self.hashes = set()
                self.hash_format = "dlt"
            return True
        start = self.start
        if start is not None:
            if value == start:
                if self.start_open or (
                        self.dedup and self.key_hash(row, self.start_format) in self.start_hashes):
                    self.start_out_of_range = True
                    return False
            elif self.behind(value, start):
                self.start_out_of_range = True
                return False
        if self.dedup and value == last:
            self.last_rows.append(row)
        return True

    def filter_rows(self, rows: list[Any]) -> list[Any]:
        """The rows of a page that pass, in order (as `keep_row` on each, faster).

        Rows of a top-level cursor field that move the cursor forward take a short path with no
        calls; every other row goes through `keep_row`.
        """
        keep_row = self.keep_row
        if len(self.path) != 1 or not self.ordered or self.end is not None or not self.seen_data:
            # the first row adapts time zones; bounded windows check the end on every row
            if not rows:
                return []
            first_kept = [rows[0]] if keep_row(rows[0]) else []
            if len(rows) == 1:
                return first_kept
            if len(self.path) != 1 or not self.ordered or self.end is not None:
                return first_kept + [row for row in rows[1:] if keep_row(row)]
            return first_kept + self.filter_rows(rows[1:])
        key = self.path[0]
        ascending = self.ascending
        dedup = self.dedup
        start = self.start
        kept: list[Any] = []
        append = kept.append
        last = self.last
        last_rows = self.last_rows
        start_out = end_out = False
        for row in rows:
            value = row.get(key, _MISSING) if type(row) is dict else _MISSING
            if value is not None and value is not _MISSING and last is not None:
                try:
                    if value > last if ascending else value < last:
                        last = value
                        if dedup:
                            last_rows = [row]
                            self.hashes = set()
                            self.hash_format = "dlt"
                        start_out = end_out = False
                        append(row)
                        continue
                    if start is not None and value != start and (value < start if ascending else value > start):
                        start_out, end_out = True, False
                        continue
                    if value != start:
                        if dedup and value == last:
                            last_rows.append(row)
                        start_out = end_out = False
                        append(row)
                        continue
                except TypeError:
                    pass
            # missing values, the start boundary, the first value, odd types: the full check
            self.last, self.last_rows = last, last_rows
            if keep_row(row):
                append(row)
            last, last_rows = self.last, self.last_rows
            start_out, end_out = self.start_out_of_range, self.end_out_of_range
        self.last, self.last_rows = last, last_rows
        self.start_out_of_range, self.end_out_of_range = start_out, end_out
        return kept

    def flush_hashes(self) -> list[str]:
        """The hashes of every row at the furthest cursor value (stored for the next run)."""
        if not self.dedup:
            return []
        if self.last_rows:
            self.hashes.update(self.key_hash(row) for row in self.last_rows)
            self.last_rows = []
        return list(self.hashes)

    # -- Arrow tables and data frames -------------------------------------------------------

    def filter_tabular(self, item: Any) -> Any:
        """`item` (an Arrow table or batch, a pandas or polars frame) with only rows in range,
        or None when no row is left. Filtering uses pyarrow compute on the cursor column."""
        import pyarrow as pa
        import pyarrow.compute as pc

        self.start_out_of_range = self.end_out_of_range = False
        kind = type(item).__module__.split(".", 1)[0]
        if kind == "pandas":
            column_names = [str(c) for c in item.columns]
        elif kind == "polars":
            column_names = list(item.columns)
        else:
            column_names = item.schema.names
        if not len(item):
            return None
        cursor = self.path[0] if len(self.path) == 1 else self.cursor_path
        if cursor not in column_names:
            raise IncrementalCursorPathMissing(
                self.resource_name, self.cursor_path, f"<table with columns {column_names}>",
                f"Resource '{self.resource_name}' yielded a table without the incremental cursor"
                f" column '{self.cursor_path}' (columns: {', '.join(column_names)}). For Arrow"
                " tables and data frames the cursor_path must be a column name.")
        key_columns = self.key_columns
        if self.dedup and key_columns:
            for column in key_columns:
                if column not in column_names:
                    raise IncrementalPrimaryKeyMissing(
                        self.resource_name, column, f"<table with columns {column_names}>")
        values = _column_as_arrow(item, kind, cursor)
        arrow_type = values.type
        if not self.seen_data:
            self._adapt_tabular(arrow_type)
            self.seen_data = True

        valid = pc.is_valid(values)
        has_nulls = values.null_count > 0
        if has_nulls and self.on_missing == "raise":
            raise IncrementalCursorPathHasValueNone(
                self.resource_name, self.cursor_path, f"<table of {len(item)} rows>",
                f"Resource '{self.resource_name}' yielded a table with None in the incremental"
                f" cursor column '{self.cursor_path}'. Every row needs a value there; construct"
                " the incremental with on_cursor_value_missing='include' or 'exclude' to load"
                " or skip such rows.")
        if not self.ordered:
            raise NotImplementedError(
                f"Resource '{self.resource_name}': Arrow tables and data frames are filtered only"
                " with last_value_func=max or min; pass one of those to dlt.sources.incremental.")
        if self.ascending:
            after, after_or_at, before, before_or_at = pc.greater, pc.greater_equal, pc.less, pc.less_equal
        else:
            after, after_or_at, before, before_or_at = pc.less, pc.less_equal, pc.greater, pc.greater_equal
        # `keep` is never null: comparisons on null cursors are masked by `valid` (Kleene and)
        keep = valid
        if self.end is not None:
            end = self._scalar(self.end, arrow_type, "end_value")
            in_end = (before if self.end_open else before_or_at)(values, end)
            if pc.any(pc.and_kleene(valid, pc.invert(in_end))).as_py():
                self.end_out_of_range = True
                keep = pc.and_kleene(keep, in_end)
        if self.start is not None:
            start = self._scalar(self.start, arrow_type, "start_value/initial_value")
            in_start = (after if self.start_open else after_or_at)(values, start)
            if pc.any(pc.and_kleene(valid, pc.invert(in_start))).as_py():
                self.start_out_of_range = True
                keep = pc.and_kleene(keep, in_start)
            if self.dedup and self.start_hashes and not self.start_open:
                at_start = pc.and_kleene(keep, pc.equal(values, start))
                if pc.any(at_start).as_py():
                    # only rows at the start value are hashed, one by one
                    hashes = self._tabular_hashes(
                        item, kind, pc.indices_nonzero(at_start), self.start_format)
                    fresh = pa.array([h not in self.start_hashes for h in hashes], pa.bool_())
                    keep = pc.replace_with_mask(keep, pc.fill_null(at_start, False), fresh)
        if pc.any(keep).as_py() if not has_nulls else pc.any(pc.and_kleene(keep, valid)).as_py():
            in_range = pc.and_kleene(keep, valid) if has_nulls else keep
            top_scalar = (pc.max if self.ascending else pc.min)(pc.filter(values, in_range))
            top = _python_value(top_scalar.as_py())
            last = self._py(self.last, top)
            if last is None or self.beyond(top, last):
                self.last = top
                if self.dedup:
                    self.last_rows = []
                    self.hash_format = "dlt"
                    self.hashes = set(self._tabular_hashes(
                        item, kind, pc.indices_nonzero(pc.and_kleene(in_range, pc.equal(values, top_scalar)))))
            elif self.dedup and top == last:
                self.hashes.update(self._tabular_hashes(
                    item, kind, pc.indices_nonzero(pc.and_kleene(in_range, pc.equal(values, top_scalar)))))
        if has_nulls and self.on_missing == "include":
            keep = pc.or_kleene(keep, pc.invert(valid))
        keep = pc.fill_null(keep, False)
        kept = pc.sum(keep).as_py() or 0
        if kept == 0:
            return None
        if kept == len(item):
            return item
        if kind == "pandas":
            return item[keep.to_numpy(zero_copy_only=False)]
        if kind == "polars":
            import polars as pl

            return item.filter(pl.Series(keep.to_numpy(zero_copy_only=False)))
        return item.filter(keep)

    @staticmethod
    def _py(reference: Any, like: Any) -> Any:
        """`reference` comparable with a value read from Arrow (`like`)."""
        if isinstance(like, datetime) and isinstance(reference, datetime):
            if (like.tzinfo is None) != (reference.tzinfo is None):
                return _adapt_timezone(like, reference, "last value", None)
        return reference

    def _adapt_tabular(self, arrow_type: Any) -> None:
        import pyarrow as pa

        if not pa.types.is_timestamp(arrow_type):
            return
        sample = datetime(2000, 1, 1, tzinfo=timezone.utc if arrow_type.tz else None)
        text = f"the {'tz-aware' if arrow_type.tz else 'naive'} timestamps of column '{self.cursor_path}'"
        if isinstance(self.start, datetime):
            self.start = self.last = _adapt_timezone(sample, self.start, "start value", self.resource_name, text)
        if isinstance(self.end, datetime):
            self.end = _adapt_timezone(sample, self.end, "end_value", self.resource_name, text)

    def _scalar(self, value: Any, arrow_type: Any, name: str) -> Any:
        import pyarrow as pa

        try:
            return pa.scalar(value, type=arrow_type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
            raise IncrementalCursorInvalidCoercion(
                self.resource_name, self.cursor_path, value, name, "<arrow column>", arrow_type,
                str(exc)) from exc

    def _tabular_hashes(self, item: Any, kind: str, positions: Any,
                        hash_format: str | None = None) -> list[str]:
        """Dedup hashes of the rows at `positions` (only boundary rows come here), in the
        window's current hash format unless `hash_format` is given."""
        hash_format = hash_format or self.hash_format
        if not len(positions):
            return []
        columns = self.key_columns
        if kind == "pandas":
            import pyarrow as pa

            frame = item.iloc[positions.to_pylist()]
            if columns is not None:
                frame = frame[columns]
            # through Arrow, so a frame's rows hash like the same rows of an Arrow table
            rows = pa.Table.from_pandas(frame, preserve_index=False).to_pylist()
        elif kind == "polars":
            frame = item[positions.to_pylist()]
            rows = (frame if columns is None else frame.select(columns)).to_arrow().to_pylist()
        else:
            table = item.take(positions)
            rows = (table if columns is None else table.select(columns)).to_pylist()
        if columns is None:
            return [row_hash(row, hash_format) for row in rows]
        return [row_hash(self._key_value([row[c] for c in columns], hash_format), hash_format)
                for row in rows]

    def _key_value(self, values: list[Any], hash_format: str) -> Any:
        """What a row's primary key values hash as: one value for a key given as a column name
        (a list for a list of names); this dlt's older hashes were always of the list."""
        if self.key_is_column and hash_format != "blake2b_hex":
            return values[0]
        return values


def _python_value(value: Any) -> Any:
    """A value read from Arrow as a plain Python value (pandas Timestamps become datetimes)."""
    to_pydatetime = getattr(value, "to_pydatetime", None)
    return to_pydatetime() if to_pydatetime is not None else value


def _column_as_arrow(item: Any, kind: str, name: str) -> Any:
    """One column of tabular data as an Arrow array (pandas and polars converted, not copied
    when their memory allows)."""
    import pyarrow as pa

    if kind == "pandas":
        return pa.Array.from_pandas(item[name])
    if kind == "polars":
        return item[name].to_arrow()
    column = item.column(name)
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column
