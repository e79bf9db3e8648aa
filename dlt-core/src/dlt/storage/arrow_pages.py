"""Pages of dicts stored as Arrow record batches, when Arrow holds every value exactly.

Extract turns a buffered page of dicts into one `pyarrow.RecordBatch` (one column per key, the
union of the items' keys, None where an item lacks one): nested dicts become struct columns and
lists become list columns, to any depth. A column qualifies only when its non-null values all
have one exact Python type Arrow stores without loss: `int` (64 bits), `float`, `str`, `bool`,
`bytes`, `date`, `Decimal` (finite), and `datetime` that are all naive or all in `timezone.utc`. Anything else (a
column mixing ints and floats, tuples, a datetime in another zone, a subclass) leaves
the page to pickle as before. Decimals become Arrow decimals of one precision and scale that
holds each of them (equal values; `Decimal("1.5")` may read back as `Decimal("1.50")`). Building the batch costs about what pickling the same values did,
and normalize then reads it without unpickling a single Python object: its columnar path
(`dlt.normalize.arrow_walk`) checks types per column and hands the arrays to the job writers.

`batch.to_pylist()` gives any other reader the items back (a missing key reads as None, which
the normalizer treats as a missing key). That is not exact for a dict the normalizer keeps as
JSON (a `json` column, or below the nesting limit): one without a key that another has would
gain it as null, and an empty dict would read as None. For tables that may keep JSON, extract
asks for `json_exact`: a page whose nested dicts of one column differ in their keys (or their
order) or include an empty dict then stays pickled.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from itertools import accumulate, chain
from operator import attrgetter, itemgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

_NONE = type(None)
_SCALAR_ARROW_TYPES: dict[type, pa.DataType] = {
    int: pa.int64(),
    str: pa.string(),
    bool: pa.bool_(),
    bytes: pa.binary(),
    date: pa.date32(),
}
_TZ = attrgetter("tzinfo")


class _NotExact(Exception):
    """A value Arrow would not hold exactly: the page stays pickled."""


def encode_arrow_page(items: list[Any], json_exact: bool = False) -> pa.RecordBatch | None:
    """The page as one record batch, or None when a value would not survive Arrow exactly
    (or the items are not all dicts with string keys). With `json_exact`, nested dicts must
    also read back key for key (see the module's docstring)."""
    if not items or set(map(type, items)) != {dict}:
        return None
    try:
        names, arrays = _columns_of(items, json_exact)
    except (_NotExact, pa.ArrowException, OverflowError, TypeError, ValueError):
        return None
    if not names:
        return None
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _columns_of(dicts: list[dict[str, Any]], json_exact: bool) -> tuple[list[str], list[pa.Array]]:
    """Key names (the union of the dicts' keys, in order of first appearance) and one array
    per key for a list of dicts."""
    columns = None
    if len(set(map(len, dicts))) == 1:
        # every dict as long as the first and holding each of its keys has the same keys
        try:
            columns = {key: list(map(itemgetter(key), dicts)) for key in dicts[0]}
        except KeyError:
            columns = None
    if columns is None:
        # one pass over the values that are there, making a column at a key's first item
        # (faster than a pass per key with `dict.get` on pages of many keys, and as fast on
        # pages of few; insertion order is the order of first appearance)
        count = len(dicts)
        columns = {}
        for index, item in enumerate(dicts):
            for key, value in item.items():
                try:
                    columns[key][index] = value
                except KeyError:
                    column = columns[key] = [None] * count
                    column[index] = value
    if set(map(type, columns)) - {str}:
        raise _NotExact
    return list(columns), [_array_of(values, json_exact) for values in columns.values()]


def _array_of(values: list[Any], json_exact: bool) -> pa.Array:
    """One column: scalars of one exact type, dicts (a struct) or lists (a list array)."""
    kinds = set(map(type, values))
    has_none = _NONE in kinds
    kinds.discard(_NONE)
    if not kinds:
        return pa.nulls(len(values))
    if len(kinds) != 1:
        raise _NotExact
    (kind,) = kinds
    if kind is float:
        return _float_array(values)
    arrow_type = _SCALAR_ARROW_TYPES.get(kind)
    if arrow_type is not None:
        return pa.array(values, type=arrow_type)
    if kind is datetime:
        return pa.array(values, type=_timestamp_type(values, has_none))
    if kind is Decimal:
        # Arrow infers one precision and scale that holds every value (NaN and infinities
        # raise: the page stays pickled)
        return pa.array(values)
    if kind is dict:
        return _struct_of(values, has_none, json_exact)
    if kind is list:
        return _list_of(values, has_none, json_exact)
    raise _NotExact


def _float_array(values: list[Any]) -> pa.Array:
    """A float column; one of only NaN (and None) is a column of nulls, as NaN loads as NULL
    and, as in dlt 1.31, a column that got no value is not created."""
    array = pa.array(values, type=pa.float64())
    first = values[0]
    if (first is None or first != first) and not pc.any(pc.invert(pc.is_nan(array))).as_py():
        return pa.nulls(len(values))
    return array


def _timestamp_type(values: list[Any], has_none: bool) -> pa.DataType:
    present = [v for v in values if v is not None] if has_none else values
    zones = set(map(_TZ, present))
    if zones == {None}:
        return pa.timestamp("us")
    if zones == {timezone.utc}:
        return pa.timestamp("us", tz="UTC")
    raise _NotExact


def _struct_of(values: list[Any], has_none: bool, json_exact: bool) -> pa.Array:
    if json_exact:
        _check_same_keys(values, has_none)
    dicts = [{} if v is None else v for v in values] if has_none else values
    if not any(dicts):
        # only empty dicts (and None): nothing to unpack
        return pa.nulls(len(values))
    names, arrays = _columns_of(dicts, json_exact)
    mask = pa.array([v is None for v in values], type=pa.bool_()) if has_none else None
    return pa.StructArray.from_arrays(arrays, names=names, mask=mask)


def _check_same_keys(values: list[Any], has_none: bool) -> None:
    """Raise `_NotExact` unless the dicts among `values` have the same keys in the same order,
    at least one: only then does each read back from a struct as it was."""
    present = [v for v in values if v is not None] if has_none else values
    keys = tuple(present[0])
    if not keys or any(tuple(d) != keys for d in present):
        raise _NotExact


def _list_of(values: list[Any], has_none: bool, json_exact: bool) -> pa.Array:
    lengths = [0 if v is None else len(v) for v in values] if has_none else list(map(len, values))
    offsets = [0, *accumulate(lengths)]
    elements = list(chain.from_iterable(v for v in values if v))
    child = _array_of(elements, json_exact)
    mask = pa.array([v is None for v in values], type=pa.bool_()) if has_none else None
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), child, mask=mask)
