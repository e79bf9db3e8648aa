"""Small helpers over nested dicts and iterables that scripts written for dlt 1.31 import from
`dlt.common.utils`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
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


def without_none(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    """A new dict of `mapping`'s items whose value is not None."""
    return {key: value for key, value in mapping.items() if value is not None}


def flatten_list_or_items(items: Iterable[Any]) -> Iterator[Any]:
    """The items of `items`, with each list among them replaced by its own items (one level)."""
    for item in items:
        if isinstance(item, list):
            yield from item
        else:
            yield item


def map_nested_in_place(function: Callable[..., Any], nested: Any, *args: Any, **kwargs: Any) -> Any:
    """Replace every leaf value of nested dicts and lists by `function(value, *args, **kwargs)`,
    in place, and return the container. Tuples become lists (named tuples dicts); anything
    else at the top raises `ValueError`."""
    if isinstance(nested, tuple):
        nested = nested._asdict() if hasattr(nested, "_asdict") else list(nested)
    if isinstance(nested, dict):
        keys: Iterable[Any] = list(nested)
    elif isinstance(nested, list):
        keys = range(len(nested))
    else:
        raise ValueError(f"map_nested_in_place() needs a dict, list or tuple, got {type(nested).__name__}.")
    for key in keys:
        value = nested[key]
        if isinstance(value, (dict, list, tuple)):
            nested[key] = map_nested_in_place(function, value, *args, **kwargs)
        else:
            nested[key] = function(value, *args, **kwargs)
    return nested


@contextmanager
def custom_environ(env: Mapping[str, str]) -> Iterator[None]:
    """Set the environment variables of `env` inside the `with` block; afterwards each is put
    back as it was (removed when it was not set)."""
    before = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
