"""Optional libraries of dlt-core, imported when a feature needs them."""

from __future__ import annotations

from types import ModuleType

PANDAS_EXTRA = "dlt-core[pandas]"
"""The extra of dlt-core that installs pandas (and numpy) for DataFrame reads and loads."""


def require_pandas(caller: str) -> ModuleType:
    """Import pandas for `caller` (e.g. "cursor.df()"), or raise `MissingDependencyException`
    (an `ImportError`) saying to `pip install "dlt-core[pandas]"`."""
    try:
        import pandas
    except ModuleNotFoundError as exc:
        if exc.name not in ("pandas", "numpy"):
            raise
        from dlt.utils.exceptions import MissingDependencyException

        raise MissingDependencyException(
            caller, [PANDAS_EXTRA],
            f"It reads results as pandas DataFrames, which needs pandas and numpy ({exc.name} is"
            " missing); .arrow() and .fetchall() work without them.",
        ) from exc
    return pandas
