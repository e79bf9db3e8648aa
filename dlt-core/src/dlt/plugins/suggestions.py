"""'Did you mean ...?' for a misspelled destination or source name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest_name(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` was most likely meant to be: the same name in another case
    (`DuckDB` -> `duckdb`), else the closest spelling (`duckb` -> `duckdb`); None when no
    candidate is close."""
    options = sorted(set(candidates))
    folded = {option.lower(): option for option in options}
    if name.lower() in folded and folded[name.lower()] != name:
        return folded[name.lower()]
    matches = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.75)
    return folded[matches[0]] if matches else None
