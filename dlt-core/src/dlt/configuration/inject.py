"""`with_config`: inject configuration into the arguments of any function, as dlt 1.31's
decorator of that name does for functions that are not sources or resources.

    @with_config(sections=("my_api",))
    def client(api_key: str = dlt.secrets.value, page_size: int = 100): ...

    client()  # api_key from MY_API__API_KEY (or API_KEY), page_size from config or 100
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from dlt.configuration.resolve import inject_arguments, section_candidates

TFunction = TypeVar("TFunction", bound=Callable[..., Any])


@overload
def with_config(func: TFunction, /, *, sections: str | Sequence[str] = ()) -> TFunction: ...


@overload
def with_config(func: None = None, /, *, sections: str | Sequence[str] = ()) -> Callable[[TFunction], TFunction]: ...


def with_config(func: Any = None, /, *, sections: str | Sequence[str] = ()) -> Any:
    """Decorate `func` so that, on each call, arguments left out or given as
    `dlt.config.value` / `dlt.secrets.value` come from configuration: for `sections`
    `("a", "b")` an argument `x` is looked up as `a.b.x`, then `a.x`, then `x` (environment
    variable `A__B__X`, ...). Explicit arguments win; an argument with another default keeps
    it when configuration has no value; required values nobody set raise
    `ConfigFieldMissingException` naming them all."""
    section_path = (sections,) if isinstance(sections, str) else tuple(sections)

    def decorate(function: TFunction) -> TFunction:
        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            args, kwargs = inject_arguments(
                function, args, kwargs, lambda arg: section_candidates(section_path, arg)
            )
            return function(*args, **kwargs)

        return call  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate


__all__ = ["with_config"]
