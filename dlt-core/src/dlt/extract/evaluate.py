"""Evaluation of a set of resources: each parent runs once and feeds all its transformers.

Plain generators are stepped in this thread, in turn (`round_robin`) or one after the other
(`fifo`). `parallelized` resources step in a thread pool and async generators on an event
loop, each with one step in flight, so they run side by side; async (and parallelized)
transformer calls are started as their parent's pages arrive and collected when done.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

from dlt.utils.context import active_resource
from dlt.utils.exceptions import DltException
from dlt.extract.concurrency import DEFAULT_WORKERS, Workers
from dlt.extract.mark import unwrap
from dlt.extract.resource import DltResource, ResourceExtractionError, _iterate_result, extraction_errors
from dlt.extract.steps import ItemProcessor

_DONE = object()


def evaluate(
    resources: list[DltResource], next_item_mode: str = "round_robin",
    include_unselected: bool = False, workers: int = DEFAULT_WORKERS,
) -> Iterator[tuple[DltResource, Any]]:
    """Yield `(resource, page)` for every selected resource in `resources` (every one with
    `include_unselected`); parents of transformers are evaluated even when not selected."""
    evaluation = _Evaluation(resources, next_item_mode, include_unselected, workers)
    yield from evaluation.run()


class _Evaluation:
    def __init__(self, resources: list[DltResource], mode: str, include_unselected: bool,
                 workers: int) -> None:
        self.fifo = mode == "fifo"
        self.include_unselected = include_unselected
        self.members = {id(resource) for resource in resources}
        self.children: dict[int, list[DltResource]] = defaultdict(list)
        self.roots: list[DltResource] = []
        self.processors: dict[int, ItemProcessor] = {}
        self.pending: list[tuple[DltResource, Future[Any], str]] = []
        self.workers = Workers(workers)
        by_name = {resource.name: resource for resource in resources}
        needed: set[int] = set()

        def visit(resource: DltResource) -> None:
            if id(resource) in needed:
                return
            needed.add(id(resource))
            parent = resource.parent
            if parent is None:
                self.roots.append(resource)
                return
            shared = by_name.get(parent.name)
            node = shared if shared is not None and shared is not resource else parent
            visit(node)
            self.children[id(node)].append(resource)

        for resource in resources:
            if resource.selected or include_unselected:
                visit(resource)

    def processor(self, resource: DltResource) -> ItemProcessor:
        processor = self.processors.get(id(resource))
        if processor is None:
            processor = self.processors[id(resource)] = resource._processor()
        return processor

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> Iterator[tuple[DltResource, Any]]:
        sources: list[_Source] = []
        try:
            for root in self.roots:
                source = self._source_of(root)
                if source is not None:
                    sources.append(source)
            while sources or self.pending:
                if len(sources) == 1 and not self.pending and self._drains_alone(sources[0]):
                    yield from self._drain(sources.pop())
                    continue
                progressed = False
                stepping = sources
                if self.fifo:
                    first_sync = next((s for s in sources if not s.concurrent), None)
                    stepping = [s for s in sources if s.concurrent or s is first_sync]
                for source in list(stepping):
                    pages, done = source.step()
                    if done:
                        sources.remove(source)
                        progressed = True
                    for page in pages:
                        progressed = True
                        yield from self.emit(source.resource, page)
                for entry in list(self.pending):
                    if entry[1].done():
                        self.pending.remove(entry)
                        progressed = True
                        yield from self._complete(*entry)
                if not progressed:
                    futures = [s.future for s in sources if s.future is not None]
                    futures += [entry[1] for entry in self.pending]
                    wait(futures, timeout=1.0, return_when=FIRST_COMPLETED)
        finally:
            for source in sources:
                source.close()
            self.workers.close()

    def _drains_alone(self, source: _Source) -> bool:
        """True for a last plain source without transformers: no turns to take with others."""
        return type(source) is _SyncSource and source.trivial and not self.children.get(id(source.resource))

    def _drain(self, source: _SyncSource) -> Iterator[tuple[DltResource, Any]]:
        resource = source.resource
        wanted = id(resource) in self.members and (resource.selected or self.include_unselected)
        iterator, name = source.iterator, resource.name
        try:
            while True:
                token = active_resource.set(name)
                try:
                    item = next(iterator, _DONE)
                except DltException:
                    raise
                except Exception as exc:
                    raise ResourceExtractionError(name, exc) from exc
                finally:
                    active_resource.reset(token)
                if item is _DONE:
                    return
                if wanted:
                    yield resource, item
        finally:
            source.close()

    def emit(self, node: DltResource, page: Any) -> Iterator[tuple[DltResource, Any]]:
        """Hand `page` on: to the caller when `node` was asked for, and to its transformers."""
        if id(node) in self.members and (node.selected or self.include_unselected):
            yield node, page
        children = self.children.get(id(node))
        if not children:
            return
        data = unwrap(page)
        for child in children:
            processor = self.processor(child)
            if processor.exhausted or (processor.limit is not None and processor.limit.is_zero):
                continue
            if child.parallelized:
                context = _context_for(child)
                future = self.workers.submit(context, _raw_list, child, data)
                self.pending.append((child, future, "items"))
                continue
            with extraction_errors(child):
                token = active_resource.set(child.name)
                try:
                    result = child._call(data)
                finally:
                    active_resource.reset(token)
            if inspect.iscoroutine(result) or inspect.isasyncgen(result):
                self._await(child, result)
                continue
            if isinstance(result, Future):
                # a `@dlt.defer` transformer: its call runs in the defer pool, collected as
                # an awaited value is
                self.pending.append((child, result, "value"))
                continue
            with extraction_errors(child):
                pages = list(child.processed(_iterate_result(result), processor))
            for child_page in pages:
                yield from self.emit(child, child_page)

    def _await(self, resource: DltResource, awaitable: Any) -> None:
        context = _context_for(resource)
        if inspect.isasyncgen(awaitable):
            future = self.workers.submit_awaitable(context, _drain(awaitable))
            self.pending.append((resource, future, "items"))
        else:
            future = self.workers.submit_awaitable(context, awaitable)
            self.pending.append((resource, future, "value"))

    def _complete(self, resource: DltResource, future: Future[Any], kind: str) -> Iterator[tuple[DltResource, Any]]:
        with extraction_errors(resource):
            value = future.result()
            items = iter(value) if kind == "items" else _iterate_result(value)
            pages = list(resource.processed(items, self.processor(resource)))
        for page in pages:
            yield from self.emit(resource, page)

    # -- sources ----------------------------------------------------------------------------

    def _source_of(self, root: DltResource) -> _Source | None:
        processor = self.processor(root)
        if processor.limit is not None and processor.limit.is_zero:
            return None
        whole_lists = processor.limit is None and not self.children.get(id(root))
        if root.parallelized:
            context = _context_for(root)
            iterator = _lazy_items(root, whole_lists)
            return _ThreadSource(root, processor, self.workers, context, iterator)
        with extraction_errors(root):
            token = active_resource.set(root.name)
            try:
                result = root._call()
            finally:
                active_resource.reset(token)
        if inspect.isasyncgen(result):
            return _AsyncSource(root, processor, self.workers, _context_for(root), result)
        if inspect.iscoroutine(result):
            self._await(root, result)
            return None
        return _SyncSource(root, processor, _iterate_result(result, whole_lists))


class _Source:
    """One root resource being stepped; `step()` returns its next pages and whether it ended."""

    concurrent = False
    future: Future[Any] | None = None

    def __init__(self, resource: DltResource, processor: ItemProcessor) -> None:
        self.resource = resource
        self.processor = processor

    def step(self) -> tuple[list[Any], bool]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the underlying iterator."""


class _SyncSource(_Source):
    def __init__(self, resource: DltResource, processor: ItemProcessor, iterator: Iterator[Any]) -> None:
        super().__init__(resource, processor)
        self.iterator = iterator
        self.trivial = processor.trivial

    def step(self) -> tuple[list[Any], bool]:
        # the hot path of plain generators: no context manager, one contextvar set per item
        token = active_resource.set(self.resource.name)
        try:
            item = next(self.iterator, _DONE)
            if item is _DONE:
                return [], True
            if self.trivial:
                return [item], False
            pages = self.processor.process(item)
        except DltException:
            raise
        except Exception as exc:
            raise ResourceExtractionError(self.resource.name, exc) from exc
        finally:
            active_resource.reset(token)
        if self.processor.exhausted:
            self.close()
            return pages, True
        return pages, False

    def close(self) -> None:
        close = getattr(self.iterator, "close", None)
        if close is not None:
            close()


class _FutureSource(_Source):
    """A source stepped off this thread: one step in flight at a time."""

    concurrent = True

    def __init__(self, resource: DltResource, processor: ItemProcessor, workers: Workers,
                 context: contextvars.Context) -> None:
        super().__init__(resource, processor)
        self.workers = workers
        self.context = context
        self.future = self._next()

    def _next(self) -> Future[Any]:
        raise NotImplementedError

    def step(self) -> tuple[list[Any], bool]:
        future = self.future
        if future is None or not future.done():
            return [], False
        with extraction_errors(self.resource):
            item = future.result()
            if item is _DONE:
                self.future = None
                return [], True
            pages = self.processor.process(item)
        if self.processor.exhausted:
            self.future = None
            self.close()
            return pages, True
        self.future = self._next()
        return pages, False


class _ThreadSource(_FutureSource):
    def __init__(self, resource: DltResource, processor: ItemProcessor, workers: Workers,
                 context: contextvars.Context, iterator: Iterator[Any]) -> None:
        self.iterator = iterator
        super().__init__(resource, processor, workers, context)

    def _next(self) -> Future[Any]:
        return self.workers.submit(self.context, next, self.iterator, _DONE)

    def close(self) -> None:
        if self.future is not None:
            with contextlib.suppress(Exception):
                self.future.result(timeout=10)
            self.future = None
        with contextlib.suppress(Exception):
            self.iterator.close()  # type: ignore[attr-defined]


class _AsyncSource(_FutureSource):
    def __init__(self, resource: DltResource, processor: ItemProcessor, workers: Workers,
                 context: contextvars.Context, agen: Any) -> None:
        self.agen = agen
        super().__init__(resource, processor, workers, context)

    def _next(self) -> Future[Any]:
        return self.workers.submit_awaitable(self.context, _anext(self.agen))

    def close(self) -> None:
        if self.future is not None:
            with contextlib.suppress(Exception):
                self.future.result(timeout=10)
            self.future = None
        with contextlib.suppress(Exception):
            self.workers.submit_awaitable(self.context, self.agen.aclose()).result(timeout=10)


def _context_for(resource: DltResource) -> contextvars.Context:
    """A copy of this context in which `resource` is the active resource."""
    context = contextvars.copy_context()
    context.run(active_resource.set, resource.name)
    return context


def _lazy_items(resource: DltResource, whole_lists: bool) -> Iterator[Any]:
    # called (and so the resource's function too) in the worker thread on the first step
    yield from _iterate_result(resource._call(), whole_lists)


def _raw_list(resource: DltResource, data: Any) -> list[Any]:
    return list(_iterate_result(resource._call(data)))


async def _anext(agen: Any) -> Any:
    try:
        return await agen.__anext__()
    except StopAsyncIteration:
        return _DONE


async def _drain(agen: Any) -> list[Any]:
    return [item async for item in agen]
