"""`dlt.secrets` and `dlt.config`: dictionary-like access to configuration values.

`dlt.config[...]` reads every provider; `dlt.secrets[...]` reads only providers that may hold
secrets (never `config.toml`). Assigning writes into the project's `config.toml` /
`secrets.toml` provider in memory, below environment variables, as dlt 1.31 does.
"""

from __future__ import annotations

from typing import Any

from dlt.configuration.exceptions import ConfigFieldMissingException
from dlt.configuration.resolve import (
    CONFIG_VALUE,
    SECRET_VALUE,
    coerce_config_value,
    get_resolver,
)
from dlt.configuration.providers import EnvironProvider, InCodeProvider


class _Accessor:
    """What `dlt.config` and `dlt.secrets` are."""

    def __init__(self, secret: bool) -> None:
        self._secret = secret

    @property
    def value(self) -> Any:
        """Use as an argument default: the argument is injected from configuration."""
        return SECRET_VALUE if self._secret else CONFIG_VALUE

    @staticmethod
    def _path(key: str) -> tuple[str, ...]:
        return tuple(part for part in key.split(".") if part)

    def _find(self, key: str, expected_type: Any) -> tuple[bool, Any, list[Any]]:
        found, traces = get_resolver().find([self._path(key)], secret=self._secret, pipeline_name=None)
        if found is None:
            return False, None, traces
        value, provider, _path = found
        if self._secret:
            from dlt.configuration.redaction import remember_secret

            remember_secret(value)
        return True, coerce_config_value(value, expected_type, key,
                                         isinstance(provider, EnvironProvider)), traces

    def get(self, field: str, expected_type: Any = None) -> Any:
        """The value at the dotted key `field` (converted to `expected_type` when given),
        or None when no provider has it."""
        ok, value, _ = self._find(field, expected_type if expected_type is not None else Any)
        return value if ok else None

    def __getitem__(self, field: str) -> Any:
        ok, value, traces = self._find(field, Any)
        if not ok:
            raise ConfigFieldMissingException("BaseConfiguration", {field: traces})
        return value

    def __setitem__(self, field: str, value: Any) -> None:
        get_resolver().writable(self._secret).set_value(self._path(field), value)

    def __contains__(self, field: str) -> bool:
        return self._find(field, Any)[0]

    @staticmethod
    def register_provider(provider: Any) -> None:
        """Add `provider` (e.g. a `CustomLoaderDocProvider`) to the lookup, after all the
        others, as dlt 1.31's `dlt.config.register_provider` does."""
        get_resolver().register(provider)

    @property
    def config_providers(self) -> list[Any]:
        """The providers this accessor reads, in lookup order (empty ones left out)."""
        providers = [p for p in get_resolver().providers()
                     if not isinstance(p, InCodeProvider) or not p.is_empty]
        if self._secret:
            return [p for p in providers if getattr(p, "is_secret_store", True)]
        return providers

    def __repr__(self) -> str:
        names = ", ".join(getattr(p, "name", type(p).__name__) for p in self.config_providers)
        return f"<{'dlt.secrets' if self._secret else 'dlt.config'} reading {names}>"


secrets = _Accessor(secret=True)
config = _Accessor(secret=False)
