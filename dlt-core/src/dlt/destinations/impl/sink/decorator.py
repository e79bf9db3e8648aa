"""`dlt.destination`: turn a function into a destination, or make a destination by name."""

from __future__ import annotations

import functools
from typing import Any, Callable

def destination(func_or_name: Callable[..., Any] | str | None = None, /, *,
                loader_file_format: str | None = None, batch_size: int = 10, name: str | None = None,
                naming_convention: str = "direct", skip_dlt_columns_and_tables: bool = True,
                max_table_nesting: int | None = 0, spec: Any = None,
                max_parallel_load_jobs: int | None = None,
                loader_parallelism_strategy: str | None = None, **kwargs: Any) -> Any:
    """Make a custom destination from a function `f(items, table, **config)`, as in dlt 1.31.

    As `@dlt.destination` or `@dlt.destination(batch_size=..., ...)` the function becomes a
    callable that makes the destination (`destination=my_sink` or `my_sink(api_url=...)`).
    With a name first, `dlt.destination("name", destination_callable=f, ...)` makes a custom
    destination called `name`, `dlt.destination("name", destination_type="duckdb", ...)` a
    named destination of that type, and `dlt.destination("duckdb", ...)` the destination
    registered as `duckdb`.
    """
    settings = dict(loader_file_format=loader_file_format, batch_size=batch_size,
                    naming_convention=naming_convention,
                    skip_dlt_columns_and_tables=skip_dlt_columns_and_tables,
                    max_table_nesting=max_table_nesting, spec=spec,
                    max_parallel_load_jobs=max_parallel_load_jobs,
                    loader_parallelism_strategy=loader_parallelism_strategy)

    def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
        from dlt.destinations.impl.sink.factory import destination as sink_factory

        destination_name = name or function.__name__

        @functools.wraps(function)
        def make_destination(*args: Any, **function_kwargs: Any) -> Any:
            """The custom destination of the function; keyword arguments are passed to it."""
            return sink_factory(destination_callable=function, destination_name=destination_name,
                                **settings, **function_kwargs)

        make_destination.destination_factory = sink_factory  # type: ignore[attr-defined]
        return make_destination

    if func_or_name is None:
        return decorator
    if not isinstance(func_or_name, str):
        return decorator(func_or_name)
    return _named_destination(func_or_name, settings, kwargs)


def _named_destination(name: str, settings: dict[str, Any], kwargs: dict[str, Any]) -> Any:
    """`dlt.destination("name", ...)`: a custom destination when a callable is given, else the
    registered destination of `destination_type` (or of `name`) with these settings."""
    from dlt.plugins import get_plugin_manager

    destination_type = kwargs.pop("destination_type", None)
    if destination_type is None and kwargs.get("destination_callable") is not None:
        destination_type = "destination"
    if destination_type == "destination":
        from dlt.destinations.impl.sink.factory import destination as sink_factory

        return sink_factory(destination_name=name, **settings, **kwargs)
    if destination_type:
        return get_plugin_manager().destination(destination_type)(destination_name=name, **kwargs)
    return get_plugin_manager().destination(name)(**kwargs)
