"""Evaluation of a set of resources: each parent runs once and feeds all its transformers."""

from __future__ import annotations

import contextvars
import queue
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from dlt.extract.resource import DltResource


def evaluate(
    resources: list[DltResource], next_item_mode: str = "round_robin"
) -> Iterator[tuple[DltResource, Any]]:
    """Yield `(resource, page)` for every selected resource in `resources`.

    Resources without a parent are advanced one page at a time in turn (`round_robin`) or one
    after the other (`fifo`). A page of a parent is handed to each of its transformers right
    away, depth first, so a parent is evaluated once however many transformers it feeds.
    """
    by_name = {resource.name: resource for resource in resources}
    members = {id(resource) for resource in resources}
    needed: set[int] = set()
    children: dict[int, list[DltResource]] = defaultdict(list)
    roots: list[DltResource] = []

    def visit(resource: DltResource) -> None:
        if id(resource) in needed:
            return
        needed.add(id(resource))
        parent = resource.parent
        if parent is None:
            roots.append(resource)
            return
        shared = by_name.get(parent.name)
        node = shared if shared is not None and shared is not resource else parent
        visit(node)
        children[id(node)].append(resource)

    for resource in resources:
        if resource.selected:
            visit(resource)

    def emit(node: DltResource, page: Any) -> Iterator[tuple[DltResource, Any]]:
        if node.selected and id(node) in members:
            yield node, page
        for child in children.get(id(node), ()):
            for child_page in child.pages(page):
                yield from emit(child, child_page)

    if next_item_mode == "fifo":
        for root in roots:
            for page in (threaded_pages(root) if root.parallelized else root.pages()):
                yield from emit(root, page)
        return
    active = [(root, threaded_pages(root) if root.parallelized else root.pages()) for root in roots]
    while active:
        still_active = []
        for root, pages in active:
            try:
                page = next(pages)
            except StopIteration:
                continue
            still_active.append((root, pages))
            yield from emit(root, page)
        active = still_active


_DONE = object()


def threaded_pages(resource: DltResource, buffer_pages: int = 32) -> Iterator[Any]:
    """Evaluate a `parallelized` resource in its own thread; pages arrive through a queue.

    The thread runs in a copy of the caller's context, so `dlt.current` state works inside it.
    An exception in the thread is raised in the caller at the point it happened.
    """
    pages: queue.Queue[Any] = queue.Queue(maxsize=buffer_pages)
    stop = threading.Event()

    def produce() -> None:
        try:
            for page in resource.pages():
                while not stop.is_set():
                    try:
                        pages.put(page, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pages.put(_DONE)
        except BaseException as exc:  # handed to the consumer
            pages.put(exc)

    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(produce,), name=f"dlt-{resource.name}", daemon=True)
    thread.start()
    try:
        while True:
            page = pages.get()
            if page is _DONE:
                return
            if isinstance(page, BaseException):
                raise page
            yield page
    finally:
        stop.set()
        thread.join(timeout=5)
