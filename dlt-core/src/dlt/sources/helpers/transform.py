"""`dlt.sources.helpers.transform`: ready-made steps for `add_filter` / `add_map`, as in dlt 1.31.

    resource.add_filter(take_first(10))             # only the first 10 items
    resource.add_filter(skip_first(10))             # all but the first 10
    resource.add_map(pivot("matrix", prefix="c_"))  # [[1, 2]] -> [{"c_0": 1, "c_1": 2}]
    resource.add_map(add_row_hash_to_table("row_hash"))  # DataFrame / Arrow items
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dlt.utils.exceptions import MissingDependencyException


def take_first(max_items: int) -> Callable[[Any], bool]:
    """A filter that keeps the first `max_items` items of a resource (each filter counts on its own)."""
    seen = 0

    def keep(_item: Any) -> bool:
        nonlocal seen
        seen += 1
        return seen <= max_items

    return keep


def skip_first(max_items: int) -> Callable[[Any], bool]:
    """A filter that drops the first `max_items` items of a resource and keeps the rest."""
    seen = 0

    def keep(_item: Any) -> bool:
        nonlocal seen
        seen += 1
        return seen > max_items

    return keep


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _path_keys(path: str) -> list[str]:
    """`$.a.b` / `a.b` -> `["a", "b"]`; `$` -> `[]`. Only plain dotted field paths are read."""
    text = path[1:] if path.startswith("$") else path
    keys = [key for key in text.split(".") if key]
    if any(not key.replace("_", "").replace("-", "").isalnum() for key in keys):
        raise ValueError(
            f"pivot() reads plain field paths such as 'a.b' or '$' (the item itself), not {path!r};"
            " pass the dotted path of the field that holds the sequence of sequences."
        )
    return keys


def pivot(paths: str | Sequence[str] = "$", prefix: str = "col") -> Callable[[Any], Any]:
    """A map that turns a sequence of sequences at each of `paths` into a list of dicts with
    keys `prefix` + index: `{"field": [[1, 2]]}` with `pivot("field", "c")` gives
    `{"field": [{"c0": 1, "c1": 2}]}`; `"$"` pivots the item itself, a sequence, as one
    row (`[1, 2]` gives `[{"col0": 1, "col1": 2}]`). Raises `ValueError` when
    the value there is not a sequence of sequences."""
    key_paths = [_path_keys(path) for path in ([paths] if isinstance(paths, str) else paths)]

    def pivoted(value: Any, where: str) -> list[dict[str, Any]]:
        if not _is_sequence(value) or not all(_is_sequence(row) for row in value):
            raise ValueError(f"pivot() needs a sequence of sequences at '{where}', got {type(value).__name__}.")
        return [{f"{prefix}{index}": cell for index, cell in enumerate(row)} for row in value]

    def transform(item: Any) -> Any:
        for keys in key_paths:
            if not keys:
                # the item is one row: [1, 2] -> [{"col0": 1, "col1": 2}]
                item = pivoted([item], "$")
                continue
            parent = item
            for key in keys[:-1]:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if isinstance(parent, dict) and keys[-1] in parent:
                parent[keys[-1]] = pivoted(parent[keys[-1]], ".".join(keys))
        return item

    return transform


def add_row_hash_to_table(row_hash_column_name: str) -> Callable[[Any], Any]:
    """A map for pandas DataFrame or Arrow items that adds `row_hash_column_name`, a signed
    int64 hash of each row's content (pandas' `hash_pandas_object`, as dlt 1.31 computes it),
    e.g. as the row version column of an `scd2` merge. Needs pandas; a DataFrame gets the
    column in place."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise MissingDependencyException(
            "add_row_hash_to_table()", ["pandas"], "It hashes rows with pandas."
        ) from exc
    import pyarrow as pa

    def add_hash(table: Any) -> Any:
        is_arrow = isinstance(table, (pa.Table, pa.RecordBatch))
        frame = table.to_pandas(deduplicate_objects=False) if is_arrow else table
        hashes = pd.util.hash_pandas_object(frame, index=False)
        signed = hashes.values.astype("int64", copy=False, casting="unsafe")
        if is_arrow:
            return table.append_column(row_hash_column_name, pa.array(signed, type=pa.int64()))
        table[row_hash_column_name] = signed
        return table

    return add_hash
