"""`with_config`: inject configuration into the arguments of any function, as dlt 1.31's
decorator of that name does for functions that are not sources or resources.

    @with_config(sections=("my_api",))
    def client(api_key: str = dlt.secrets.value, page_size: int = 100): ...

    client()  # api_key from MY_API__API_KEY (or API_KEY), page_size from config or 100

With `spec=` (a `@configspec` class), as in 1.31, an argument named like one of the spec's
fields that is left out (or given as `dlt.config.value`) takes the field resolved under
`sections`, or the field's default when configuration has none.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from dlt.configuration.resolve import (
    _Placeholder,
    inject_arguments,
    resolve_configuration,
    section_candidates,
)

TFunction = TypeVar("TFunction", bound=Callable[..., Any])


@overload
def with_config(func: TFunction, /, *, sections: str | Sequence[str] = (), spec: type | None = None) -> TFunction: ...


@overload
def with_config(func: None = None, /, *, sections: str | Sequence[str] = (),
                spec: type | None = None) -> Callable[[TFunction], TFunction]: ...


def with_config(func: Any = None, /, *, sections: str | Sequence[str] = (), spec: type | None = None) -> Any:
    """Decorate `func` so that, on each call, arguments left out or given as
    `dlt.config.value` / `dlt.secrets.value` come from configuration: for `sections`
    `("a", "b")` an argument `x` is looked up as `a.b.x`, then `a.x`, then `x` (environment
    variable `A__B__X`, ...). Explicit arguments win; an argument with another default keeps
    it when configuration has no value; required values nobody set raise
    `ConfigFieldMissingException` naming them all. `spec`: see the module's docstring."""
    section_path = (sections,) if isinstance(sections, str) else tuple(sections)

    def decorate(function: TFunction) -> TFunction:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            if spec is not None:
                kwargs = _with_spec_fields(spec, section_path, signature, args, kwargs)
            args, kwargs = inject_arguments(
                function, args, kwargs, lambda arg: section_candidates(section_path, arg)
            )
            return function(*args, **kwargs)

        return call  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate


def _with_spec_fields(spec: type, sections: tuple[str, ...], signature: inspect.Signature,
                      args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """`kwargs` plus the resolved fields of `spec` for the function's arguments that are left
    out or placeholders."""
    bound = signature.bind_partial(*args, **kwargs).arguments
    names = [name for name, parameter in signature.parameters.items()
             if (name not in bound and isinstance(parameter.default, _Placeholder))
             or (name in kwargs and isinstance(kwargs[name], _Placeholder))]
    if not names:
        return kwargs
    resolved = resolve_configuration(spec(), sections=sections, accept_partial=True)
    fields = resolved.get_resolvable_fields()
    filled = dict(kwargs)
    for name in names:
        if name in fields and getattr(resolved, name) is not None:
            filled[name] = getattr(resolved, name)
    return filled


__all__ = ["with_config"]
