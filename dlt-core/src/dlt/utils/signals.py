"""Graceful stop on SIGINT/SIGTERM: the first signal stops a run at the next safe point.

Safe points: between pages in extract (what was extracted is kept as a pending package),
between packages in normalize, between jobs in load (the package's transaction is rolled back
and the package stays pending). A second signal stops at once.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dlt.utils.exceptions import DltException


class StopRequested(DltException):
    """A SIGINT or SIGTERM asked the run to stop; pending packages finish on the next run."""

    def __init__(self, signal_number: int) -> None:
        self.signal_number = signal_number
        name = signal.Signals(signal_number).name
        super().__init__(
            f"Stopped by {name} at a safe point. Work done so far is kept as pending load"
            " packages; run the pipeline again to finish them."
        )


_received: int | None = None


def raise_if_signalled() -> None:
    """Raise `StopRequested` when a stop signal arrived (call at safe points)."""
    if _received is not None:
        raise StopRequested(_received)


def _handler(signal_number: int, frame: Any) -> None:
    global _received
    if _received is not None:
        # the second signal: stop at once
        signal.signal(signal_number, signal.SIG_DFL)
        if signal_number == signal.SIGINT:
            raise KeyboardInterrupt
        signal.raise_signal(signal_number)
        return
    _received = signal_number


@contextmanager
def delayed_signals() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into a stop request for the duration of a run (main thread only)."""
    global _received
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    _received = None
    for sig in previous:
        signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _received = None


def sleep(seconds: float) -> None:
    """Sleep for `seconds`, waking at once with `StopRequested` when a stop signal arrives during
    a run (a resource that waits between API calls stops promptly)."""
    deadline = time.monotonic() + max(0.0, seconds)
    while True:
        raise_if_signalled()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.1))
