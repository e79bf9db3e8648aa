"""Give memory that a finished step freed back to the operating system."""

from __future__ import annotations

import ctypes
import gc
import sys


def release_freed_memory() -> None:
    """Collect garbage, return Arrow's unused pool memory and trim the C heap (glibc only).

    A step frees most of what it allocated, but allocators keep freed pages for reuse; the
    next step (DuckDB's load) then starts from a higher resident size than it needs to.
    """
    # the young generations hold what the step just dropped; a full collection would also
    # walk every object the program keeps (a script's data built in memory: tenths of seconds)
    gc.collect(1)
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except Exception:  # noqa: BLE001 - best effort, never fails a pipeline
        pass
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass
