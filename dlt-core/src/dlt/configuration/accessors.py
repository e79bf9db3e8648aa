"""`dlt.secrets` and `dlt.config`: dictionary-like access to configuration values."""

from __future__ import annotations

from typing import Any

from dlt.configuration.resolve import CONFIG_VALUE, SECRET_VALUE, get_resolver


class _Accessor:
    def __init__(self, secret: bool) -> None:
        self._secret = secret

    @property
    def value(self) -> Any:
        """Use as an argument default: the argument is injected from configuration."""
        return SECRET_VALUE if self._secret else CONFIG_VALUE

    def _path(self, key: str) -> tuple[str, ...]:
        return tuple(part for part in key.split(".") if part)

    def get(self, key: str, default: Any = None) -> Any:
        """The value at the dotted `key`, or `default`."""
        found = get_resolver().lookup([self._path(key)])
        return default if found is None else found[0]

    def __getitem__(self, key: str) -> Any:
        found = get_resolver().lookup([self._path(key)])
        if found is None:
            name = "secret" if self._secret else "config value"
            raise KeyError(f"No {name} '{key}' in any provider.")
        return found[0]

    def __setitem__(self, key: str, value: Any) -> None:
        get_resolver().in_code.values[self._path(key)] = value

    def __contains__(self, key: str) -> bool:
        return get_resolver().lookup([self._path(key)]) is not None

    def __repr__(self) -> str:
        return "dlt.secrets" if self._secret else "dlt.config"


secrets = _Accessor(secret=True)
config = _Accessor(secret=False)
