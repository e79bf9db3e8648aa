"""Small helpers over nested dicts and iterables that scripts written for dlt 1.31 import from
`dlt.common.utils`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")


def chunks(iterable: Iterable[T], n: int) -> Iterator[list[T]]:
    """Lists of `n` consecutive items of `iterable` (the last may be shorter)."""
    if n < 1:
        raise ValueError(f"chunks() needs a chunk size of at least 1, got {n}")
    items = iter(iterable)
    while chunk := list(islice(items, n)):
        yield chunk


def update_dict_nested(dst: dict[Any, Any], src: dict[Any, Any], copy_src_dicts: bool = False) -> dict[Any, Any]:
    """Merge `src` into `dst` key by key and return `dst`: dicts found under the same key in both
    are merged the same way, any other value of `src` replaces the one in `dst` (lists are not
    merged). With `copy_src_dicts`, dicts taken over from `src` are copied, not shared."""
    for key, value in src.items():
        current = dst.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            update_dict_nested(current, value, copy_src_dicts)
        elif isinstance(value, dict) and copy_src_dicts:
            dst[key] = update_dict_nested({}, value, True)
        else:
            dst[key] = value
    return dst
