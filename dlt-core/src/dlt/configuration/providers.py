"""Configuration providers: where configuration and secret values are looked up.

Order (first hit wins): environment variables, `.dlt/secrets.toml`, `.dlt/config.toml` (in the
current working directory, then `~/.dlt/`), providers registered by plugins, values set in code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from collections.abc import Callable, Mapping, Sequence
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

    @property
    def supports_secrets(self) -> bool:
        """dlt 1.31's name for `is_secret_store`."""
        return self.is_secret_store

    @property
    def is_empty(self) -> bool:
        """Never: the environment is always consulted (and shown in lookup traces)."""
        return False

    def get_value(self, path: tuple[str, ...]) -> Any:
        """The raw string of the variable, or None when it is not set. An empty variable is a
        value (the empty string), as in dlt 1.31."""
        return os.environ.get(self.key_for(path))


class TomlProvider:
    """TOML files of one kind (`secrets.toml` or `config.toml`), read as one provider as dlt 1.31
    does: the project's `.dlt/` file first, then the global one. Tables nest by section, so
    `[sources.github] api_key = "..."`."""

    def __init__(self, path: Path | Sequence[Path], is_secret_store: bool) -> None:
        self.paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(p) for p in path]
        self.is_secret_store = is_secret_store
        #: the provider name as dlt 1.31 shows it in lookup traces (`secrets.toml`, `config.toml`)
        self.name = self.paths[0].name
        self._files: dict[Path, tuple[float | None, dict[str, Any]]] = {}
        self._in_code: dict[tuple[str, ...], Any] = {}

    @property
    def path(self) -> Path:
        """The project's file (the first location)."""
        return self.paths[0]

    @property
    def supports_secrets(self) -> bool:
        """dlt 1.31's name for `is_secret_store`."""
        return self.is_secret_store

    @property
    def locations(self) -> list[str]:
        """The files this provider reads, project first."""
        return [str(p) for p in self.paths]

    @property
    def is_empty(self) -> bool:
        """True when no file has content and nothing was set in code; dlt 1.31 leaves such a
        provider out of lookup traces."""
        return not self._in_code and not any(self._load(p) for p in self.paths)

    def _load(self, path: Path) -> dict[str, Any]:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            self._files.pop(path, None)
            return {}
        cached = self._files.get(path)
        if cached is None or cached[0] != mtime:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigFileError(
                    f"The config file {path} is not valid TOML: {exc}. Fix that line and run again."
                ) from None
            cached = (mtime, data)
            self._files[path] = cached
        return cached[1]

    def set_value(self, path: tuple[str, ...], value: Any) -> None:
        """Write `value` at `path` in memory (the file is not changed); wins over the file."""
        self._in_code[path] = value

    def get_value(self, path: tuple[str, ...]) -> Any:
        """The value at `path` (values set in code first, then each file), or None."""
        for length in range(len(path), 0, -1):
            if path[:length] in self._in_code:
                return _walk(self._in_code[path[:length]], path[length:])
        for location in self.paths:
            value = _walk(self._load(location), path)
            if value is not None:
                return value
        return None


def _toml_paths(file_name: str, settings_dir: str | Path | None,
                global_dir: str | Path | None) -> list[Path]:
    """`file_name` in the settings folder (default: the project's `.dlt`), then the global one."""
    folders = [settings_dir or Path(os.environ.get("DLT_PROJECT_DIR", os.getcwd())) / ".dlt"]
    if global_dir:
        folders.append(global_dir)
    return [Path(folder) / file_name for folder in folders]


class SecretsTomlProvider(TomlProvider):
    """dlt 1.31's `SecretsTomlProvider(settings_dir, global_dir=None)`: `secrets.toml` in a
    folder of your choice (then in `global_dir`), e.g. for `dlt.secrets.register_provider`."""

    def __init__(self, settings_dir: str | Path | None = None,
                 global_dir: str | Path | None = None) -> None:
        super().__init__(_toml_paths("secrets.toml", settings_dir, global_dir), True)


class ConfigTomlProvider(TomlProvider):
    """dlt 1.31's `ConfigTomlProvider(settings_dir, global_dir=None)`: `config.toml` in a
    folder of your choice (then in `global_dir`)."""

    def __init__(self, settings_dir: str | Path | None = None,
                 global_dir: str | Path | None = None) -> None:
        super().__init__(_toml_paths("config.toml", settings_dir, global_dir), False)


def _walk(node: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


class CustomLoaderDocProvider:
    """A provider over a dictionary that `loader` returns, called once when the provider is
    made (dlt 1.31's class of that name). Register it with `dlt.config.register_provider`:

        provider = CustomLoaderDocProvider("yaml", lambda: yaml.safe_load(open("cfg.yml")))
        dlt.config.register_provider(provider)

    `supports_secrets=False` keeps secrets out of it; `locations` name where the document came
    from, for messages.
    """

    def __init__(self, name: str, loader: Callable[[], Mapping[str, Any]], supports_secrets: bool = True,
                 locations: Sequence[str] | None = None) -> None:
        self.name = name
        self.is_secret_store = supports_secrets
        self.locations = list(locations or [])
        self._document: Mapping[str, Any] = loader() or {}

    @property
    def supports_secrets(self) -> bool:
        """True when the document may hold secrets."""
        return self.is_secret_store

    @property
    def is_empty(self) -> bool:
        """True when the loaded document has no values."""
        return not self._document

    def to_dict(self) -> dict[str, Any]:
        """The loaded document."""
        return dict(self._document)

    def get_value(self, path: tuple[str, ...]) -> Any:
        """The value at `path` in the document, or None."""
        return _walk(self._document, path)


class InCodeProvider:
    """Values assigned in code: `dlt.secrets["sources.github.api_key"] = "..."`."""

    name = "values set in code"
    is_secret_store = True

    def __init__(self) -> None:
        self.values: dict[tuple[str, ...], Any] = {}

    @property
    def is_empty(self) -> bool:
        """True while nothing was set."""
        return not self.values

    def get_value(self, path: tuple[str, ...]) -> Any:
        """The value set for `path`, or None."""
        return self.values.get(path)


def default_file_providers() -> list[TomlProvider]:
    """secrets.toml, then config.toml; each reads `./.dlt` first, then `~/.dlt`."""
    project_dir = Path(os.environ.get("DLT_PROJECT_DIR", os.getcwd())) / ".dlt"
    global_dir = Path(os.environ.get("DLT_GLOBAL_DIR", Path.home() / ".dlt"))
    return [TomlProvider([d / name for d in (project_dir, global_dir)], name == "secrets.toml")
            for name in ("secrets.toml", "config.toml")]
