"""JSON paths over response bodies: plain dotted keys fast, anything else through `jsonpath-ng`."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Union

TJsonPath = Union[str, Any]
_SIMPLE = re.compile(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*")


@lru_cache(maxsize=256)
def _compiled(path: str) -> Any:
    from jsonpath_ng.ext import parse

    return parse(path)


def find_values(path: TJsonPath, data: Any) -> list[Any]:
    """Every value that `path` (a dotted key path or a JSONPath expression) selects in `data`."""
    if isinstance(path, str) and _SIMPLE.fullmatch(path):
        value = data
        for key in path.split("."):
            if isinstance(value, dict) and key in value:
                value = value[key]
            else:
                return []
        return [value]
    expression = _compiled(path) if isinstance(path, str) else path
    return [match.value for match in expression.find(data)]


def find_first(path: TJsonPath, data: Any) -> Any:
    """The first value `path` selects in `data`, or None."""
    values = find_values(path, data)
    return values[0] if values else None


def set_value(path: str, data: dict[str, Any], value: Any) -> None:
    """Set `value` at the dotted key `path` in `data`, creating the dicts on the way."""
    keys = path.split(".")
    target = data
    for key in keys[:-1]:
        nested = target.get(key)
        if not isinstance(nested, dict):
            nested = target[key] = {}
        target = nested
    target[keys[-1]] = value
