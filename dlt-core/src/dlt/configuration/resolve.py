"""Looking values up across providers, and injecting them into function arguments."""

from __future__ import annotations

import inspect
import json
import sys
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlt.utils.exceptions import DltException
from dlt.configuration.redaction import remember_secret
from dlt.configuration.providers import (
    EnvironProvider,
    InCodeProvider,
    default_file_providers,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class _Placeholder:
    """Default value marking an argument that must come from config or secrets."""

    def __init__(self, secret: bool) -> None:
        self.secret = secret

    def __repr__(self) -> str:
        return "dlt.secrets.value" if self.secret else "dlt.configuration.value"


SECRET_VALUE: Any = _Placeholder(secret=True)
CONFIG_VALUE: Any = _Placeholder(secret=False)


class ConfigFieldMissingError(DltException):
    """A required configuration value was not found in any provider."""

    def __init__(self, field: str, tried: list[tuple[str, str]], env_names: list[str],
                 toml_path: tuple[str, ...], secret: bool) -> None:
        self.field = field
        self.tried = tried
        where = "\n".join(f"  - {key} in {provider}" for provider, key in tried)
        section, name = toml_path[:-1], toml_path[-1]
        toml_file = ".dlt/secrets.toml" if secret else ".dlt/config.toml"
        snippet = (f"[{'.'.join(section)}]\n" if section else "") + f'{name} = "..."'
        super().__init__(
            f"The value '{field}' is required but was not found. Looked in:\n{where}\n"
            f"Set the environment variable {env_names[0]} or add to {toml_file}:\n{snippet}"
        )


class ConfigValueError(DltException):
    """A configuration value was found but has the wrong type."""


@dataclass
class Provenance:
    """Which provider and key supplied a resolved value (never the value itself)."""

    field: str
    provider: str
    key: str
    secret: bool


class ConfigResolver:
    """The chain of providers; one per process unless a test makes its own."""

    def __init__(self) -> None:
        self.environ = EnvironProvider()
        self.in_code = InCodeProvider()
        self.files = default_file_providers()
        self.provenance: list[Provenance] = []

    def providers(self) -> list[Any]:
        """Providers in lookup order."""
        from dlt.plugins import get_plugin_manager

        plugin_providers = list(get_plugin_manager().provided("config_provider").values())
        return [self.environ, *self.files, *plugin_providers, self.in_code]

    def key_name(self, provider: Any, path: tuple[str, ...]) -> str:
        """How `provider` spells `path`: an env var name or a dotted key."""
        if isinstance(provider, EnvironProvider):
            return provider.key_for(path)
        return ".".join(path)

    def lookup(self, candidates: Sequence[tuple[str, ...]]) -> tuple[Any, Any, tuple[str, ...]] | None:
        """The first value found for the candidate paths (most specific first), per provider order."""
        for provider in self.providers():
            for path in candidates:
                value = provider.get_value(path)
                if value is not None:
                    return value, provider, path
        return None

    def tried(self, candidates: Sequence[tuple[str, ...]]) -> list[tuple[str, str]]:
        """Every (provider, key) pair a lookup of `candidates` consults."""
        return [(getattr(p, "name", type(p).__name__), self.key_name(p, c))
                for p in self.providers() for c in candidates]

    def resolve(self, field: str, candidates: Sequence[tuple[str, ...]], *, required: bool,
                secret: bool, annotation: Any = Any) -> Any:
        """Look a field up and coerce it to `annotation`; raise when required and missing."""
        found = self.lookup(candidates)
        if found is None:
            if required:
                raise ConfigFieldMissingError(
                    field, self.tried(candidates), [self.environ.key_for(c) for c in candidates],
                    candidates[0], secret,
                )
            return None
        value, provider, path = found
        if secret:
            remember_secret(value)
        self.provenance.append(Provenance(field, getattr(provider, "name", "?"),
                                          self.key_name(provider, path), secret))
        return coerce_config_value(value, annotation, field, isinstance(provider, EnvironProvider))


_resolver: ConfigResolver | None = None


def get_resolver() -> ConfigResolver:
    """The process-wide resolver, made on first use."""
    global _resolver
    if _resolver is None:
        _resolver = ConfigResolver()
    return _resolver


def reset_resolver() -> None:
    """Forget the resolver (tests; a changed working directory)."""
    global _resolver
    _resolver = None


def parse_literal(text: str) -> Any:
    """Parse a TOML or JSON literal from an environment variable; the text itself if neither."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def coerce_config_value(value: Any, annotation: Any, field: str, from_env: bool) -> Any:
    """Convert a provider's value to the annotated type (int, bool, list, dict, ...)."""
    target = annotation
    origin = typing.get_origin(target)
    if origin is typing.Union or type(target).__name__ == "UnionType":
        args = [a for a in typing.get_args(target) if a is not type(None)]
        target = args[0] if len(args) == 1 else Any
        origin = typing.get_origin(target)
    base = origin or target
    if isinstance(value, str) and base not in (str, Any) and from_env:
        value = parse_literal(value)
    if base in (Any, None) or not isinstance(base, type):
        return value
    if base is bool and isinstance(value, str):
        if value.lower() in ("true", "1", "yes"):
            return True
        if value.lower() in ("false", "0", "no"):
            return False
    try:
        if base in (int, float) and not isinstance(value, bool):
            return base(value)
        if base is str and not isinstance(value, str):
            return str(value)
    except (TypeError, ValueError):
        pass
    if base in (int, float, bool, list, dict, str) and not isinstance(value, base):
        raise ConfigValueError(
            f"The value for '{field}' should be {base.__name__} but is {type(value).__name__}."
        )
    return value


def module_section(function: Callable[..., Any]) -> str:
    """The config section of the module that defines `function` (a script's file name)."""
    module = getattr(function, "__module__", None) or ""
    if module == "__main__":
        main = sys.modules.get("__main__")
        path = getattr(main, "__file__", None)
        return Path(path).stem if path else "__main__"
    return module.rsplit(".", 1)[-1]


def source_candidates(module: str, name: str, arg: str) -> list[tuple[str, ...]]:
    """Lookup paths for an argument of a source or resource, most specific first."""
    paths = [("sources", module, name, arg), ("sources", module, arg),
             ("sources", name, arg), ("sources", arg), (arg,)]
    unique: list[tuple[str, ...]] = []
    for path in paths:
        if path not in unique:
            unique.append(path)
    return unique


def inject_arguments(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                     candidates_for: Callable[[str], list[tuple[str, ...]]],
                     skip_first: bool = False) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Fill arguments the call left out or at `dlt.secrets.value`/`dlt.configuration.value`.

    An explicit argument wins; config fills the rest, required ones raise when missing.
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return args, kwargs
    params = list(signature.parameters.values())
    if skip_first and params:
        params = params[1:]
    try:
        bound = inspect.Signature(params).bind_partial(*args, **kwargs)
    except TypeError:
        return args, kwargs
    resolver = get_resolver()
    hints = _type_hints(function)
    for param in params:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        given = param.name in bound.arguments
        current = bound.arguments.get(param.name, param.default)
        placeholder = isinstance(current, _Placeholder)
        if given and not placeholder:
            continue
        if not given and param.default is inspect.Parameter.empty:
            continue
        candidates = candidates_for(param.name)
        if not placeholder:
            # an argument with an ordinary default is only filled from sectioned keys: a bare
            # key like `path` would otherwise pick up unrelated env vars such as PATH
            candidates = [path for path in candidates if len(path) > 1]
        value = resolver.resolve(
            param.name,
            candidates,
            required=placeholder,
            secret=placeholder and current.secret,
            annotation=hints.get(param.name, Any),
        )
        if value is not None:
            bound.arguments[param.name] = value
        elif placeholder:
            bound.arguments[param.name] = None
    return bound.args, bound.kwargs


def _type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function)
    except Exception:
        return {}
