"""Incremental loading: `dlt.sources.incremental` cursors kept in resource state.

A resource argument defaulting to `dlt.sources.incremental("updated_at")` receives a cursor
bound to the resource's state: `since.last_value` is the highest value loaded before, and the
items the resource yields are filtered so only new rows pass (rows at the boundary are
de-duplicated by primary key or row hash).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from dlt.utils.context import active_resource
from dlt.utils.exceptions import DltException


class IncrementalCursorPathMissing(DltException):
    """An item has no value at the incremental cursor path."""


def _get_path(item: Any, path: list[str]) -> Any:
    node = item
    for part in path:
        if isinstance(node, dict):
            if part not in node:
                return _MISSING
            node = node[part]
        else:
            return _MISSING
    return node


_MISSING = object()


def _row_hash(item: Any, primary_key: Any) -> str:
    if primary_key:
        keys = [primary_key] if isinstance(primary_key, str) else list(primary_key)
        payload = [item.get(k) for k in keys] if isinstance(item, dict) else item
    else:
        payload = item
    blob = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.blake2b(blob, digest_size=12).hexdigest()


class Incremental:
    """A cursor over a column that grows between runs (a timestamp, an id)."""

    def __init__(self, cursor_path: str, initial_value: Any = None, end_value: Any = None,
                 last_value_func: Callable[..., Any] = max, primary_key: Any = None,
                 row_order: str | None = None, on_cursor_value_missing: str = "raise",
                 allow_external_schedulers: bool = False) -> None:
        if on_cursor_value_missing not in ("raise", "include", "exclude"):
            raise ValueError("on_cursor_value_missing must be 'raise', 'include' or 'exclude'.")
        self.cursor_path = cursor_path
        self._path = [p for p in cursor_path.removeprefix("$.").split(".") if p]
        self.initial_value = initial_value
        self.end_value = end_value
        self.last_value_func = last_value_func
        self.primary_key = primary_key
        self.row_order = row_order
        self.on_cursor_value_missing = on_cursor_value_missing
        self.resource_name: str | None = None
        self._state: dict[str, Any] | None = None
        self._start_value: Any = initial_value
        self._start_hashes: set[str] = set()

    # -- binding to state ---------------------------------------------------------------------

    def bind(self, resource_name: str) -> Incremental:
        """A copy bound to the state of `resource_name` in the running pipeline."""
        from dlt.pipeline.current import resource_state

        bound = copy.copy(self)
        bound.resource_name = resource_name
        cursors = resource_state(resource_name).setdefault("incremental", {})
        state = cursors.setdefault(self.cursor_path, {
            "initial_value": self.initial_value, "last_value": self.initial_value, "unique_hashes": [],
        })
        bound._state = state
        bound._start_value = state.get("last_value")
        bound._start_hashes = set(state.get("unique_hashes") or [])
        return bound

    @property
    def last_value(self) -> Any:
        """The cursor value loaded last (or `initial_value` on the first run)."""
        if self._state is not None:
            return self._state.get("last_value")
        return self.initial_value

    @property
    def start_value(self) -> Any:
        """The value this run started from."""
        return self._start_value

    # -- filtering ----------------------------------------------------------------------------

    def _passes(self, value: Any) -> bool | None:
        """True: new; False: old; None: at the boundary (check the hash)."""
        if self.end_value is not None and self.last_value_func((value, self.end_value)) == value \
                and value != self.end_value:
            return False
        if self.end_value is not None and value == self.end_value:
            return False
        start = self._start_value
        if start is None:
            return True
        if value == start:
            return None
        return self.last_value_func((value, start)) == value

    def _track(self, item: Any, value: Any) -> None:
        state = self._state
        if state is None:
            return
        current = state.get("last_value")
        if current is None or (value != current and self.last_value_func((value, current)) == value):
            state["last_value"] = value
            state["unique_hashes"] = [_row_hash(item, self.primary_key)]
        elif value == current and self.primary_key != ():
            digest = _row_hash(item, self.primary_key)
            if digest not in state["unique_hashes"]:
                state["unique_hashes"].append(digest)

    def _keep(self, item: Any) -> bool:
        value = _get_path(item, self._path)
        if value is _MISSING or value is None:
            if self.on_cursor_value_missing == "raise":
                raise IncrementalCursorPathMissing(
                    f"Resource '{self.resource_name}' yielded an item without the incremental"
                    f" cursor '{self.cursor_path}': {item!r:.200}. Pass on_cursor_value_missing="
                    "'include' or 'exclude' to dlt.sources.incremental to accept such items."
                )
            return self.on_cursor_value_missing == "include"
        verdict = self._passes(value)
        if verdict is None:
            if self.primary_key == ():
                verdict = True
            else:
                verdict = _row_hash(item, self.primary_key) not in self._start_hashes
        if verdict:
            self._track(item, value)
        return verdict

    def filter_item(self, item: Any) -> Any:
        """The item (or the page, filtered), or None when nothing is new."""
        if isinstance(item, list):
            kept = [i for i in item if self._keep(i)]
            return kept or None
        if type(item).__module__.startswith(("pyarrow", "pandas", "polars")):
            return self._filter_arrow(item)
        return item if self._keep(item) else None

    def _filter_arrow(self, item: Any) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        from dlt.normalize.arrow import to_arrow_table

        table = to_arrow_table(item)
        column = table.column(self._path[-1])
        start = self._start_value
        is_max = self.last_value_func is max
        mask = pc.is_valid(column)
        if start is not None:
            newer = pc.greater(column, start) if is_max else pc.less(column, start)
            boundary = pc.equal(column, start)
            mask = pc.and_(mask, pc.or_(newer, boundary))
        if self.end_value is not None:
            mask = pc.and_(mask, pc.less(column, self.end_value) if is_max else pc.greater(column, self.end_value))
        table = table.filter(mask)
        cursor = self._path[-1]
        if start is not None and self._start_hashes and table.num_rows:
            # only rows at the boundary are compared row by row
            at_start = pc.equal(table.column(cursor), start)
            boundary = table.filter(at_start)
            if boundary.num_rows:
                keep = [_row_hash(r, self.primary_key) not in self._start_hashes for r in boundary.to_pylist()]
                table = pa.concat_tables([table.filter(pc.invert(at_start)), boundary.filter(pa.array(keep))])
        if table.num_rows == 0:
            return None
        value = (pc.max(table.column(cursor)) if is_max else pc.min(table.column(cursor))).as_py()
        if self._state is not None:
            current = self._state.get("last_value")
            top_rows = table.filter(pc.equal(table.column(cursor), value)).to_pylist()
            hashes = [_row_hash(r, self.primary_key) for r in top_rows]
            if current is None or (value != current and self.last_value_func((value, current)) == value):
                self._state["last_value"] = value
                self._state["unique_hashes"] = hashes
            elif value == current:
                self._state["unique_hashes"] = sorted(set(self._state.get("unique_hashes", [])) | set(hashes))
        return table

    def __repr__(self) -> str:
        return f"incremental({self.cursor_path!r}, last_value={self.last_value!r})"


def bind_incremental(function: Callable[..., Any], hints: dict[str, Any]) -> Callable[..., Any]:
    """Wrap `function` so an `Incremental` argument is bound to state and filters the output."""
    try:
        params = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return function
    names = [n for n, p in params.items() if isinstance(p.default, Incremental)
             or (p.annotation in (Incremental, "Incremental", "dlt.sources.incremental")
                 and type(p.default).__name__ == "_Placeholder")]
    if not names:
        return function
    name = names[0]

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        bound_args = inspect.signature(function).bind_partial(*args, **kwargs)
        given = bound_args.arguments.get(name, params[name].default)
        if not isinstance(given, Incremental):
            return function(*args, **kwargs)
        cursor = given.bind(active_resource.get() or function.__name__)
        bound_args.arguments[name] = cursor
        result = function(*bound_args.args, **bound_args.kwargs)
        return _filtered(result, cursor)

    call.__dlt_incremental_wrapped__ = True  # type: ignore[attr-defined]
    return call


def _filtered(result: Any, cursor: Incremental) -> Iterator[Any]:
    from dlt.extract.resource import _iterate_result

    for item in _iterate_result(result):
        kept = cursor.filter_item(item)
        if kept is not None:
            yield kept
