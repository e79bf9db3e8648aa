"""A schema's `default_hints` setting: column-name patterns that give new columns a hint, as
in dlt 1.31 (`schema.settings["default_hints"] = {"not_null": ["id", "re:^created_"]}` or
`schema.merge_hints(...)`). A pattern is a column name, or a regex after `re:`."""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

DEFAULT_HINTS: dict[str, list[str]] = {
    "not_null": ["_dlt_id", "_dlt_root_id", "_dlt_parent_id", "_dlt_list_idx", "_dlt_load_id"],
    "parent_key": ["_dlt_parent_id"],
    "root_key": ["_dlt_root_id"],
    "unique": ["_dlt_id"],
    "row_key": ["_dlt_id"],
}
"""dlt 1.31's defaults: its own columns (which this dlt also hints where it creates them)."""

HINT_NAMES = ("not_null", "primary_key", "merge_key", "unique", "partition", "cluster", "sort",
              "root_key", "parent_key", "row_key", "hard_delete", "dedup_sort", "incremental")


def default_hints() -> dict[str, list[str]]:
    """A new schema's `default_hints` (a copy of `DEFAULT_HINTS`)."""
    return copy.deepcopy(DEFAULT_HINTS)


def check_hints(hints: Any) -> None:
    """Raise `ValueError` naming what is wrong with a `default_hints` mapping."""
    if not isinstance(hints, dict):
        raise ValueError(f"default_hints must map hint names to lists of patterns, got {hints!r:.80}")
    for hint, patterns in hints.items():
        if hint not in HINT_NAMES:
            raise ValueError(f"default_hints: '{hint}' is not a column hint; use one of {', '.join(HINT_NAMES)}")
        if not isinstance(patterns, (list, tuple)) or not all(isinstance(p, str) for p in patterns):
            raise ValueError(f"default_hints['{hint}'] must be a list of column names or 're:' patterns")
        for pattern in patterns:
            if pattern.startswith("re:"):
                try:
                    re.compile(pattern[3:])
                except re.error as exc:
                    raise ValueError(f"default_hints['{hint}']: {pattern!r} is not a regex: {exc}") from None


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern[3:] if pattern.startswith("re:") else f"^{re.escape(pattern)}$")


def hints_for_column(hints: dict[str, list[str]] | None, column: str) -> dict[str, Any]:
    """The column properties `hints` give a new column named `column`: `not_null` makes it
    `nullable: False`, the other hints set themselves to True."""
    found: dict[str, Any] = {}
    for hint, patterns in (hints or {}).items():
        if any(_compiled(pattern).search(column) for pattern in patterns):
            if hint == "not_null":
                found["nullable"] = False
            else:
                found[hint] = True
    return found
