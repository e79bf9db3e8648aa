"""How a resource finds its incremental, binds it to state and hands it to its function.

An incremental reaches a resource three ways: as the default of a function argument, passed at
call time (merged over the default, so `initial_value=` alone keeps the default's cursor), or
attached with `apply_hints(incremental=...)` (which wins over both, as in dlt). While a resource is
evaluated, an `IncrementalSlot` holds the one bound incremental of that evaluation: the resource
filters its items through it, and the function argument receives that same instance.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator
from contextvars import ContextVar, Token
from typing import Any

from dlt.utils.context import active_resource

_active_slot: ContextVar[IncrementalSlot | None] = ContextVar("dlt_incremental_slot", default=None)
_ABSENT = object()


class IncrementalSlot:
    """The bound incremental of one resource evaluation (None until one is known)."""

    def __init__(self, resource_name: str, hinted: Any, primary_key: Any, has_parent: bool,
                 allow_external_schedulers: bool | None = None) -> None:
        """`allow_external_schedulers` (when not None) overrides the setting of the incremental
        this slot binds (set on the resource with `resource.incremental.allow_external_schedulers`)."""
        from dlt.extract.incremental import Incremental

        self.resource_name = resource_name
        self.primary_key = primary_key
        self.has_parent = has_parent
        self.hinted = hinted
        self.from_hints = hinted is not None
        self.allow_external_schedulers = allow_external_schedulers
        self.cursor: Incremental[Any] | None = (
            self.bind(Incremental.ensure_instance(hinted)) if hinted is not None else None
        )
        if isinstance(hinted, Incremental) and self.cursor is not None:
            # as dlt 1.31 binds the hint's own object: its last_value is this run's
            hinted.__dict__["_bound_copy"] = self.cursor

    def bind(self, incremental: Any) -> Any:
        """`incremental` bound to the state of this slot's resource."""
        if self.allow_external_schedulers is not None:
            incremental = incremental.copy()
            incremental.allow_external_schedulers = self.allow_external_schedulers
        return incremental.bind(self.resource_name, self.primary_key)

    def enter(self) -> Token[IncrementalSlot | None]:
        """Make this slot the one resource functions called now bind into."""
        return _active_slot.set(self)

    @staticmethod
    def exit(token: Token[IncrementalSlot | None]) -> None:
        """Undo `enter`."""
        _active_slot.reset(token)

    def filter(self, item: Any) -> Any:
        """`item` filtered by the bound incremental (unchanged without one); None drops it."""
        cursor = self.cursor
        return item if cursor is None else cursor.filter_item(item)

    def should_close(self) -> bool:
        """True when the resource may stop reading its source (ordered data left the window).
        Transformers never stop early: their generator serves one parent item."""
        cursor = self.cursor
        return cursor is not None and not self.has_parent and cursor.can_close()


_SLOT_ATTRIBUTE = "_dlt_incremental_slot"


def incremental_slot(resource: Any) -> IncrementalSlot:
    """The slot for one evaluation of `resource`, bound to its `incremental` hint if it has one.

    A transformer is evaluated once per parent page; all those evaluations within one extract
    (one pipeline state object) share a slot, so the window starts where the run started.
    """
    from dlt.utils.context import active_state

    state = active_state.get()
    has_parent = resource.parent is not None
    if has_parent and state is not None:
        cached = getattr(resource, _SLOT_ATTRIBUTE, None)
        if cached is not None and cached[0] is state:
            return cached[1]
    hints = resource._hints
    primary_key = hints.get("primary_key")
    if callable(primary_key):
        primary_key = None  # a key that is a function of the item: no deduplication by key
    elif primary_key and len(primary_key) == 1 and hints.get("primary_key_is_name"):
        primary_key = primary_key[0]  # given as a name: rows dedup by its value, as in 1.31
    wrapper = resource.__dict__.get("_incremental_wrapper")
    slot = IncrementalSlot(resource.name, hints.get("incremental"), primary_key, has_parent,
                           None if wrapper is None else wrapper._allow_external_schedulers)
    if wrapper is not None:
        wrapper._slot = slot  # the wrapper shows what this evaluation binds
    if has_parent and state is not None:
        setattr(resource, _SLOT_ATTRIBUTE, (state, slot))
    return slot


def _is_incremental_annotation(annotation: Any) -> bool:
    from dlt.extract.incremental import Incremental

    if annotation is inspect.Parameter.empty or annotation is None:
        return False
    candidates = [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        candidates = list(typing.get_args(annotation))
    for candidate in candidates:
        target = typing.get_origin(candidate) or candidate
        if isinstance(target, type) and issubclass(target, Incremental):
            return True
    return False


def _generic_annotation(annotation: Any) -> Any:
    """`Incremental[int]` out of an annotation (also inside Optional), or None."""
    from dlt.extract.incremental import Incremental

    candidates = [annotation]
    if typing.get_origin(annotation) is typing.Union or type(annotation).__name__ == "UnionType":
        candidates = list(typing.get_args(annotation))
    for candidate in candidates:
        origin = typing.get_origin(candidate)
        if isinstance(origin, type) and issubclass(origin, Incremental) and typing.get_args(candidate):
            return candidate
    return None


def incremental_parameter(function: Callable[..., Any]) -> inspect.Parameter | None:
    """The argument of `function` that takes an incremental (by default value or annotation)."""
    from dlt.extract.incremental import Incremental

    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    hints: dict[str, Any] = {}
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        pass
    for param in signature.parameters.values():
        annotation = hints.get(param.name, param.annotation)
        if isinstance(param.default, Incremental) or _is_incremental_annotation(annotation):
            return param.replace(annotation=annotation)
    return None


def _argument_incremental(default: Any, given: Any) -> Any:
    """The incremental a call asks for: the given one merged over the default, a dict from config
    as an incremental, a bare value as the default's new `initial_value`."""
    from dlt.extract.incremental import Incremental

    if given is Incremental.EMPTY or default is Incremental.EMPTY:
        raise ValueError(
            "Do not use `Incremental.EMPTY` as the default or the value of a resource's incremental"
            " argument; pass None to run the resource without its incremental.")
    default_incremental = default if isinstance(default, Incremental) else None
    if given is _ABSENT:
        return default_incremental.copy() if default_incremental is not None else None
    if isinstance(given, dict):
        given = Incremental.ensure_instance(given)
    if isinstance(given, Incremental):
        return default_incremental.merge(given) if default_incremental is not None else given.copy()
    if given is None:
        return None
    if default_incremental is not None:
        merged = default_incremental.copy()
        merged.initial_value = given
        return merged
    return None


def bind_incremental(function: Callable[..., Any], hints: dict[str, Any] | None = None) -> Callable[..., Any]:
    """Wrap a resource function so its incremental argument receives the bound incremental of
    the running evaluation. Functions without an incremental argument are returned as they are."""
    param = incremental_parameter(function)
    if param is None:
        return function
    signature = inspect.signature(function)
    name = param.name
    generic = _generic_annotation(param.annotation)

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        from dlt.extract.incremental import Incremental

        arguments = signature.bind_partial(*args, **kwargs)
        slot = _active_slot.get()
        if slot is not None and slot.from_hints and slot.cursor is not None:
            # an incremental applied with apply_hints() wins over defaults and call arguments
            arguments.arguments[name] = slot.cursor
            return function(*arguments.args, **arguments.kwargs)
        incremental = _argument_incremental(param.default, arguments.arguments.get(name, _ABSENT))
        if not isinstance(incremental, Incremental):
            # no incremental asked for (None, or an Optional argument left out): call as it is
            return function(*args, **kwargs)
        if generic is not None and getattr(incremental, "__orig_class__", None) is None:
            incremental.__orig_class__ = generic  # type: ignore[attr-defined]
        if slot is not None:
            if slot.cursor is None:
                slot.cursor = slot.bind(incremental)
            arguments.arguments[name] = slot.cursor
            return function(*arguments.args, **arguments.kwargs)
        # called outside a resource evaluation: bind and filter here
        cursor = incremental.bind(active_resource.get() or function.__name__)
        arguments.arguments[name] = cursor
        return _filtered(function(*arguments.args, **arguments.kwargs), cursor)

    call.__dlt_incremental_wrapped__ = True  # type: ignore[attr-defined]
    return call


def _filtered(result: Any, cursor: Any) -> Iterator[Any]:
    from dlt.extract.resource import _iterate_result

    iterator = _iterate_result(result)
    try:
        for item in iterator:
            kept = cursor.filter_item(item)
            if kept is not None:
                yield kept
            if cursor.can_close():
                break
    finally:
        iterator.close()
