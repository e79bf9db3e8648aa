"""Errors of configuration lookup and injection (exposed as `dlt.common.configuration.exceptions`).

Messages name keys and providers, never values: a value may be a secret.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from dlt.utils.exceptions import DltException, TerminalException


class LookupTrace(NamedTuple):
    """One (provider, key) that a lookup consulted, and what it found there."""

    provider: str
    sections: list[str]
    key: str
    value: Any


class ConfigurationException(DltException, TerminalException):  # noqa: N818 - dlt 1.31 name
    """Base of configuration errors; retrying does not fix them."""


class ConfigurationValueError(ConfigurationException, ValueError):
    """A configuration value was found but cannot be used."""


class ConfigValueError(ConfigurationValueError):
    """A configuration value has the wrong type or an invalid form."""


class ConfigValueCannotBeCoercedException(ConfigValueError):  # noqa: N818 - dlt 1.31 name
    """A value from a provider cannot be converted to the type its field declares."""

    def __init__(self, field_name: str, field_value: Any, hint: Any, message: str | None = None) -> None:
        """`message` replaces the default text (which does not show the value, as it may be a
        secret), e.g. for a setting that is never secret."""
        self.field_name = field_name
        self.field_value = field_value
        self.hint = hint
        type_name = getattr(hint, "__name__", str(hint))
        super().__init__(message or (
            f"The configured value of `{field_name}` cannot be converted to {type_name}"
            f" (it is a {type(field_value).__name__}; the value is not shown as it may be a"
            " secret). Fix the value in your environment or .dlt/*.toml files."
        ))


class ValueNotSecretException(ConfigurationException):  # noqa: N818 - dlt 1.31 name
    """A secret was found in a provider that must not hold secrets (`config.toml`)."""

    def __init__(self, provider_name: str, key: str) -> None:
        self.provider_name = provider_name
        self.key = key
        super().__init__(
            f"Provider `{provider_name}` cannot hold secret values but key `{key}` with secret"
            " value is present. Move it to .dlt/secrets.toml or an environment variable."
        )


class InvalidNativeValue(ConfigurationException):  # noqa: N818 - dlt 1.31 name
    """A native value (a connection string, a JSON document) cannot be parsed into a spec."""

    def __init__(self, spec: type, native_value_type: type, embedded_sections: tuple[str, ...],
                 inner_exception: Exception | None = None) -> None:
        self.spec = spec
        self.native_value_type = native_value_type
        self.embedded_sections = embedded_sections
        self.inner_exception = inner_exception
        where = ".".join(embedded_sections) or spec.__name__
        super().__init__(
            f"{spec.__name__} cannot parse the configuration value at `{where}` (a"
            f" {native_value_type.__name__}; not shown as it may be a secret)."
            f"{' ' + str(inner_exception) if inner_exception else ''}"
        )


class ConfigFieldMissingException(KeyError, ConfigurationException):  # noqa: N818 - dlt 1.31 name
    """Required configuration values were not found in any provider; a `KeyError`.

    `traces` maps each missing field to the `LookupTrace`s tried, most specific first;
    `nested` maps a missing field that is itself a spec (credentials) to that spec's class
    name and the fields of it that nobody set.
    """

    def __init__(self, spec_name: str, traces: dict[str, list[LookupTrace]],
                 resolved_fields: list[str] | None = None, hint: str = "",
                 nested: dict[str, tuple[str, list[str]]] | None = None) -> None:
        self.spec_name = spec_name
        self.nested = dict(nested or {})
        self.traces = traces
        self.fields = list(traces)
        self.resolved_fields = list(resolved_fields or [])
        self.hint = hint
        super().__init__(spec_name)

    @property
    def field(self) -> str:
        """The first missing field."""
        return self.fields[0]

    @property
    def tried(self) -> list[tuple[str, str]]:
        """(provider, key) pairs tried for the first missing field."""
        return [(t.provider, t.key) for t in self.traces[self.fields[0]]]

    def __str__(self) -> str:
        missing = ", ".join(f"`{f}`" for f in self.fields)
        msg = f"Missing {len(self.fields)} field(s) in configuration `{self.spec_name}`: {missing}\n"
        for name, traces in self.traces.items():
            if name in self.nested:
                spec, fields = self.nested[name]
                inner = ", ".join(f"`{f}`" for f in fields)
                msg += f"field `{name}` is itself a configuration `{spec}` with missing field(s): {inner}\n"
            msg += f"for field `{name}` the following (config provider, key) were tried in order:\n"
            for trace in traces:
                msg += f"  ({trace.provider}, {trace.key})\n"
        if self.resolved_fields:
            resolved = ", ".join(f"`{f}`" for f in self.resolved_fields)
            msg += f"NOTE: following fields in `{self.spec_name}` got resolved: {resolved}\n"
        if self.hint:
            msg += self.hint
        return msg
