"""Secret type hints: an argument or spec field annotated with these is looked up as a secret.

`TSecretStrValue` / `TSecretValue` are `Annotated` types (as in dlt 1.31), so they type-check as
`str` / `Any` and carry a marker that the resolver reads.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any


class SecretSentinel:
    """Marker in `Annotated[...]` metadata: the value is a secret."""


TSecretValue = Annotated[Any, SecretSentinel]
"""Any value that is a secret (looked up only in secret providers, never shown)."""
TSecretStrValue = Annotated[str, SecretSentinel]
"""A string secret (a password, a token)."""


def unwrap_optional(hint: Any) -> Any:
    """`X` for `Optional[X]` / `X | None`; other hints unchanged."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def is_optional(hint: Any) -> bool:
    """True when `hint` admits None (`Optional[X]`, `X | None`, `Any`)."""
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin is Annotated:
        return is_optional(typing.get_args(hint)[0])
    if origin is typing.Union or type(hint).__name__ == "UnionType":
        return type(None) in typing.get_args(hint)
    return False


def strip_annotated(hint: Any) -> Any:
    """The type inside `Annotated[...]`, Optional removed."""
    hint = unwrap_optional(hint)
    if typing.get_origin(hint) is Annotated:
        return unwrap_optional(typing.get_args(hint)[0])
    return hint


def is_secret_hint(hint: Any) -> bool:
    """True for `TSecretValue`-style hints and credential specs."""
    hint = unwrap_optional(hint)
    if typing.get_origin(hint) is Annotated:
        return any(m is SecretSentinel for m in typing.get_args(hint)[1:])
    from dlt.configuration.specs import CredentialsConfiguration

    return is_class(hint) and issubclass(hint, CredentialsConfiguration)


def is_class(hint: Any) -> bool:
    """True for a class, False for a generic alias such as `list[str]` (which passes
    `isinstance(hint, type)` on Python 3.10, and which `issubclass` refuses)."""
    return isinstance(hint, type) and typing.get_origin(hint) is None
