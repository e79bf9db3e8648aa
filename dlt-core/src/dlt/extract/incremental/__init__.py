"""Incremental loading: `dlt.sources.incremental` cursors kept in resource state.

A resource argument defaulting to `dlt.sources.incremental("updated_at")` (or an incremental
attached with `resource.apply_hints(incremental=...)`) receives a cursor bound to the resource's
state: `since.last_value` is the furthest value loaded before, and the items the resource yields
are filtered so only new rows pass. Rows at the boundary are de-duplicated by primary key, or by
row hash without one. `end_value` makes a stateless window for backfills; `row_order` lets the
resource stop reading once the cursor leaves the window; `lag` re-reads a trailing window.

The package: `window` (the per-run filter, for Python rows and Arrow data), `lag`, `binding`
(how a resource finds, merges and injects its incremental) and `exceptions`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any, Generic, TypedDict, Union

from dlt.extract.incremental.exceptions import (
    IncrementalCursorInvalidCoercion,
    IncrementalCursorPathHasValueNone,
    IncrementalCursorPathMissing,
    IncrementalError,
    IncrementalPrimaryKeyMissing,
    IncrementalUnboundError,
)
from dlt.extract.incremental.lag import lagged_start
from dlt.extract.incremental.typing import TCursorValue
from dlt.extract.incremental.window import CursorWindow, compile_cursor_path
from dlt.utils.iso_text import datetime_from_iso

logger = logging.getLogger("dlt")

_RANGES = ("open", "closed")
_ON_MISSING = ("raise", "include", "exclude")
_ROW_ORDERS = ("asc", "desc")


class ExternalSchedulerNotAvailable(IncrementalError):
    """`allow_external_schedulers=True` but no scheduler interval is available."""

    def __init__(self, pipe_name: str | None) -> None:
        super().__init__(pipe_name, (
            f"Resource '{pipe_name}' has an incremental with allow_external_schedulers=True, but"
            " no scheduler interval is available: set DLT_INTERVAL_START and DLT_INTERVAL_END"
            " (ISO 8601) or run inside an Airflow task, or drop allow_external_schedulers."
        ))


def _is_tabular(item: Any) -> bool:
    return type(item).__module__.startswith(("pyarrow", "pandas", "polars"))


class Incremental(Generic[TCursorValue]):
    """A cursor over a field that grows between runs (a timestamp, an id), kept in state.

    Declare it as the default of a resource argument,
    `def issues(since=dlt.sources.incremental("updated_at", initial_value="2024-01-01"))`, pass
    one at call time, or attach one with `resource.apply_hints(incremental=...)`.

    Args:
        cursor_path: The field (or dotted path, `$.a.b`) holding the cursor, named as in the data.
        initial_value: The start on the first run (inclusive); `last_value` is None without it.
        last_value_func: `max` (default), `min`, "max"/"min", or a function of a tuple of values
            that returns the furthest one.
        primary_key: Columns that identify a row for boundary de-duplication; defaults to the
            resource's primary key, and to a hash of the whole row without one. `()` disables it.
        end_value: The end of a fixed window (exclusive by default). With it no state is kept:
            every run reads `[initial_value, end_value)` again.
        row_order: "asc" or "desc" when the source yields rows in the order of `last_value_func`;
            the resource's generator is then closed once the cursor leaves the window.
        allow_external_schedulers: Take `initial_value` / `end_value` from a scheduler's
            interval (`DLT_INTERVAL_START` / `DLT_INTERVAL_END`, or Airflow's data interval).
        on_cursor_value_missing: "raise" (default), "include" or "exclude" items without a value.
        lag: Re-read this much before the last value (seconds for datetimes, days for dates,
            units for numbers); disables boundary de-duplication.
        range_start: "closed" (default, the start value is included) or "open".
        range_end: "open" (default, the end value is excluded) or "closed".
    """

    EMPTY: Incremental[Any]
    """An incremental with no settings, as in dlt 1.31 (set below the class). It may not be
    given as a resource argument: pass None to run a resource without its incremental."""

    def __init__(
        self,
        cursor_path: str | None = None,
        initial_value: TCursorValue | None = None,
        last_value_func: Callable[..., Any] | str = max,
        primary_key: Any = None,
        end_value: TCursorValue | None = None,
        row_order: str | None = None,
        allow_external_schedulers: bool | None = None,
        on_cursor_value_missing: str = "raise",
        lag: float | None = None,
        range_start: str = "closed",
        range_end: str = "open",
    ) -> None:
        if cursor_path is not None:
            compile_cursor_path(cursor_path)
        if isinstance(last_value_func, str):
            if last_value_func not in ("min", "max"):
                raise ValueError(
                    f"last_value_func={last_value_func!r} is not known; pass 'min', 'max' or a"
                    " function that returns the furthest of a tuple of values.")
            last_value_func = min if last_value_func == "min" else max
        _check_choice("on_cursor_value_missing", on_cursor_value_missing, _ON_MISSING)
        _check_choice("range_start", range_start, _RANGES)
        _check_choice("range_end", range_end, _RANGES)
        if row_order is not None:
            _check_choice("row_order", row_order, _ROW_ORDERS)
        self.cursor_path = cursor_path
        self.initial_value = initial_value
        self.last_value_func = last_value_func
        self.end_value = end_value
        self.row_order = row_order
        self.allow_external_schedulers = allow_external_schedulers
        self.on_cursor_value_missing = on_cursor_value_missing
        self.lag = lag
        self.range_start = range_start
        self.range_end = range_end
        self.resource_name: str | None = None
        self._primary_key = primary_key
        self._state: dict[str, Any] | None = None
        self._start_value: Any = initial_value
        self._window: CursorWindow | None = None

    # -- configuration ----------------------------------------------------------------------

    @property
    def primary_key(self) -> Any:
        """The key that de-duplicates rows at the boundary (None: the resource's, or row hash)."""
        return self._primary_key

    @primary_key.setter
    def primary_key(self, value: Any) -> None:
        self._primary_key = value

    def _settings(self) -> dict[str, Any]:
        return {
            "cursor_path": self.cursor_path, "initial_value": self.initial_value,
            "last_value_func": self.last_value_func, "primary_key": self._primary_key,
            "end_value": self.end_value, "row_order": self.row_order,
            "allow_external_schedulers": self.allow_external_schedulers,
            "on_cursor_value_missing": self.on_cursor_value_missing, "lag": self.lag,
            "range_start": self.range_start, "range_end": self.range_end,
        }

    def merge(self, other: Incremental[Any]) -> Incremental[Any]:
        """A new incremental: this one's settings, overridden by those `other` sets.

        Lets a call change only part of a default, e.g.
        `issues(since=dlt.sources.incremental(initial_value="2024-01-01", end_value="2024-02-01"))`
        keeps the default's cursor path.
        """
        settings = self._settings()
        # as in dlt 1.31, every setting `other` holds wins, its defaults (max, "raise") too
        settings.update({k: v for k, v in other._settings().items() if v is not None})
        merged = type(self)(**settings)
        merged.resource_name = other.resource_name or self.resource_name
        orig = getattr(self, "__orig_class__", None) or getattr(other, "__orig_class__", None)
        if orig is not None:
            merged.__orig_class__ = orig  # type: ignore[attr-defined]
        return merged

    def is_partial(self) -> bool:
        """True while the incremental has no `cursor_path` (as a partial override passed to a
        resource argument is, before it is merged over the argument's default)."""
        return not self.cursor_path

    def copy(self) -> Incremental[Any]:
        """An unbound copy with the same settings."""
        return self.merge(self)

    @classmethod
    def ensure_instance(cls, value: Any) -> Incremental[Any]:
        """`value` as an incremental: an instance as it is, a dict of settings (from config) as
        a new one."""
        if isinstance(value, Incremental):
            return value
        if isinstance(value, dict):
            return cls(**value)
        raise TypeError(
            f"An incremental must be dlt.sources.incremental(...) or a dict of its settings, got"
            f" {type(value).__name__}.")

    @classmethod
    def from_existing_state(cls, resource_name: str, cursor_path: str) -> Incremental[Any]:
        """An incremental bound to the state that `resource_name` keeps for `cursor_path`."""
        state = cls._resource_cursor_state(resource_name, cursor_path)
        incremental = cls(cursor_path, state.get("initial_value")).bind(resource_name)
        # as in dlt 1.31 its start is the state's initial value; `last_value` is the stored one
        incremental._start_value = state.get("initial_value")
        return incremental

    def get_incremental_value_type(self) -> type:
        """The cursor's Python type: from `Incremental[int]` or from `initial_value`."""
        orig = getattr(self, "__orig_class__", None)
        args = getattr(orig, "__args__", None)
        if args and isinstance(args[0], type):
            return args[0]
        if self.initial_value is not None:
            return type(self.initial_value)
        return object

    def get_cursor_column_name(self) -> str | None:
        """The cursor column when the cursor path is one plain field name."""
        if self.cursor_path is None:
            return None
        parts = compile_cursor_path(self.cursor_path)
        return parts[0] if len(parts) == 1 else None

    # -- state ------------------------------------------------------------------------------

    @staticmethod
    def _resource_cursor_state(resource_name: str, cursor_path: str) -> dict[str, Any]:
        from dlt.pipeline.current import resource_state

        return resource_state(resource_name).setdefault("incremental", {}).setdefault(cursor_path, {})

    def get_state(self) -> dict[str, Any]:
        """The cursor's state: `initial_value`, `last_value`, `unique_hashes`.

        With `end_value` it is a throwaway dict, never stored: a bounded window is stateless.
        """
        if self._state is not None:
            return self._state
        fresh = {"initial_value": self.initial_value, "last_value": self.initial_value,
                 "unique_hashes": [], "start_value": self.initial_value}
        if self.end_value is not None:
            return fresh
        if not self.resource_name:
            raise IncrementalUnboundError(self.cursor_path)
        state = self._resource_cursor_state(self.resource_name, self.cursor_path or "")
        if not state:
            state.update(fresh)
        return state

    @property
    def start_value(self) -> Any:
        """Where this run's window starts: the last value of the previous run (moved back by
        `lag`), or `initial_value` on the first run."""
        bound_copy = self.__dict__.get("_bound_copy")
        if bound_copy is not None and self._window is None:
            return bound_copy.start_value
        return self._start_value

    @start_value.setter
    def start_value(self, value: Any) -> None:
        self._start_value = value

    @property
    def last_value(self) -> Any:
        """The furthest cursor value seen: before any item, the start of this run's window.
        An incremental given as a hint (`apply_hints(incremental=...)`) reads the copy bound in
        the last evaluation of its resource."""
        bound_copy = self.__dict__.get("_bound_copy")
        if bound_copy is not None and self._window is None:
            return bound_copy.last_value
        window = self._window
        if window is not None and window.seen_data:
            return self._state["last_value"] if self._state is not None else window.last
        if self._state is None and self.resource_name is None:
            if self.end_value is not None:
                return self.initial_value
            raise IncrementalUnboundError(self.cursor_path)
        return self.__dict__.get("_bound_last", self._start_value)

    # -- binding ----------------------------------------------------------------------------

    def _validate(self) -> None:
        from dlt.configuration.resolve import ConfigValueError

        if not self.cursor_path:
            raise IncrementalCursorPathMissing(
                self.resource_name, None, None,
                f"The incremental of resource '{self.resource_name}' has no cursor_path; pass the"
                " field to track, e.g. dlt.sources.incremental('updated_at').")
        if self.end_value is None:
            return
        if self.initial_value is None:
            raise ConfigValueError(
                f"The incremental on cursor '{self.cursor_path}' of resource"
                f" '{self.resource_name}' has end_value={self.end_value!r} but no initial_value;"
                " a bounded window needs both.")
        try:
            ordered = self.last_value_func((self.end_value, self.initial_value)) == self.end_value
        except TypeError as exc:
            raise ConfigValueError(
                f"The incremental on cursor '{self.cursor_path}' of resource"
                f" '{self.resource_name}': initial_value={self.initial_value!r} and"
                f" end_value={self.end_value!r} cannot be compared ({exc}); give both the same"
                " type and tz-awareness.") from exc
        if not ordered:
            word = {max: "higher", min: "lower"}.get(self.last_value_func, "further")  # type: ignore[call-overload]
            raise ConfigValueError(
                f"The incremental on cursor '{self.cursor_path}' of resource"
                f" '{self.resource_name}' has initial_value={self.initial_value!r} beyond"
                f" end_value={self.end_value!r}; end_value must be {word} than initial_value.")

    def bind(self, resource_name: str, resource_primary_key: Any = None) -> Incremental[Any]:
        """A copy bound to the state of `resource_name` in the running pipeline, ready to
        filter this run's items. `resource_primary_key` de-duplicates when the incremental
        names no primary key of its own."""
        bound = self.copy()
        bound.resource_name = resource_name
        if self.allow_external_schedulers or (
                self.allow_external_schedulers is None
                and os.environ.get("DLT_ALLOW_EXTERNAL_SCHEDULERS", "").lower() in ("true", "1")):
            bound._join_external_scheduler(required=bool(self.allow_external_schedulers))
        bound._validate()
        state = bound.get_state()
        bound._state = state
        if bound.lag and bound.last_value_func not in (max, min):
            logger.warning("Lag on resource '%s' works only with last_value_func max or min; it is"
                           " ignored.", resource_name)
        bound._start_value = bound._bound_last = lagged_start(
            bound.lag, bound.last_value_func, bound.initial_value, bound.end_value,
            state.get("last_value"))
        key = bound._primary_key if bound._primary_key is not None else resource_primary_key
        hashed_key = key  # a one-column list hashes as a list of one value, as in dlt 1.31
        if isinstance(key, (list, tuple)) and len(key) == 1 and bound._primary_key is None:
            key = key[0]
        dedup = not (
            bound.range_start == "open"
            or bound.end_value is not None
            or (bound.lag and bound.last_value_func in (max, min))
            or (isinstance(key, (list, tuple)) and len(key) == 0)
        )
        if bound._primary_key is None and key is not None:
            bound._primary_key = key  # shown as the bound incremental's key, as in dlt 1.31
        bound._raw_start = state.get("last_value")
        bound._window = CursorWindow(
            resource_name=resource_name, cursor_path=bound.cursor_path or "",
            start=bound._start_value, end=bound.end_value, last_value_func=bound.last_value_func,
            primary_key=hashed_key or None, start_hashes=state.get("unique_hashes") or [],
            on_cursor_value_missing=bound.on_cursor_value_missing, range_start=bound.range_start,
            range_end=bound.range_end, dedup=dedup,
        )
        return bound

    def _join_external_scheduler(self, required: bool) -> None:
        """Take `initial_value` / `end_value` from the scheduler's interval, as dlt does."""
        interval = _scheduler_interval()
        if interval is None:
            if required:
                raise ExternalSchedulerNotAvailable(self.resource_name)
            return
        start, end = (_coerce_interval_bound(v, self.get_incremental_value_type(), self) for v in interval)
        configured_initial, configured_end = self.initial_value, self.end_value
        self.initial_value, self.end_value = start, end
        if configured_initial is not None and self.last_value_func((configured_initial, start)) == configured_initial:
            self.initial_value = configured_initial
        if configured_end is not None and self.last_value_func((configured_end, end)) == end:
            self.end_value = configured_end
        logger.info("Resource '%s' joined the external scheduler: initial value %r, end value %r",
                    self.resource_name, self.initial_value, self.end_value)

    # -- filtering --------------------------------------------------------------------------

    def filter_item(self, item: Any) -> Any:
        """The item (a page filtered to its new rows), or None when nothing in it is new.

        Updates the cursor state: the furthest value seen and the hashes of the rows at it.
        """
        window = self._window
        if window is None:
            raise IncrementalUnboundError(self.cursor_path)
        if item is None:
            return None
        if isinstance(item, list):
            if not item:
                return item
            if _is_tabular(item[0]):
                kept = [t for t in (window.filter_tabular(i) for i in item) if t is not None]
            else:
                kept = window.filter_rows(item)
            result: Any = kept or None
        elif _is_tabular(item):
            result = window.filter_tabular(item)
        else:
            result = item if window.keep_row(item) else None
        self._commit(result is not None)
        return result

    def _commit(self, had_rows: bool) -> None:
        """Write the window's progress to state (a throwaway state with `end_value`)."""
        window = self._window
        state = self._state
        if window is None or state is None:
            return
        last = window.last
        stored = state.get("last_value")
        if self.lag and stored is not None and last is not None:
            # a lagged window starts behind the stored value: never move the cursor back
            last = self.last_value_func((last, stored))
        if had_rows:
            # the value this run started from, kept once the run loaded something (as in dlt)
            state["start_value"] = self._raw_start
        state["last_value"] = last
        state["unique_hashes"] = window.flush_hashes()

    def can_close(self) -> bool:
        """True once ordered data left the window: past `end_value` ascending (`row_order="asc"`),
        before the start descending (`"desc"`). The resource then stops reading its source."""
        window = self._window
        if window is None or self.row_order is None:
            return False
        if self.row_order == "asc":
            return window.end_out_of_range
        return window.start_out_of_range

    def __repr__(self) -> str:
        # the settings dlt 1.31 shows, in its order; defaults left out
        func = self.last_value_func
        shown = {
            "cursor_path": self.cursor_path, "initial_value": self.initial_value,
            "end_value": self.end_value, "last_value_func": getattr(func, "__name__", func),
            "primary_key": self._primary_key, "lag": self.lag,
            "range_start": None if self.range_start == "closed" else self.range_start,
            "range_end": None if self.range_end == "open" else self.range_end,
            "on_cursor_value_missing": (None if self.on_cursor_value_missing == "raise"
                                        else self.on_cursor_value_missing),
            "resource_name": self.resource_name or None,
        }
        return "<dlt.sources.incremental(" + ", ".join(
            f"{k}={v!r}" for k, v in shown.items() if v is not None) + ")>"


class IncrementalColumnState(TypedDict):
    """What an incremental keeps in resource state under `["incremental"][cursor_path]`."""

    initial_value: Any
    last_value: Any
    unique_hashes: list[str]
    start_value: Any


TIncrementalConfig = Union[Incremental[Any], dict[str, Any]]
"""An incremental, or a dict of its settings (as config gives it)."""


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(
            f"dlt.sources.incremental got {name}={value!r}; use one of: {', '.join(allowed)}.")


Incremental.EMPTY = Incremental()


def _scheduler_interval() -> tuple[datetime, datetime] | None:
    """The interval of the scheduler running this process: `DLT_INTERVAL_START/END`, or Airflow."""
    start, end = os.environ.get("DLT_INTERVAL_START"), os.environ.get("DLT_INTERVAL_END")
    if start and end:
        return _utc(datetime_from_iso(start)), _utc(datetime_from_iso(end))
    try:
        from airflow.operators.python import get_current_context  # type: ignore[import-not-found]

        context = get_current_context()
        return _utc(context["data_interval_start"]), _utc(context["data_interval_end"])
    except Exception:
        return None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _coerce_interval_bound(value: datetime, cursor_type: type, incremental: Incremental[Any]) -> Any:
    if cursor_type is object:
        raise IncrementalError(incremental.resource_name, (
            f"Resource '{incremental.resource_name}' joins an external scheduler, but the type of"
            f" its incremental cursor '{incremental.cursor_path}' is unknown; annotate the"
            " argument (Incremental[datetime]) or give an initial_value."))
    if issubclass(cursor_type, datetime):
        return value
    if issubclass(cursor_type, date):
        return value.date()
    if issubclass(cursor_type, (int, float)) and not issubclass(cursor_type, bool):
        return cursor_type(value.timestamp())
    if issubclass(cursor_type, str):
        return value.isoformat()
    raise IncrementalError(incremental.resource_name, (
        f"Resource '{incremental.resource_name}': the scheduler's interval cannot be compared with"
        f" the incremental cursor '{incremental.cursor_path}' of type {cursor_type.__name__}; use a"
        " datetime, date, int or float cursor."))


from dlt.extract.incremental.binding import bind_incremental, incremental_slot  # noqa: E402
from dlt.extract.incremental.resource_wrapper import IncrementalResourceWrapper  # noqa: E402

__all__ = [
    "ExternalSchedulerNotAvailable",
    "Incremental",
    "IncrementalCursorInvalidCoercion",
    "IncrementalCursorPathHasValueNone",
    "IncrementalCursorPathMissing",
    "IncrementalColumnState",
    "IncrementalError",
    "IncrementalResourceWrapper",
    "IncrementalPrimaryKeyMissing",
    "IncrementalUnboundError",
    "TCursorValue",
    "TIncrementalConfig",
    "bind_incremental",
    "incremental_slot",
]
