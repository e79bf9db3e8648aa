"""Naming conventions: how keys in data become table and column names.

The built-ins produce the identifiers dlt 1.31 produces:

- `snake_case` (default): `CustomerID` -> `customer_id`, `price+tax` -> `pricextax`,
  `2fa` -> `_2fa`, a trailing `_` -> `x`; only ASCII letters, digits and `_` survive.
- `duck_case`: case sensitive, keeps every character except new lines and `"`.
- `direct`: keeps names as they are (only new lines and quotes become `_`) and joins nested
  names with `▶` instead of `__`.
- `sql_cs_v1`: case sensitive SQL-safe names (`Nested__Inner_Key`); `sql_ci_v1` lowercases them.

A key of a data item is normalized as a path: `a__b` stays two parts (`a__b`), each part
normalized on its own. Identifiers longer than the destination allows are shortened with a
stable tag in the middle, the same tag dlt computes. Other conventions come from plugins through
the `register_naming_conventions` hook and are selected with `schema.naming` in configuration.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import ClassVar

_COLLISION_PROBABILITY = 0.001
# bytes of shake_128 digest that keep collisions below the probability above (base64 is
# used case-insensitively, hence the 3 bits per character)
_TAG_BYTES = int(((2 + 1) * math.log2(1 / _COLLISION_PROBABILITY) // 8) + 1)
_TAG_ALPHABET = bytes.maketrans(b"/+", b"ab")

_UNDERSCORES = re.compile("__+")
_LEADING_DIGITS = re.compile(r"^\d+")
_TRAILING_UNDERSCORES = re.compile(r"_+$")
_NOT_SQL_SAFE = re.compile(r"[^a-zA-Z\d_]+")
_CAMEL_BREAK_1 = re.compile("([^_])([A-Z][a-z]+)")
_CAMEL_BREAK_2 = re.compile("([a-z0-9])([A-Z])")
_SNAKE_SYMBOLS = str.maketrans("+-*@|", "x_xal")


class NamingError(ValueError):
    """An identifier cannot be normalized (it is empty or None)."""


def stable_hash(text: str, length: int = 6) -> str:
    """A short hex digest of `text`, the same on every run and machine."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


@lru_cache(maxsize=4096)
def identifier_tag(identifier: str) -> str:
    """The short tag that keeps a shortened identifier unique (computed from the original)."""
    digest = hashlib.shake_128(identifier.encode("utf-8")).digest(_TAG_BYTES)
    return base64.b64encode(digest).rstrip(b"=").translate(_TAG_ALPHABET).lower().decode("ascii")


def shorten_identifier(normalized: str, identifier: str, max_length: int | None) -> str:
    """Cut `normalized` to `max_length` characters, putting the tag of `identifier` in the middle."""
    if not max_length or len(normalized) <= max_length:
        return normalized
    tag = identifier_tag(identifier)
    remaining = max_length - len(tag)
    head = remaining // 2 + remaining % 2
    tail = remaining // 2
    return normalized[:head] + tag + (normalized[len(normalized) - tail:] if tail else "")


def shorten(identifier: str, max_length: int | None) -> str:
    """Shorten an already normalized identifier to `max_length` with a stable tag."""
    return shorten_identifier(identifier, identifier, max_length)


def shorten_to_bytes(identifier: str, max_bytes: int | None) -> str:
    """Shorten an identifier so its UTF-8 form fits `max_bytes` (databases such as Redshift and
    PostgreSQL limit identifiers in bytes, not characters), with the same stable tag."""
    if not max_bytes or len(identifier.encode("utf-8")) <= max_bytes:
        return identifier
    length = max_bytes
    shortened = shorten_identifier(identifier, identifier, length)
    while len(shortened.encode("utf-8")) > max_bytes and length > 1:
        length -= 1
        shortened = shorten_identifier(identifier, identifier, length)
    return shortened


class NamingConvention:
    """Base of naming conventions: strips identifiers and joins nested names with `path_separator`.

    Subclasses implement `_normalize(identifier)` for one stripped, non-empty identifier;
    everything else (paths, tables, shortening) is shared.
    """

    name: ClassVar[str] = "base"
    path_separator: ClassVar[str] = "__"
    is_case_sensitive: ClassVar[bool] = True

    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length

    @property
    def PATH_SEPARATOR(self) -> str:  # noqa: N802 - the attribute name dlt 1.31 users read
        """The separator of nested names (`__`, or `▶` for `direct`)."""
        return self.path_separator

    def _normalize(self, identifier: str) -> str:
        return identifier

    def normalize_identifier(self, identifier: str) -> str:
        """Normalize and shorten one identifier (a key of a dict, a table name)."""
        if identifier is None:
            raise NamingError("An identifier is None; tables and columns need a name.")
        stripped = identifier.strip()
        if not stripped:
            raise NamingError(f"The identifier {identifier!r} is empty; tables and columns need a name.")
        return shorten_identifier(self._normalize(stripped), stripped, self.max_length)

    def normalize_table_identifier(self, identifier: str) -> str:
        """Normalize a table, dataset or schema name (the same rules as for columns)."""
        return self.normalize_identifier(identifier)

    def make_path(self, *identifiers: str) -> str:
        """Join normalized identifiers into a nested name (`parent__child`), not shortened."""
        return self.path_separator.join(part for part in identifiers if part and part.strip())

    def break_path(self, path: str) -> Sequence[str]:
        """Split a nested name into its identifiers."""
        return [part for part in path.split(self.path_separator) if part.strip()]

    def normalize_path(self, path: str) -> str:
        """Normalize every identifier of a nested name and shorten the result."""
        parts = [self.normalize_identifier(part) for part in self.break_path(path)]
        return shorten_identifier(self.make_path(*parts), path, self.max_length)

    def normalize_tables_path(self, path: str) -> str:
        """Normalize every table identifier of a nested table name and shorten the result."""
        parts = [self.normalize_table_identifier(part) for part in self.break_path(path)]
        return shorten_identifier(self.make_path(*parts), path, self.max_length)

    def shorten_fragments(self, *identifiers: str) -> str:
        """Join normalized identifiers into a nested name and shorten it."""
        path = self.make_path(*identifiers)
        return shorten_identifier(path, path, self.max_length)

    def __str__(self) -> str:
        text = f"{self.name}_{'cs' if self.is_case_sensitive else 'ci'}"
        return f"{text}_{self.max_length}" if self.max_length else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_length={self.max_length})"


class SnakeCaseNamingConvention(NamingConvention):
    """The default: lower case snake case over ASCII letters, digits and `_`.

    `CustomerID` -> `customer_id`, `price+tax` -> `pricextax`, `e-mail` -> `e_mail`,
    `2fa` -> `_2fa`, `name_` -> `namex`; runs of `_` become one.
    """

    name = "snake_case"
    is_case_sensitive = False

    def _normalize(self, identifier: str) -> str:
        return _snake_case(identifier)


@lru_cache(maxsize=65536)
def _snake_case(identifier: str) -> str:
    text = _NOT_SQL_SAFE.sub("_", identifier.translate(_SNAKE_SYMBOLS))
    text = _CAMEL_BREAK_1.sub(r"\1_\2", text)
    text = _CAMEL_BREAK_2.sub(r"\1_\2", text).lower()
    if _LEADING_DIGITS.match(text):
        text = "_" + text
    stripped = text.rstrip("_")
    text = stripped + "x" * (len(text) - len(stripped))
    return _UNDERSCORES.sub("_", text)


class DuckCaseNamingConvention(SnakeCaseNamingConvention):
    """Case sensitive, keeps every character except new lines and `"`; runs of `_` become one."""

    name = "duck_case"
    is_case_sensitive = True
    _CLEANUP: ClassVar[dict[int, str]] = str.maketrans('\n\r"', "___")

    def _normalize(self, identifier: str) -> str:
        return _UNDERSCORES.sub("_", identifier.translate(self._CLEANUP))


class DirectNamingConvention(NamingConvention):
    """Names as they are: only new lines, quotes and `▶` become `_`; nested names join with `▶`."""

    name = "direct"
    path_separator = "▶"
    is_case_sensitive = True
    _CLEANUP: ClassVar[dict[int, str]] = str.maketrans("\n\r'\"▶", "_____")

    def _normalize(self, identifier: str) -> str:
        return identifier.translate(self._CLEANUP)


class SqlCsNamingConvention(NamingConvention):
    """Case sensitive SQL-safe names: non-alphanumerics become `_`, a leading digit gets `_`,
    trailing `_` are removed and runs of `_` become one (`Nested__Inner_Key`)."""

    name = "sql_cs_v1"
    is_case_sensitive = True

    def _normalize(self, identifier: str) -> str:
        text = _NOT_SQL_SAFE.sub("_", identifier)
        if _LEADING_DIGITS.match(text):
            text = "_" + text
        if text != "_":
            text = _TRAILING_UNDERSCORES.sub("", text)
        return _UNDERSCORES.sub("_", text)


class SqlCiNamingConvention(SqlCsNamingConvention):
    """`sql_cs_v1` in lower case (`UserName` -> `username`)."""

    name = "sql_ci_v1"
    is_case_sensitive = False

    def normalize_identifier(self, identifier: str) -> str:
        """Normalize and shorten one identifier, then lower case it."""
        return super().normalize_identifier(identifier).lower()


BUILTIN_NAMING_CONVENTIONS: dict[str, type[NamingConvention]] = {
    convention.name: convention
    for convention in (SnakeCaseNamingConvention, DuckCaseNamingConvention, DirectNamingConvention,
                       SqlCsNamingConvention, SqlCiNamingConvention)
}


class UnknownNamingConvention(NamingError):
    """No built-in or plugin naming convention has the requested name."""


def naming_convention_class(name: str | None = None) -> type[NamingConvention]:
    """The class of the naming convention called `name` (default `snake_case`).

    Built-ins are looked up first, then conventions registered by plugins; a dotted name
    `package.module` or `package.module:Class` is imported, as dlt allows. An unknown name is
    an error listing the known ones.
    """
    if not name:
        return SnakeCaseNamingConvention
    builtin = BUILTIN_NAMING_CONVENTIONS.get(name)
    if builtin is not None:
        return builtin
    from dlt.plugins import get_plugin_manager
    from dlt.plugins.errors import UnknownProvisionError

    manager = get_plugin_manager()
    try:
        return manager.resolve("naming_convention", name)
    except UnknownProvisionError as plugin_error:
        imported = _import_convention(name)
        if imported is not None:
            return imported
        known = sorted(set(BUILTIN_NAMING_CONVENTIONS) | set(_plugin_convention_names(manager)))
        raise UnknownNamingConvention(
            f"Naming convention '{name}' is neither built in nor registered by a plugin. Set"
            f" schema.naming (env SCHEMA__NAMING) to one of: {', '.join(known)}, or install the"
            " plugin that registers it."
        ) from plugin_error


def _plugin_convention_names(manager: object) -> list[str]:
    names = getattr(manager, "names", None)
    return list(names("naming_convention")) if callable(names) else []


def _import_convention(name: str) -> type[NamingConvention] | None:
    """A convention given as `module` (with a `NamingConvention` class) or `module:Class`."""
    if "." not in name and ":" not in name:
        return None
    import importlib

    module_name, _, class_name = name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    found = getattr(module, class_name or "NamingConvention", None)
    return found if isinstance(found, type) else None


def get_naming_convention(name: str | None = None, max_length: int | None = None) -> NamingConvention:
    """An instance of the naming convention called `name` with identifiers up to `max_length`."""
    return naming_convention_class(name)(max_length)
