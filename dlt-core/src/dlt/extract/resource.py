"""`DltResource`: one stream of data items plus the hints that say where and how they load."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import logging
from concurrent.futures import Future
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from dlt.utils.context import active_metrics, active_resource
from dlt.utils.exceptions import DltException
from dlt.extract.errors import (
    InvalidResourceDataTypeBasic,
    InvalidResourceDataTypeIsNone,
    InvalidStepFunctionArguments,
    ParametrizedResourceUnbound,
    PipeNotBoundToData,
    ResourceError,
    ResourceNameMissing,
    ResourceNotATransformer,
)
from dlt.extract.hints import TableHints, make_hints
from dlt.extract.mark import TableNameMeta, unwrap
from dlt.extract.resource_compat import ResourceCompat
from dlt.extract.resource_hints import ResourceHints
from dlt.extract.steps import FILTER, MAP, METRICS, SELECT_TABLES, YIELD_MAP, ItemProcessor, Limit


class ResourceExtractionError(DltException):
    """A resource raised while it was producing data; the original error is chained."""

    def __init__(self, resource_name: str, error: BaseException, stage: str = "extract") -> None:
        from dlt.configuration.redaction import redact_exception

        self.resource_name = resource_name
        self.original = error
        redact_exception(error)  # the resource's own error is printed in the chain too
        super().__init__(
            f"Resource '{resource_name}' raised {type(error).__name__} during {stage}: {error}."
            " Fix the resource and run again."
        )


@contextlib.contextmanager
def extraction_errors(resource: DltResource) -> Iterator[None]:
    """Raise errors of a resource's code as `ResourceExtractionError` naming the resource
    (dlt's own errors, which already say where they happened, pass unchanged)."""
    try:
        yield
    except DltException:
        raise
    except Exception as exc:
        raise ResourceExtractionError(resource.name, exc) from exc


@contextlib.contextmanager
def iteration_state(source_name: str | None) -> Iterator[None]:
    """The state a resource or source iterated directly (`list(resource)`) reads: a copy of the
    last pipeline's, or, with no pipeline, a fresh empty one for this iteration only, so that
    iterating again gives the same items, as in dlt 1.31. `source_name` names the source whose
    state a resource's incremental reads when no pipeline names one."""
    from dlt.pipeline.current import last_pipeline_state
    from dlt.utils.context import active_source, active_state

    with last_pipeline_state():
        if active_state.get() is not None:
            yield
            return
        state_token = active_state.set({})
        source_token = active_source.set(source_name or "default") if active_source.get() is None else None
        try:
            yield
        finally:
            if source_token is not None:
                active_source.reset(source_token)
            active_state.reset(state_token)


def is_arrow_item(item: Any) -> bool:
    """True for a pyarrow Table or RecordBatch or a pandas/polars DataFrame."""
    module = type(item).__module__
    return module.startswith(("pyarrow", "pandas", "polars"))


def _is_single_item(data: Any) -> bool:
    return isinstance(data, (dict, str, bytes)) or is_arrow_item(data)


class DltResource(ResourceCompat, ResourceHints):
    """A named stream of items (from a generator, list, iterator or function) with table hints.

    Calling a resource created from a function binds its arguments and returns a new resource.
    Iterating a resource evaluates it and yields its items one by one.
    """

    def __init__(
        self,
        data: Any,
        name: str,
        hints: TableHints | None = None,
        *,
        section: str | None = None,
        parent: DltResource | None = None,
        is_transformer: bool = False,
        selected: bool = True,
        parallelized: bool = False,
        name_function: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        if not name or not isinstance(name, str):
            raise ResourceNameMissing(
                "A resource needs a name: pass name='...' to dlt.resource() when its data is not"
                " a named function."
            )
        if isinstance(data, (str, dict)):
            raise InvalidResourceDataTypeBasic(
                f"Resource '{name}' got a {type(data).__name__} as its data, which is one item, not"
                " items to load: enclose it in a list ([item]) or pass a function that yields"
                " items."
            )
        self._data = data
        self.name = name
        self.section = section
        self._hints: TableHints = hints or make_hints(table_name=None)
        self._parent = parent
        self.is_transformer = is_transformer
        self.selected = selected
        self.parallelized = parallelized
        self._name_function = name_function
        self._steps: list[tuple[str, Any]] = []
        self._limit: Limit | None = None
        self._args: tuple[Any, ...] = ()
        self._kwargs: dict[str, Any] = {}
        self._bound = not callable(data) or not _required_params(data, is_transformer)
        self.source_name: str | None = None
        if getattr(data, "__dlt_incremental_wrapped__", False):
            self._new_incremental_wrapper()

    @classmethod
    def from_data(cls, data: Any, name: str | None = None, section: str | None = None,
                  hints: TableHints | None = None, selected: bool = True,
                  data_from: Any = None, inject_config: bool = False) -> DltResource:
        """A resource from `data` (a list, iterator, generator or function), as in dlt 1.31.

        With `data_from`, the resource is a transformer fed by that resource.
        """
        if isinstance(data, DltResource):
            return data
        if data is None:
            raise InvalidResourceDataTypeIsNone(f"Resource '{name}' got None as data; pass a list, iterator or function.")
        resource_name = name or getattr(data, "__name__", None)
        if not resource_name or resource_name == "<lambda>":
            raise ResourceNameMissing(f"DltResource.from_data() got {type(data).__name__} data without a name; pass name='...'.")
        parent = _as_resource(data_from) if data_from is not None else None
        return cls(data, resource_name, make_hints(**(hints or {})) if hints else None,
                   section=section, parent=parent, is_transformer=parent is not None,
                   selected=selected)

    def with_name(self, new_name: str, new_section: str | None = None) -> DltResource:
        """A copy of this resource under another name (and so its own table, unless the
        table name is set explicitly, and its own state). A transformer's parents are copied
        and renamed too, as in dlt 1.31: `parent_<new_name>`, or the parent's name with this
        resource's name replaced when it contains it. So `(files | reader()).with_name("csv")`
        keeps the incremental cursor of `files` under `files_csv`, apart from other renamed
        readers of the same listing."""
        clone = self._clone()
        parent = clone._parent
        if parent is not None:
            parent_name = (parent.name.replace(self.name, new_name) if self.name in parent.name
                           else f"{parent.name}_{new_name}")
            clone._parent = parent.with_name(parent_name, new_section)
        clone.name = new_name
        if new_section is not None:
            clone.section = new_section
        return clone

    # -- pipe steps -------------------------------------------------------------------------

    def add_map(self, item_map: Callable[[Any], Any], insert_at: int | None = None) -> DltResource:
        """Transform every item with `item_map`; returns the resource."""
        return self._add_step(MAP, item_map, insert_at)

    def add_filter(self, item_filter: Callable[[Any], bool], insert_at: int | None = None) -> DltResource:
        """Keep only items for which `item_filter` returns true; returns the resource."""
        return self._add_step(FILTER, item_filter, insert_at)

    def select_tables(self, *table_names: str) -> DltResource:
        """Keep only the items that go to one of `table_names`, for a resource that sends its
        items to several tables: by `dlt.mark.with_table_name`, or by a `table_name` function
        of the item. Other items are dropped (as in dlt 1.31, also those the resource's own
        static table would get). Returns the resource."""
        names = set(table_names)

        def selected(item: Any, meta: Any) -> bool:
            if isinstance(meta, TableNameMeta):
                return meta.table_name in names
            table_name = self._hints.get("table_name")
            return callable(table_name) and table_name(item) in names

        return self._add_step(SELECT_TABLES, selected, None)

    def add_yield_map(self, item_map: Callable[[Any], Iterator[Any]], insert_at: int | None = None) -> DltResource:
        """Replace every item with the items `item_map` yields for it; returns the resource."""
        return self._add_step(YIELD_MAP, item_map, insert_at)

    def add_metrics(self, metrics_f: Callable[[Any, Any, dict[str, Any]], None],
                    insert_at: int | None = None) -> DltResource:
        """Call `metrics_f(items, meta, metrics)` for every item or page the resource yields, to
        count things into `metrics` (this resource's custom metrics, reported in
        `ExtractInfo.metrics[load_id][0]["resource_metrics"][name].custom_metrics`)."""

        def collect(items: Any) -> None:
            collected = active_metrics.get()
            if collected is not None:
                metrics_f(items, None, collected.setdefault(self.name, {}))

        return self._add_step(METRICS, collect, insert_at)

    def add_limit(self, max_items: int | None = None, max_time: float | None = None,
                  count_rows: bool = False) -> DltResource:
        """Stop the resource after `max_items` yields (or rows, with `count_rows`) or after
        `max_time` seconds; pages are never split. `None` (or a negative `max_items`) for both
        removes the limit. As in dlt 1.31 a transformer is never limited (it must process all
        that its parent gives): the call only logs a warning."""
        if self.is_transformer:
            logging.getLogger("dlt").warning(
                "Setting add_limit on transformer '%s' has no effect: a transformer processes every"
                " item its parent yields. Set the limit on the top level resource.", self.name)
            return self
        if max_items is not None and (not isinstance(max_items, int) or isinstance(max_items, bool)):
            raise ResourceError(
                f"add_limit on resource '{self.name}' needs an integer max_items or None, got {max_items!r}."
            )
        from dlt.extract.items_transform import LimitItem

        # what `resource.limit` shows, as given (a negative count is kept, as in dlt 1.31)
        self._limit_item = LimitItem(max_items, max_time, count_rows)
        if max_items is not None and max_items < 0:
            max_items = None  # as in dlt 1.31: a negative limit is no limit
        if max_items is None and max_time is None:
            self._limit = None
        else:
            self._limit = Limit(max_items, max_time, count_rows)
        return self

    @property
    def limit(self) -> Any:
        """The `LimitItem` (`max_items`, `max_time`, `count_rows`) of the last `add_limit`
        call, or None when `add_limit` was never called."""
        return self.__dict__.get("_limit_item")

    @property
    def incremental(self) -> Any:
        """The resource's incremental: for a function with an incremental argument an
        `IncrementalResourceWrapper` (its `.incremental` is None until a run binds one), else
        the incremental attached with `apply_hints`, or None."""
        wrapper = self.__dict__.get("_incremental_wrapper")
        if wrapper is not None:
            return wrapper
        return self._hints.get("incremental")

    def _new_incremental_wrapper(self) -> None:
        from dlt.extract.incremental.resource_wrapper import IncrementalResourceWrapper

        self._incremental_wrapper = IncrementalResourceWrapper(self)

    def _add_step(self, kind: str, function: Any, insert_at: int | None) -> DltResource:
        if not callable(function):
            raise InvalidStepFunctionArguments(f"add_{kind} on resource '{self.name}' needs a function.")
        if insert_at is None:
            self._steps.append((kind, function))
        else:
            self._steps.insert(insert_at, (kind, function))
        return self

    def _processor(self) -> ItemProcessor:
        """Fresh processing state (steps, validation, incremental, limit) for one evaluation."""
        from dlt.extract.incremental import incremental_slot

        # the one bound incremental of this evaluation: from the hints now, or from the
        # function's incremental argument when `_call` runs the function
        incremental = self._evaluation_slot = incremental_slot(self)
        # a fresh validator of the pydantic model given as columns (None without one)
        return ItemProcessor(self._steps, self.validator, incremental, self._limit)

    # -- binding and piping -----------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> DltResource:
        """Bind arguments of the function this resource was made from; returns a new resource."""
        if not callable(self._data):
            raise ResourceError(
                f"Resource '{self.name}' holds data, not a function, so it cannot be called."
            )
        clone = self._clone()
        if self.is_transformer and "data_from" in kwargs:
            clone._parent = _as_resource(kwargs.pop("data_from"))
        bound_arguments: dict[str, Any] = {}
        try:
            signature = inspect.signature(self._data)
            params = list(signature.parameters.values())
            if self.is_transformer and params:
                params = params[1:]
            bound = inspect.Signature(params).bind(*args, **kwargs)
            clone._explicit_args = dict(bound.arguments)
            bound.apply_defaults()
            bound_arguments = dict(bound.arguments)
        except TypeError as exc:
            raise ResourceError(f"Resource '{self.name}' was called with bad arguments: {exc}") from exc
        except ValueError:
            pass
        clone._args, clone._kwargs, clone._bound = args, kwargs, True
        if "_incremental_wrapper" in self.__dict__:
            clone._new_incremental_wrapper()  # a called resource starts without a bound incremental
        clone._called = True
        if self._name_function is not None:
            clone.name = _dynamic_name(self._name_function, bound_arguments, self.name)
        return clone

    def bind(self, *args: Any, **kwargs: Any) -> DltResource:
        """Bind arguments of the function this resource was made from to this resource itself
        (dlt 1.31's in-place form of calling it); returns it."""
        bound = self(*args, **kwargs)
        self.__dict__.update(bound.__dict__)
        return self

    @property
    def explicit_args(self) -> dict[str, Any]:
        """The arguments the resource's function was called with, by name (defaults and values
        injected from configuration left out)."""
        return dict(self.__dict__.get("_explicit_args", {}))

    def __or__(self, other: Any) -> DltResource:
        """Pipe this resource into a transformer (or a plain function): `source | transform`."""
        if isinstance(other, DltResource):
            if not other.is_transformer:
                raise ResourceNotATransformer(
                    f"Resource '{other.name}' is not a transformer, so '{self.name}' cannot be piped"
                    " into it; decorate it with @dlt.transformer."
                )
            clone = other._clone()
            clone._parent = self
            return clone
        if callable(other):
            return DltResource(
                other,
                getattr(other, "__name__", self.name),
                make_hints(table_name=None),
                parent=self,
                is_transformer=True,
            )
        raise ResourceError(f"Cannot pipe resource '{self.name}' into {type(other).__name__}.")

    def __ror__(self, other: Any) -> DltResource:
        """Allow `[1, 2, 3] | transformer`."""
        return _as_resource(other, name=f"{self.name}_input") | self

    def _clone(self) -> DltResource:
        clone = copy.copy(self)
        clone._hints = copy.deepcopy(self._hints)
        if "_hints_variants" in self.__dict__:
            clone._hints_variants = copy.deepcopy(self._hints_variants)
        clone._steps = list(self._steps)
        return clone

    @property
    def parent(self) -> DltResource | None:
        """The resource a transformer takes its items from."""
        return self._parent

    # -- evaluation -------------------------------------------------------------------------

    _evaluation_slot: Any = None

    def _call(self, parent_item: Any = None) -> Any:
        """Call the underlying function (with the parent item for a transformer), or return
        the data itself: the raw result, before it is iterated. An incremental argument of the
        function binds into the slot of the running evaluation."""
        slot = self._evaluation_slot
        if slot is None:
            return self._call_function(parent_item)
        token = slot.enter()
        try:
            return self._call_function(parent_item)
        finally:
            slot.exit(token)

    def _call_function(self, parent_item: Any) -> Any:
        data = self._data
        if self.is_transformer:
            if self._parent is None:
                raise PipeNotBoundToData(
                    f"Transformer '{self.name}' has no resource to take items from: pipe one into"
                    f" it (resource | {self.name}) or pass data_from= to @dlt.transformer."
                )
            return data(parent_item, *self._args, **self._kwargs)
        if callable(data) and not isinstance(data, DltResource):
            if not self._bound:
                missing = ", ".join(_required_params(data, False))
                raise ParametrizedResourceUnbound(
                    f"Resource '{self.name}' needs arguments ({missing}); call it first, e.g."
                    f" {self.name}(...)."
                )
            return data(*self._args, **self._kwargs)
        return data

    def processed(self, iterator: Iterator[Any], processor: ItemProcessor) -> Iterator[Any]:
        """Run the raw items of `iterator` through `processor`; stop when its limit is reached."""
        while not processor.exhausted:
            token = active_resource.set(self.name)
            try:
                item = next(iterator)
            except StopIteration:
                break
            finally:
                active_resource.reset(token)
            yield from processor.process(item)

    def __iter__(self) -> Iterator[Any]:
        """Evaluate the resource (and its parents) and yield single items, pages flattened."""
        from dlt.extract.evaluate import evaluate

        with iteration_state(self.source_name):
            for _resource, page in evaluate([self], include_unselected=True):
                page = unwrap(page)
                if isinstance(page, list):
                    yield from page
                else:
                    yield page

    @property
    def state(self) -> dict[str, Any]:
        """This resource's state: in a run the one it keeps; outside one a copy of the last
        pipeline's (as dlt 1.31 reads the active pipeline's). With no pipeline at all it raises
        `PipelineStateNotAvailable`, as 1.31 does."""
        from dlt.pipeline.current import last_pipeline_state, resource_state
        from dlt.pipeline.exceptions import PipelineStateNotAvailable
        from dlt.pipeline.registry import last_pipeline
        from dlt.utils.context import active_state

        if active_state.get() is None and last_pipeline() is None:
            raise PipelineStateNotAvailable(self.source_name or self.section)
        with last_pipeline_state():
            return resource_state(self.name, self.source_name)

    def __repr__(self) -> str:
        kind = "transformer" if self.is_transformer else "resource"
        return f"<DltResource {kind} '{self.name}' table={self.table_name!r}>"


def _iterate_result(result: Any, whole_lists: bool = True) -> Iterator[Any]:
    """The items (or pages) of what a resource's data or function gave."""
    if result is None:
        return
    if inspect.isasyncgen(result):
        yield from _drain_async_gen(result)
    elif inspect.iscoroutine(result):
        yield from _iterate_result(asyncio.run(result), whole_lists)
    elif _is_single_item(result):
        yield result
    elif isinstance(result, list):
        # a list of items is one page; a list of lists is a list of pages, as in dlt
        if any(isinstance(element, list) for element in result):
            yield from (element for element in result if element)
        elif not whole_lists:
            yield from result
        elif result:
            yield result
    elif hasattr(result, "__iter__") or hasattr(result, "__next__"):
        pending: list[Future[Any]] = []
        for item in result:
            if isinstance(item, Future):
                # deferred calls run in a pool: keep several in flight, yield results in order
                pending.append(item)
                if len(pending) >= 16:
                    yield from _resolved(pending.pop(0))
                continue
            while pending:
                yield from _resolved(pending.pop(0))
            if inspect.iscoroutine(item):
                item = asyncio.run(item)
            if item is not None:  # as in dlt 1.31, `yield None` yields nothing
                yield item
        while pending:
            yield from _resolved(pending.pop(0))
    else:
        yield result


def own_copies(resources: list[DltResource]) -> list[DltResource]:
    """Copies of `resources` for a new source, so that what a script changes on one source
    (selection, hints, steps, limits) does not change the module's resource objects, every
    later source or the source it was copied from, as in dlt 1.31; a transformer whose parent
    is among them is re-linked to that parent's copy (the parent is evaluated once)."""
    copies = {id(resource): resource._clone() for resource in resources}
    for copied in copies.values():
        parent = copied._parent
        if parent is not None and id(parent) in copies:
            copied._parent = copies[id(parent)]
    return [copies[id(resource)] for resource in resources]


def _resolved(future: Future[Any]) -> Iterator[Any]:
    value = future.result()
    if value is not None:
        yield value


def _drain_async_gen(agen: AsyncIterator[Any]) -> Iterator[Any]:
    loop = asyncio.new_event_loop()
    try:
        while True:
            try:
                yield loop.run_until_complete(agen.__anext__())
            except StopAsyncIteration:
                break
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def _dynamic_name(function: Callable[[dict[str, Any]], str], arguments: dict[str, Any], default: str) -> str:
    try:
        name = function(arguments)
    except Exception as exc:
        raise ResourceError(
            f"The name function of resource '{default}' raised {type(exc).__name__}: {exc}. It gets"
            " the call's arguments as a dict and must return the resource name."
        ) from exc
    if not isinstance(name, str) or not name:
        raise ResourceError(f"The name function of resource '{default}' returned {name!r}; it must return a str.")
    return name


def _required_params(function: Any, is_transformer: bool) -> list[str]:
    try:
        params = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return []
    if is_transformer and params:
        params = params[1:]
    return [
        p.name
        for p in params
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def _as_resource(data: Any, name: str | None = None) -> DltResource:
    if isinstance(data, DltResource):
        return data
    return DltResource(data, name or getattr(data, "__name__", None) or "data", make_hints(table_name=None))


def __getattr__(name: str) -> Any:
    """dlt 1.31 also imports `with_table_name` and `with_hints` from here; they live in
    `dlt.extract.mark`."""
    if name in ("with_table_name", "with_hints"):
        from dlt.extract import mark

        return getattr(mark, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
