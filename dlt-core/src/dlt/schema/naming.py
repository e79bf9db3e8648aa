"""Naming conventions: how keys in data become table and column names.

The default, `snake_case`, lowercases, splits CamelCase, turns anything that is not a letter,
digit or underscore into `_`, prefixes a leading digit with `_` and shortens names over the
destination's identifier limit with a stable hash suffix. Other conventions can be registered by
plugins through the `register_naming_conventions` hook.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

_CAMEL_1 = re.compile(r"([^\W_])([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_MANY_UNDERSCORES = re.compile(r"_{3,}")
_SYMBOLS = {"+": "x", "*": "x", "@": "a", "|": "l", "-": "_"}


def stable_hash(text: str, length: int = 6) -> str:
    """A short hex digest of `text`, the same on every run and machine."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def shorten(identifier: str, max_length: int | None) -> str:
    """Cut `identifier` to `max_length` (in UTF-8 bytes) keeping it unique with a hash suffix."""
    if not max_length or len(identifier.encode("utf-8")) <= max_length:
        return identifier
    suffix = "_" + stable_hash(identifier, 8)
    head = identifier
    while len((head + suffix).encode("utf-8")) > max_length:
        head = head[:-1]
    return head + suffix


class SnakeCaseNamingConvention:
    """The default naming convention: `CustomerID` -> `customer_id`, `1st place` -> `_1st_place`."""

    name = "snake_case"
    path_separator = "__"

    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length

    def normalize_identifier(self, identifier: str) -> str:
        """Normalize one identifier (a key of a dict, a table name)."""
        return shorten(_snake_case(identifier), self.max_length)

    def normalize_table_identifier(self, identifier: str) -> str:
        """Normalize a table name; identical to columns for snake_case."""
        return self.normalize_identifier(identifier)

    def make_path(self, *parts: str) -> str:
        """Join already normalized parts into a nested name: `parent__child`."""
        return shorten(self.path_separator.join(part for part in parts if part), self.max_length)


@lru_cache(maxsize=65536)
def _snake_case(identifier: str) -> str:
    text = identifier.strip()
    for symbol, replacement in _SYMBOLS.items():
        text = text.replace(symbol, replacement)
    text = _CAMEL_1.sub(r"\1_\2", text)
    text = _CAMEL_2.sub(r"\1_\2", text)
    text = _NON_WORD.sub("_", text).lower()
    # `__` separates nested paths, so longer runs of underscores collapse to one
    text = _MANY_UNDERSCORES.sub("_", text)
    if not text:
        return "_empty"
    if text[0].isdigit():
        text = "_" + text
    if text.endswith("_") and text.strip("_"):
        text = text.rstrip("_") + "x"
    return text


def get_naming_convention(name: str | None = None, max_length: int | None = None):
    """The naming convention called `name` (default `snake_case`), built-in or from a plugin."""
    if name in (None, "snake_case"):
        return SnakeCaseNamingConvention(max_length)
    from dlt.plugins import get_plugin_manager

    convention = get_plugin_manager().resolve("naming_convention", name)
    return convention(max_length)
