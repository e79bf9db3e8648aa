"""Import paths that dlt 1.31 users write (`dlt.common.*`): thin re-exports only.

Every module under `dlt.common` re-exports names of our one implementation and says in its
docstring where the real code lives. Our own shared building blocks are in `dlt.utils`.

`from dlt.common import pendulum, json, logger, Decimal, sleep` work as in 1.31; they are
loaded on first use, so `import dlt` does not load pendulum.
"""

from typing import Any

_LAZY = {
    "pendulum": ("dlt.common.pendulum", "pendulum"),
    "json": ("dlt.utils.json_codec", None),
    "logger": ("dlt.common.logger", None),
    "Decimal": ("decimal", "Decimal"),
    "sleep": ("dlt.utils.signals", "sleep"),
}


def __getattr__(name: str) -> Any:
    """Load `pendulum`, `json`, `logger`, `Decimal` and `sleep` when a script first asks."""
    if name not in _LAZY:
        raise AttributeError(f"module 'dlt.common' has no attribute '{name}'")
    import importlib

    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


__all__ = ["Decimal", "json", "logger", "pendulum", "sleep"]
