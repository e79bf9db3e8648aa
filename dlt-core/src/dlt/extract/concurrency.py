"""The workers of one evaluation: a thread pool for `parallelized` resources and an asyncio
event loop (in its own thread) for async generators, async transformers and awaitables.

Both hand back `concurrent.futures.Future`s, so the evaluation waits on them the same way.
Work runs in a copy of the caller's context, so `dlt.current` state is visible inside it.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

DEFAULT_WORKERS = 5
"""Threads for parallelized resources, as dlt's `extract.workers` default."""


class Workers:
    """Lazily started thread pool and event loop; `close()` stops both."""

    def __init__(self, max_workers: int = DEFAULT_WORKERS) -> None:
        self.max_workers = max_workers
        self._pool: ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None

    def submit(self, context: contextvars.Context, function: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run `function(*args)` in the thread pool, inside `context`."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="dlt-extract")
        return self._pool.submit(context.run, function, *args)

    def submit_awaitable(self, context: contextvars.Context, awaitable: Awaitable[Any]) -> Future[Any]:
        """Run `awaitable` on the event loop as a task made inside `context`."""
        loop = self._event_loop()
        result: Future[Any] = Future()

        def start() -> None:
            task = context.run(asyncio.ensure_future, awaitable, loop=loop)
            task.add_done_callback(lambda done: _copy_outcome(done, result))

        loop.call_soon_threadsafe(start)
        return result

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="dlt-extract-async", daemon=True)
            thread.start()
            self._loop, self._loop_thread = loop, thread
        return self._loop

    def close(self) -> None:
        """Stop the event loop (cancelling what still runs) and the thread pool."""
        if self._loop is not None:
            loop = self._loop
            asyncio.run_coroutine_threadsafe(_cancel_all(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            if self._loop_thread is not None:
                self._loop_thread.join(timeout=10)
            loop.close()
            self._loop = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _copy_outcome(task: asyncio.Future[Any], result: Future[Any]) -> None:
    if task.cancelled():
        result.cancel()
    elif task.exception() is not None:
        result.set_exception(task.exception())
    else:
        result.set_result(task.result())


async def _cancel_all() -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.get_running_loop().shutdown_asyncgens()
