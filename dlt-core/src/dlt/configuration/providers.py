"""Configuration providers: where configuration and secret values are looked up.

Order (first hit wins): environment variables, `.dlt/secrets.toml`, `.dlt/config.toml` (in the
current working directory, then `~/.dlt/`), providers registered by plugins, values set in code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Protocol

from dlt.utils.exceptions import DltException

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib


class ConfigFileError(DltException):
    """A `.dlt/*.toml` file cannot be parsed."""


class ConfigProvider(Protocol):
    """What a config provider implements (plugins register these)."""

    name: str
    is_secret_store: bool

    def get_value(self, path: tuple[str, ...]) -> Any:
        """The value at `path` (e.g. `("sources", "github", "api_key")`) or None."""


MISSING = object()


class EnvironProvider:
    """Environment variables: `SOURCES__GITHUB__API_KEY` for `sources.github.api_key`."""

    name = "Environment Variables"
    is_secret_store = True

    def key_for(self, path: tuple[str, ...]) -> str:
        """The environment variable name for `path`."""
        return "__".join(part.upper() for part in path)

    def get_value(self, path: tuple[str, ...]) -> Any:
        """The raw string of the variable, or None (an empty variable counts as unset, since CI
        systems pass unset secrets as empty strings)."""
        value = os.environ.get(self.key_for(path))
        return None if value == "" else value


class TomlProvider:
    """A TOML file; tables nest by section, so `[sources.github] api_key = "..."`."""

    def __init__(self, path: Path, is_secret_store: bool) -> None:
        self.path = path
        self.is_secret_store = is_secret_store
        #: the provider name as dlt 1.31 shows it in lookup traces (`secrets.toml`, `config.toml`)
        self.name = path.name
        self._data: dict[str, Any] | None = None
        self._mtime: float | None = None
        self._in_code: dict[tuple[str, ...], Any] = {}

    def _load(self) -> dict[str, Any]:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            self._data, self._mtime = {}, None
            return self._data
        if self._data is None or mtime != self._mtime:
            try:
                self._data = tomllib.loads(self.path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigFileError(
                    f"The config file {self.path} is not valid TOML: {exc}. Fix that line and run again."
                ) from None
            self._mtime = mtime
        return self._data

    def set_value(self, path: tuple[str, ...], value: Any) -> None:
        """Write `value` at `path` in memory (the file is not changed); wins over the file."""
        self._in_code[path] = value

    def get_value(self, path: tuple[str, ...]) -> Any:
        """The value at `path` (values set in code first, then the file), or None."""
        for length in range(len(path), 0, -1):
            if path[:length] in self._in_code:
                node: Any = self._in_code[path[:length]]
                for part in path[length:]:
                    if not isinstance(node, dict) or part not in node:
                        return None
                    node = node[part]
                return node
        node = self._load()
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node


class InCodeProvider:
    """Values assigned in code: `dlt.secrets["sources.github.api_key"] = "..."`."""

    name = "values set in code"
    is_secret_store = True

    def __init__(self) -> None:
        self.values: dict[tuple[str, ...], Any] = {}

    def get_value(self, path: tuple[str, ...]) -> Any:
        """The value set for `path`, or None."""
        return self.values.get(path)


def default_file_providers() -> list[TomlProvider]:
    """secrets.toml and config.toml in `./.dlt`, then in `~/.dlt`."""
    providers: list[TomlProvider] = []
    project_dir = Path(os.environ.get("DLT_PROJECT_DIR", os.getcwd())) / ".dlt"
    global_dir = Path(os.environ.get("DLT_GLOBAL_DIR", Path.home() / ".dlt"))
    for directory in (project_dir, global_dir):
        providers.append(TomlProvider(directory / "secrets.toml", True))
        providers.append(TomlProvider(directory / "config.toml", False))
    return providers
