"""`DltResource`: one stream of data items plus the hints that say where and how they load."""

from __future__ import annotations

import asyncio
import copy
import inspect
from concurrent.futures import Future
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from dlt.utils.context import active_resource
from dlt.utils.exceptions import DltException
from dlt.extract.hints import TableHints, make_hints

MAP, FILTER, YIELD_MAP = "map", "filter", "yield_map"


class ResourceError(DltException):
    """A resource is defined or used the wrong way."""


class ResourceExtractionError(DltException):
    """A resource raised while it was producing data; the original error is chained."""

    def __init__(self, resource_name: str, error: BaseException, stage: str = "extract") -> None:
        self.resource_name = resource_name
        self.original = error
        super().__init__(
            f"Resource '{resource_name}' raised {type(error).__name__} during {stage}: {error}."
            " Items it produced before the error were kept; fix the resource and run again."
        )


def is_arrow_item(item: Any) -> bool:
    """True for a pyarrow Table or RecordBatch or a pandas/polars DataFrame."""
    module = type(item).__module__
    return module.startswith(("pyarrow", "pandas", "polars"))


def _is_single_item(data: Any) -> bool:
    return isinstance(data, (dict, str, bytes)) or is_arrow_item(data)


class DltResource:
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
    ) -> None:
        if not name or not isinstance(name, str):
            raise ResourceError(
                "A resource needs a name: pass name='...' to dlt.resource() when its data is not"
                " a named function."
            )
        self._data = data
        self.name = name
        self.section = section
        self._hints: TableHints = hints or make_hints(table_name=None)
        self._parent = parent
        self.is_transformer = is_transformer
        self.selected = selected
        self.parallelized = parallelized
        self._steps: list[tuple[str, Any]] = []
        self._limit: int | None = None
        self._args: tuple[Any, ...] = ()
        self._kwargs: dict[str, Any] = {}
        self._bound = not callable(data) or not _required_params(data, is_transformer)
        self.source_name: str | None = None

    # -- hints ------------------------------------------------------------------------------

    @property
    def table_name(self) -> Any:
        """The table the items load into: a name, or a function of the item."""
        return self._hints.get("table_name") or self.name

    @table_name.setter
    def table_name(self, value: Any) -> None:
        self.apply_hints(table_name=value)

    @property
    def write_disposition(self) -> str:
        """`append`, `replace` or `merge`."""
        return self._hints.get("write_disposition") or "append"

    @write_disposition.setter
    def write_disposition(self, value: Any) -> None:
        self.apply_hints(write_disposition=value)

    @property
    def hints(self) -> TableHints:
        """The table hints of this resource (a copy)."""
        return copy.deepcopy(self._hints)

    @property
    def schema_contract(self) -> Any:
        """The `schema_contract` hint of this resource, as it was given (None when unset)."""
        return self._hints.get("schema_contract")

    @schema_contract.setter
    def schema_contract(self, value: Any) -> None:
        self.apply_hints(schema_contract=value)

    @property
    def incremental(self) -> Any:
        """The incremental cursor of this resource, if it has one."""
        return self._hints.get("incremental")

    def apply_hints(self, **hints: Any) -> DltResource:
        """Set table hints (`table_name`, `write_disposition`, `primary_key`, `merge_key`,
        `columns`, `max_table_nesting`, `schema_contract`, `file_format`, `incremental`).
        Returns the resource, so calls can be chained."""
        self._hints.update(make_hints(**hints, _partial=True))
        return self

    def compute_table_name(self, item: Any) -> str:
        """The table name for `item`, evaluating a dynamic `table_name` hint."""
        table_name = self.table_name
        if callable(table_name):
            try:
                return table_name(item)
            except Exception as exc:
                raise ResourceExtractionError(self.name, exc, "table_name evaluation") from exc
        return table_name

    # -- pipe steps -------------------------------------------------------------------------

    def add_map(self, function: Callable[[Any], Any], insert_at: int | None = None) -> DltResource:
        """Transform every item with `function`; returns the resource."""
        return self._add_step(MAP, function, insert_at)

    def add_filter(self, function: Callable[[Any], bool], insert_at: int | None = None) -> DltResource:
        """Keep only items for which `function` returns true; returns the resource."""
        return self._add_step(FILTER, function, insert_at)

    def add_yield_map(self, function: Callable[[Any], Iterator[Any]], insert_at: int | None = None) -> DltResource:
        """Replace every item with the items `function` yields for it; returns the resource."""
        return self._add_step(YIELD_MAP, function, insert_at)

    def add_limit(self, max_items: int) -> DltResource:
        """Stop after the generator yielded `max_items` times (pages count once)."""
        if max_items is not None and max_items < 0:
            raise ResourceError(f"add_limit needs a number >= 0, got {max_items} for '{self.name}'.")
        self._limit = max_items
        return self

    def _add_step(self, kind: str, function: Any, insert_at: int | None) -> DltResource:
        if not callable(function):
            raise ResourceError(f"add_{kind} on resource '{self.name}' needs a function.")
        if insert_at is None:
            self._steps.append((kind, function))
        else:
            self._steps.insert(insert_at, (kind, function))
        return self

    # -- binding and piping -----------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> DltResource:
        """Bind arguments of the function this resource was made from; returns a new resource."""
        if not callable(self._data):
            raise ResourceError(
                f"Resource '{self.name}' holds data, not a function, so it cannot be called."
            )
        if self.is_transformer and "data_from" in kwargs:
            parent = kwargs.pop("data_from")
            clone = self._clone()
            clone._parent = _as_resource(parent)
        else:
            clone = self._clone()
        try:
            signature = inspect.signature(self._data)
            params = list(signature.parameters.values())
            if self.is_transformer and params:
                params = params[1:]
            inspect.Signature(params).bind(*args, **kwargs)
        except TypeError as exc:
            raise ResourceError(f"Resource '{self.name}' was called with bad arguments: {exc}") from exc
        except ValueError:
            pass
        clone._args, clone._kwargs, clone._bound = args, kwargs, True
        return clone

    def __or__(self, other: Any) -> DltResource:
        """Pipe this resource into a transformer (or a plain function): `source | transform`."""
        if isinstance(other, DltResource):
            if not other.is_transformer:
                raise ResourceError(
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
        clone._steps = list(self._steps)
        return clone

    @property
    def parent(self) -> DltResource | None:
        """The resource a transformer takes its items from."""
        return self._parent

    # -- evaluation -------------------------------------------------------------------------

    def _raw_items(self, parent_item: Any = None) -> Iterator[Any]:
        """The items the underlying data yields (before steps), for one parent item if any."""
        data = self._data
        if self.is_transformer:
            result = data(parent_item, *self._args, **self._kwargs)
        elif callable(data) and not isinstance(data, DltResource):
            if not self._bound:
                missing = ", ".join(_required_params(data, False))
                raise ResourceError(
                    f"Resource '{self.name}' needs arguments ({missing}); call it first, e.g."
                    f" {self.name}(...)."
                )
            result = data(*self._args, **self._kwargs)
        else:
            result = data
        yield from _iterate_result(result)

    def _apply_steps(self, item: Any) -> Iterator[Any]:
        items = [item]
        for kind, function in self._steps:
            next_items: list[Any] = []
            for current in items:
                if isinstance(current, list):
                    if kind == MAP:
                        next_items.append([function(i) for i in current])
                    elif kind == FILTER:
                        kept = [i for i in current if function(i)]
                        if kept:
                            next_items.append(kept)
                    else:
                        next_items.append([r for i in current for r in function(i)])
                elif kind == MAP:
                    next_items.append(function(current))
                elif kind == FILTER:
                    if function(current):
                        next_items.append(current)
                else:
                    next_items.extend(function(current))
            items = next_items
        yield from items

    def pages(self, parent_item: Any = None) -> Iterator[Any]:
        """Evaluate the resource: yield each item or page (list) with steps applied.

        Errors raised by the resource's code are wrapped in `ResourceExtractionError` naming it.
        """
        count = 0
        iterator = self._raw_items(parent_item)
        incremental = self._hints.get("incremental")
        if incremental is not None:
            incremental = incremental.bind(self.name)
        try:
            while self._limit is None or count < self._limit:
                token = active_resource.set(self.name)
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                finally:
                    active_resource.reset(token)
                count += 1
                if incremental is not None:
                    item = incremental.filter_item(item)
                    if item is None:
                        continue
                yield from self._apply_steps(item)
        except ResourceExtractionError:
            raise
        except DltException:
            raise
        except Exception as exc:
            raise ResourceExtractionError(self.name, exc) from exc
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[Any]:
        """Evaluate the resource (and its parents) and yield single items, pages flattened."""
        for page in self._pages_with_parents():
            if isinstance(page, list):
                yield from page
            else:
                yield page

    def _pages_with_parents(self) -> Iterator[Any]:
        if self._parent is None:
            yield from self.pages()
            return
        for parent_page in self._parent._pages_with_parents():
            yield from self.pages(parent_page)

    def __repr__(self) -> str:
        kind = "transformer" if self.is_transformer else "resource"
        return f"<DltResource {kind} '{self.name}' table={self.table_name!r}>"


def _iterate_result(result: Any) -> Iterator[Any]:
    if result is None:
        return
    if inspect.isasyncgen(result):
        yield from _drain_async_gen(result)
    elif inspect.iscoroutine(result):
        yield from _iterate_result(asyncio.run(result))
    elif _is_single_item(result):
        yield result
    elif isinstance(result, list):
        # a list of items is one page; a list of lists is a list of pages, as in dlt
        if any(isinstance(element, list) for element in result):
            yield from (element for element in result if element)
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
            yield item
        while pending:
            yield from _resolved(pending.pop(0))
    else:
        yield result


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
