"""The extracted item files of a package: pickled pages of items, the key sidecars of merge
tables, and Arrow IPC files of Arrow data.

Extract appends each page (a list of items) to a table's item file with `pickle`; for a root
table with the merge disposition it appends the primary key values of the same page to a
sidecar file, so normalize finds the last item of every key without unpickling the items twice.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ARROW_ITEM_SUFFIX = ".arrow"
"""The suffix of extracted Arrow item files (Arrow IPC files)."""

KEYS_SUFFIX = ".keys"
"""Suffix of an item file's key sidecar: `<table>.<index>.pkl.keys`."""


def keys_file_of(item_file: Path) -> Path:
    """The key sidecar of an item file."""
    return item_file.with_name(item_file.name + KEYS_SUFFIX)


def is_keys_file(path: Path) -> bool:
    """True for a key sidecar (not an item file)."""
    return path.name.endswith(KEYS_SUFFIX)


def append_pickled(file: Any, value: Any) -> None:
    """Append one pickled value (a page, or a page's keys) to an open file."""
    pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)


def read_pickled_pages(path: Path) -> Iterator[Any]:
    """The values appended one after another into an item file or a key sidecar. A file that
    is cut short or garbled raises `CorruptedFileError` naming it (never a silent loss of the
    pages after the damage)."""
    size = path.stat().st_size
    with open(path, "rb") as file:
        while True:
            start = file.tell()
            try:
                value = pickle.load(file)
            except EOFError:
                if start >= size:
                    return
                _corrupted(path, f"it is cut short after {start} of {size} bytes")
            except (pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError,
                    MemoryError) as exc:
                _corrupted(path, f"it cannot be unpickled at byte {start} ({exc})")
            yield value


def _corrupted(path: Path, problem: str) -> None:
    from dlt.storage.exceptions import CorruptedFileError, package_file_advice

    raise CorruptedFileError(path, problem, package_file_advice(path))
