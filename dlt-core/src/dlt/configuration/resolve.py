"""Looking values up across providers, and injecting them into function arguments.

Lookup order, as in dlt 1.31: providers in order (environment variables, `secrets.toml`,
`config.toml`, plugin providers, values set in code), and within each provider the candidate
keys from the most specific section to the bare key. While a pipeline is active (running, or
the last one created), every lookup first tries the keys prefixed with the pipeline name
(`<PIPELINE>__SOURCES__API_KEY`), then the keys without it. A secret is never read from a
provider that cannot hold secrets: finding one there raises `ValueNotSecretException`.
"""

from __future__ import annotations

import inspect
import json
import sys
import typing
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlt.configuration.exceptions import (
    ConfigFieldMissingException,
    ConfigValueCannotBeCoercedException,
    ConfigValueError,
    InvalidNativeValue,
    LookupTrace,
    ValueNotSecretException,
)
from dlt.configuration.providers import (
    EnvironProvider,
    InCodeProvider,
    TomlProvider,
    default_file_providers,
)
from dlt.configuration.redaction import remember_secret
from dlt.configuration.specs import BaseConfiguration, CredentialsConfiguration, is_spec_type
from dlt.configuration.typing import is_optional, is_secret_hint, strip_annotated

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ConfigFieldMissingError = ConfigFieldMissingException
"""The name this package used before it matched dlt 1.31; the same class."""

__all__ = [
    "CONFIG_VALUE", "SECRET_VALUE", "ConfigFieldMissingError", "ConfigFieldMissingException",
    "ConfigResolver", "ConfigValueError", "ValueNotSecretException", "coerce_config_value",
    "get_resolver", "inject_arguments", "module_section", "reset_resolver",
    "resolve_configuration", "source_candidates",
]


class _Placeholder:
    """Default value marking an argument that must come from config or secrets."""

    def __init__(self, secret: bool) -> None:
        self.secret = secret

    def __repr__(self) -> str:
        return "dlt.secrets.value" if self.secret else "dlt.config.value"


SECRET_VALUE: Any = _Placeholder(secret=True)
CONFIG_VALUE: Any = _Placeholder(secret=False)


@dataclass
class Provenance:
    """Which provider and key supplied a resolved value (never the value itself)."""

    field: str
    provider: str
    key: str
    secret: bool


def spec_name_for(function_name: str) -> str:
    """The spec name dlt 1.31 shows for a function's arguments: `crm_source` ->
    `CrmSourceConfiguration`."""
    return "".join(part[:1].upper() + part[1:] for part in function_name.split("_") if part) + "Configuration"


def active_pipeline_name() -> str | None:
    """The name of the running pipeline, else of the last one created, else None."""
    from dlt.utils.context import active_pipeline

    pipeline = active_pipeline.get()
    if pipeline is None:
        from dlt.pipeline.registry import last_pipeline

        pipeline = last_pipeline()
    return getattr(pipeline, "pipeline_name", None)


_CURRENT_PIPELINE: Any = object()


class ConfigResolver:
    """The chain of providers; one per process unless a test makes its own."""

    def __init__(self) -> None:
        self.environ = EnvironProvider()
        self.in_code = InCodeProvider()
        self.files = default_file_providers()
        self.registered: list[Any] = []
        self.provenance: list[Provenance] = []

    def providers(self) -> list[Any]:
        """Providers in lookup order: environment, toml files, plugin providers, providers
        registered with `dlt.config.register_provider`, values set in code."""
        from dlt.plugins import get_plugin_manager

        plugin_providers = list(get_plugin_manager().provided("config_provider").values())
        return [self.environ, *self.files, *plugin_providers, *self.registered, self.in_code]

    def register(self, provider: Any) -> None:
        """Add `provider` after the others (`dlt.config.register_provider`); registering a
        provider with the name of a registered one replaces it."""
        name = getattr(provider, "name", None)
        self.registered = [p for p in self.registered if getattr(p, "name", None) != name or name is None]
        self.registered.append(provider)

    def writable(self, secret: bool) -> TomlProvider:
        """Where `dlt.secrets[...] = ` / `dlt.config[...] = ` write: the project's toml file,
        in memory, so the value wins over the file as it would in dlt 1.31."""
        return next(p for p in self.files if p.is_secret_store == secret)

    def key_name(self, provider: Any, path: tuple[str, ...]) -> str:
        """How `provider` spells `path`: an env var name or a dotted key."""
        if isinstance(provider, EnvironProvider):
            return provider.key_for(path)
        return ".".join(path)

    def lookup(self, candidates: Sequence[tuple[str, ...]]) -> tuple[Any, Any, tuple[str, ...]] | None:
        """The first value found for the candidate paths (most specific first), per provider
        order, in every provider and without the pipeline prefix."""
        for provider in self.providers():
            for path in candidates:
                value = provider.get_value(path)
                if value is not None:
                    return value, provider, path
        return None

    def find(self, candidates: Sequence[tuple[str, ...]], *, secret: bool = False,
             strict_secret: bool = False, pipeline_name: Any = _CURRENT_PIPELINE,
             ) -> tuple[tuple[Any, Any, tuple[str, ...]] | None, list[LookupTrace]]:
        """Look `candidates` up as dlt 1.31 does; returns the hit (or None) and the traces.

        With `secret`, providers that cannot hold secrets are skipped, and with
        `strict_secret` a value found in one raises `ValueNotSecretException`.
        """
        if pipeline_name is _CURRENT_PIPELINE:
            pipeline_name = active_pipeline_name()
        passes = [list(candidates)]
        if pipeline_name:
            passes.insert(0, [(pipeline_name, *path) for path in candidates])
        traces: list[LookupTrace] = []
        providers = self.providers()
        for paths in passes:
            for provider in providers:
                if getattr(provider, "is_empty", False):
                    continue  # dlt 1.31 leaves empty providers out of lookups and traces
                can_hold = getattr(provider, "is_secret_store", True) or not secret
                name = getattr(provider, "name", type(provider).__name__)
                for path in paths:
                    value = provider.get_value(path)
                    key = self.key_name(provider, path)
                    if not can_hold:
                        if value is not None and strict_secret:
                            raise ValueNotSecretException(name, key)
                        continue
                    traces.append(LookupTrace(name, list(path[:-1]), key, None))
                    if value is not None:
                        return (value, provider, path), traces
        return None, traces

    def tried(self, candidates: Sequence[tuple[str, ...]]) -> list[tuple[str, str]]:
        """Every (provider, key) pair a lookup of `candidates` consults."""
        _, traces = self.find(candidates)
        return [(t.provider, t.key) for t in traces]

    def resolve(self, field: str, candidates: Sequence[tuple[str, ...]], *, required: bool,
                secret: bool, annotation: Any = Any, spec_name: str | None = None) -> Any:
        """Look a field up and coerce it to `annotation`; raise `ConfigFieldMissingException`
        when required and missing."""
        found, traces = self.find(candidates, secret=secret, strict_secret=secret)
        if found is None:
            if required:
                raise ConfigFieldMissingException(
                    spec_name or spec_name_for(field.rsplit(".", 1)[0].replace(".", "_")),
                    {field: traces}, hint=missing_hint(field, candidates, secret),
                )
            return None
        value, provider, path = found
        return self._accept(field, value, provider, path, secret, annotation)

    def _accept(self, field: str, value: Any, provider: Any, path: tuple[str, ...], secret: bool,
                annotation: Any) -> Any:
        if secret:
            remember_secret(value)
        self.provenance.append(Provenance(field, getattr(provider, "name", "?"),
                                          self.key_name(provider, path), secret))
        return coerce_config_value(value, annotation, field, isinstance(provider, EnvironProvider))


def missing_hint(field: str, candidates: Sequence[tuple[str, ...]], secret: bool) -> str:
    """What to set for a missing value: the environment variable and a TOML snippet."""
    if not candidates:
        return ""
    most_specific = candidates[0]
    section, name = most_specific[:-1], most_specific[-1]
    toml_file = ".dlt/secrets.toml" if secret else ".dlt/config.toml"
    snippet = (f"[{'.'.join(section)}]\n" if section else "") + f'{name} = "..."'
    env_name = "__".join(part.upper() for part in most_specific)
    keys = ", ".join(".".join(path) for path in candidates)
    return (f"Set the environment variable {env_name} or add to {toml_file}:\n{snippet}\n"
            f"(any of these keys works in the toml files: {keys})\n")


_resolver: ConfigResolver | None = None


def get_resolver() -> ConfigResolver:
    """The process-wide resolver, made on first use."""
    global _resolver
    if _resolver is None:
        _resolver = ConfigResolver()
    return _resolver


def config_flag(paths: list[tuple[str, ...]], default: bool) -> bool:
    """A yes/no setting looked up at `paths` (the first found wins), or `default` when none is
    set: a text is True when it is 1, true, yes or on (any case), a value of another type by its
    truth."""
    found = get_resolver().lookup(paths)
    if found is None:
        return default
    value = found[0]
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


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


_TRUE_WORDS = ("yes", "true", "t", "y", "1")
_FALSE_WORDS = ("no", "false", "f", "n", "0")


def _to_bool(value: Any, field: str) -> bool:
    """A configured flag as dlt 1.31 reads it: `true`/`yes`/`y`/`t`/`1` and their opposites in
    any case, or a number (0 is False)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    elif isinstance(value, (int, float)):
        return bool(value)
    raise ConfigValueCannotBeCoercedException(field, value, bool)


def coerce_config_value(value: Any, annotation: Any, field: str, from_env: bool) -> Any:
    """Convert a provider's value to the annotated type (int, bool, list, dict, spec, ...)."""
    target = strip_annotated(annotation)
    origin = typing.get_origin(target)
    if origin is typing.Union or type(target).__name__ == "UnionType":
        target, origin = Any, None
    base = origin or target
    if is_spec_type(base):
        return value  # specs are resolved field by field by the caller
    if base is bool:
        return _to_bool(value, field)
    if isinstance(value, str) and from_env and (base is Any or base is not str):
        parsed = parse_literal(value)
        # an untyped value stays text unless it is a number, bool, list or table literal
        if base is not Any or not isinstance(parsed, str):
            value = parsed
    if base in (Any, None) or not isinstance(base, type):
        return value
    try:
        if base in (int, float) and not isinstance(value, bool) and not isinstance(value, base):
            return base(value)
        if base is str and not isinstance(value, str):
            return str(value)
    except (TypeError, ValueError):
        pass
    if base in (int, float, bool, list, dict, str) and not isinstance(value, base):
        raise ConfigValueCannotBeCoercedException(field, value, base)
    if isinstance(value, Mapping) and not issubclass(base, Mapping) and base.__module__ != "builtins":
        # a table configures an object, e.g. `since: dlt.sources.incremental` from
        # `[sources.since] cursor_path = "seq"`
        try:
            return base(**value)
        except TypeError as exc:
            raise ConfigValueError(
                f"The configured table for `{field}` does not fit {base.__name__}: {exc}."
            ) from None
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
    """Lookup paths for an argument of a source or resource, most specific first:
    `sources.<module>.<name>.<arg>`, `sources.<module>.<arg>`, `sources.<name>.<arg>`,
    `sources.<arg>`, `<arg>`."""
    paths = [("sources", module, name, arg), ("sources", module, arg),
             ("sources", name, arg), ("sources", arg), (arg,)]
    unique: list[tuple[str, ...]] = []
    for path in paths:
        if path not in unique:
            unique.append(path)
    return unique


def section_candidates(sections: Sequence[str], field: str) -> list[tuple[str, ...]]:
    """`a.b.field`, `a.field`, `field` for sections `("a", "b")`."""
    return [(*sections[:n], field) for n in range(len(sections), -1, -1)]


# ---- specs ----------------------------------------------------------------------------------
def resolve_spec(spec: BaseConfiguration, bases: Sequence[tuple[str, ...]], *, secret: bool,
                 look_native: bool, field_path: str, missing: dict[str, list[LookupTrace]],
                 fixed: Collection[str] = ()) -> BaseConfiguration:
    """Fill the fields of `spec` from configuration; the `fixed` ones (given explicitly) stay.

    `bases` are the paths of the spec itself, most specific first (`("sources", "dsn")`, ...);
    with `look_native` a value found there is applied first (a connection string, a table)
    and the fields it sets stay too. Every other field is looked up under every base; a value
    found replaces the field's default. Required fields still missing go into `missing` with
    the keys tried.
    """
    resolver = get_resolver()
    fixed = set(fixed)
    if look_native:
        found, native_traces = resolver.find(bases, secret=secret, strict_secret=secret)
        if found is not None:
            value, provider, path = found
            if secret:
                remember_secret(value)
            if isinstance(provider, EnvironProvider) and isinstance(value, str) and value[:1] in "{[":
                value = parse_literal(value)
            before = {name: getattr(spec, name) for name in spec.get_resolvable_fields()}
            try:
                if isinstance(value, Mapping):
                    for key, item in value.items():
                        if key in spec.get_resolvable_fields():
                            spec[key] = item
                elif isinstance(spec, CredentialsConfiguration):
                    spec.parse_native_representation(value)
                else:
                    raise InvalidNativeValue(type(spec), type(value), path)
            except InvalidNativeValue:
                raise
            except Exception as exc:  # a native value the spec cannot parse
                raise InvalidNativeValue(type(spec), type(value), path, exc) from None
            resolver.provenance.append(Provenance(field_path, getattr(provider, "name", "?"),
                                                  resolver.key_name(provider, path), secret))
            fixed |= {name for name, old in before.items() if getattr(spec, name) is not old}
    else:
        native_traces = []
    for name, hint in spec.get_resolvable_fields().items():
        current = getattr(spec, name)
        field_secret = is_secret_hint(hint)
        field_bases = [(*base, name) for base in bases]
        inner = strip_annotated(hint)
        if is_spec_type(inner):
            nested = current if isinstance(current, BaseConfiguration) else inner()
            setattr(spec, name, resolve_spec(nested, field_bases, secret=secret or field_secret,
                                             look_native=current is None,
                                             field_path=_join(field_path, name), missing=missing))
            continue
        if name in fixed:
            continue
        found, traces = resolver.find(field_bases, secret=field_secret, strict_secret=field_secret)
        if found is None:
            if name in spec.missing_fields():
                missing[_join(field_path, name)] = native_traces + traces
            continue
        value, provider, path = found
        setattr(spec, name, resolver._accept(_join(field_path, name), value, provider, path,
                                            field_secret, hint))
    if not spec.is_partial():
        spec.resolve()
    return spec


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def apply_mapping(spec: Any, values: Mapping[str, Any]) -> None:
    """Set the fields of `spec` from an explicit mapping. A key that is not a field raises
    `KeyError`, except where the mapping is the credentials' native document (a Google service
    account JSON as a dict, with its `client_id`, `auth_uri`, ...): then it is parsed as such."""
    fields = spec.get_resolvable_fields()
    if isinstance(spec, CredentialsConfiguration) and any(key not in fields for key in values):
        try:
            spec.parse_native_representation(values)
            return
        except (InvalidNativeValue, ConfigValueError, TypeError, ValueError):
            pass
    for key, item in values.items():
        spec[key] = item


def resolve_configuration(config: Any, *, sections: Sequence[str] = (), explicit_value: Any = None,
                          accept_partial: bool = False) -> Any:
    """Resolve the fields of the spec instance `config` from configuration, under `sections`.

    `explicit_value` (a native value or a mapping) is applied first and wins. Raises
    `ConfigFieldMissingException` for required fields nobody set, unless `accept_partial`.
    """
    if isinstance(config, type):
        config = config()
    before = {name: getattr(config, name) for name in config.get_resolvable_fields()}
    if explicit_value is not None:
        if isinstance(explicit_value, Mapping):
            apply_mapping(config, explicit_value)
        elif isinstance(config, CredentialsConfiguration):
            config.parse_native_representation(explicit_value)
    fixed = {name for name, old in before.items() if getattr(config, name) is not old}
    bases = [tuple(sections[:n]) for n in range(len(sections), -1, -1)]
    missing: dict[str, list[LookupTrace]] = {}
    resolve_spec(config, bases, secret=isinstance(config, CredentialsConfiguration),
                 look_native=False, field_path="", missing=missing, fixed=fixed)
    if missing and not accept_partial:
        raise ConfigFieldMissingException(type(config).__name__, missing,
                                          [f for f in config if f not in missing])
    return config


# ---- injection -----------------------------------------------------------------------------
def inject_arguments(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                     candidates_for: Callable[[str], list[tuple[str, ...]]],
                     skip_first: bool = False) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Fill arguments the call left out or at `dlt.secrets.value`/`dlt.config.value`.

    An explicit argument wins and config fills the rest; required ones that nobody set raise
    one `ConfigFieldMissingException` naming them all. A spec-typed argument (e.g.
    `ConnectionStringCredentials`) may be given partly (a connection string without the
    password): its missing fields come from configuration.
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
    missing: dict[str, list[LookupTrace]] = {}
    nested: dict[str, tuple[str, list[str]]] = {}
    resolved: list[str] = []
    hint_text = ""
    for param in params:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        given = param.name in bound.arguments
        current = bound.arguments.get(param.name, param.default)
        placeholder = isinstance(current, _Placeholder)
        annotation = hints.get(param.name, Any)
        spec_type = strip_annotated(annotation)
        secret = (placeholder and current.secret) or is_secret_hint(annotation)
        candidates = candidates_for(param.name)
        if is_spec_type(spec_type):
            if given and not placeholder and not isinstance(current, (str, Mapping, BaseConfiguration)):
                continue
            if not given and not placeholder and current is None:
                continue
            value = _inject_spec(param.name, spec_type, None if placeholder else current,
                                 candidates, secret, missing, nested)
            bound.arguments[param.name] = value
            if param.name not in missing:
                resolved.append(param.name)
            continue
        if given and current is None and isinstance(param.default, _Placeholder):
            # dlt 1.31: an explicit None for a required config value is a missing value (the
            # providers are not asked); an Optional one stays None
            if not _admits_none(annotation):
                missing[param.name] = [LookupTrace(EXPLICIT_VALUES, [], param.name, None)]
            continue
        if given and not placeholder:
            continue
        if not given and param.default is inspect.Parameter.empty:
            continue
        found, traces = resolver.find(candidates, secret=secret, strict_secret=secret)
        if found is None:
            if placeholder and _admits_none(annotation):
                bound.arguments[param.name] = None  # `Optional[X] = dlt.config.value`
                continue
            if placeholder:
                missing[param.name] = traces
                hint_text = hint_text or missing_hint(param.name, candidates, secret)
                bound.arguments[param.name] = None
                continue
            configured = _configured_incremental(param.name, current, candidates, resolver)
            if configured is not None:
                bound.arguments[param.name] = configured
                resolved.append(param.name)
            continue
        value, provider, path = found
        bound.arguments[param.name] = resolver._accept(param.name, value, provider, path, secret, annotation)
        resolved.append(param.name)
    if missing:
        name = getattr(function, "__name__", "function")
        raise ConfigFieldMissingException(spec_name_for(name), missing, resolved, hint=hint_text,
                                          nested=nested)
    return bound.args, bound.kwargs


EXPLICIT_VALUES = "ExplicitValues"
"""The provider name dlt 1.31 shows in traces for values passed in the call."""


def _admits_none(annotation: Any) -> bool:
    """True for `Optional[X]` / `X | None` (possibly inside `Annotated`), not for a missing
    annotation: an optional config value that nobody set is None, not an error."""
    return annotation is not Any and is_optional(annotation)


INCREMENTAL_CONFIG_FIELDS = ("initial_value", "end_value", "lag", "row_order", "on_cursor_value_missing",
                             "range_start", "range_end")
"""Settings of an incremental argument that configuration may give, under the argument's name
(`sources.<source>.<resource>.<argument>.initial_value`), as dlt 1.31 reads them."""


def _configured_incremental(name: str, current: Any, candidates: list[tuple[str, ...]],
                            resolver: Any) -> Any:
    """A copy of the incremental default `current` with the settings configuration gives it,
    or None when `current` is no incremental or configuration sets none of them. Values are
    taken as the provider gives them (a TOML integer, an environment variable's text)."""
    from dlt.extract.incremental import Incremental

    if not isinstance(current, Incremental):
        return None
    settings = {}
    for setting in INCREMENTAL_CONFIG_FIELDS:
        found, _ = resolver.find([(*path, setting) for path in candidates])
        if found is not None:
            value, provider, path = found
            settings[setting] = resolver._accept(f"{name}.{setting}", value, provider, path, False, Any)
    if not settings:
        return None
    configured = current.copy()
    for setting, value in settings.items():
        setattr(configured, setting, value)
    return configured


def _inject_spec(name: str, spec_type: type, explicit: Any, candidates: list[tuple[str, ...]],
                 secret: bool, missing: dict[str, list[LookupTrace]],
                 nested: dict[str, tuple[str, list[str]]] | None = None) -> BaseConfiguration:
    """A spec argument: the explicit value (native, mapping or instance) first, then config.
    Fields nobody set go into `missing` under `name`, and their names into `nested`."""
    if isinstance(explicit, spec_type):
        spec = explicit.copy()
        fixed = {name for name in spec if spec[name] is not None}
    else:
        spec = spec_type()
        if explicit is not None:
            if isinstance(explicit, Mapping):
                apply_mapping(spec, explicit)
            elif isinstance(spec, CredentialsConfiguration):
                spec.parse_native_representation(explicit)
            if secret and isinstance(explicit, str) and not isinstance(spec, CredentialsConfiguration):
                # credentials parsed from a string remember their secret fields below (the
                # password of a URL, not the DuckDB path or host)
                remember_secret(explicit)
        # what the explicit value set stays; what it left out comes from configuration
        defaults = spec_type()
        fixed = {f for f in spec if explicit is not None and spec[f] != defaults[f]}
    inner: dict[str, list[LookupTrace]] = {}
    resolve_spec(spec, candidates, secret=secret, look_native=explicit is None, field_path=name,
                 missing=inner, fixed=fixed)
    if inner:
        missing[name] = [trace for traces in inner.values() for trace in traces]
        if nested is not None:
            nested[name] = (spec_type.__name__, [f.removeprefix(f"{name}.") for f in inner])
    _remember_secret_fields(spec)
    return spec


def _remember_secret_fields(spec: BaseConfiguration) -> None:
    """Remember the secret fields of `spec` (a password, a private key) for redaction; the
    other fields (host, user name, driver) stay readable in logs."""
    for name, hint in spec.get_resolvable_fields().items():
        value = getattr(spec, name)
        if isinstance(value, BaseConfiguration):
            _remember_secret_fields(value)
        elif value is not None and is_secret_hint(hint):
            remember_secret(value)


def _type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    try:
        # the innermost function: its module's globals resolve string annotations
        return typing.get_type_hints(inspect.unwrap(function), include_extras=True)
    except Exception:
        return {}
