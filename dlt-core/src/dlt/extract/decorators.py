"""`dlt.source`, `dlt.resource` and `dlt.transformer`: turn functions and data into resources."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from dlt.configuration.resolve import inject_arguments, module_section, source_candidates
from dlt.extract.hints import make_hints
from dlt.extract.errors import InvalidTransformerGeneratorFunction, ResourceNameMissing
from dlt.extract.resource import DltResource, own_copies
from dlt.extract.source import DltSource
from dlt.schema import Schema
from dlt.utils.context import active_source_schema


def _injecting(function: Callable[..., Any], section: str, name: str,
               skip_first: bool = False) -> Callable[..., Any]:
    """Wrap `function` so arguments left to configuration are injected at call time."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        if skip_first:
            item, rest = args[0], args[1:]
            rest, kwargs = inject_arguments(
                function, rest, kwargs, lambda arg: source_candidates(section, name, arg),
                skip_first=True,
            )
            return function(item, *rest, **kwargs)
        args, kwargs = inject_arguments(
            function, args, kwargs, lambda arg: source_candidates(section, name, arg)
        )
        return function(*args, **kwargs)

    return call


def resource(
    data: Any = None,
    /,
    name: str | None = None,
    table_name: Any = None,
    write_disposition: Any = None,
    columns: Any = None,
    primary_key: Any = None,
    merge_key: Any = None,
    max_table_nesting: int | None = None,
    schema_contract: Any = None,
    selected: bool = True,
    section: str | None = None,
    file_format: str | None = None,
    parallelized: bool = False,
    standalone: bool = False,
    spec: Any = None,
    incremental: Any = None,
    nested_hints: Any = None,
    table_format: str | None = None,
    references: Any = None,
) -> Any:
    """Make a resource from a generator function, a function returning data, or data itself.

    Use as `@dlt.resource`, `@dlt.resource(name=..., primary_key=...)` or
    `dlt.resource([...], name="items")`. Arguments of a decorated function that default to
    `dlt.secrets.value` / `dlt.config.value` are injected from configuration when called.
    """

    def make(target: Any) -> DltResource:
        name_function = name if callable(name) else None
        resource_name = (name if isinstance(name, str) else None) or getattr(target, "__name__", None)
        if resource_name is None or resource_name == "<lambda>":
            raise ResourceNameMissing(
                f"dlt.resource() got {type(target).__name__} data without a name; pass name='...'."
            )
        hints = make_hints(
            table_name=table_name, write_disposition=write_disposition, primary_key=primary_key,
            merge_key=merge_key, columns=columns, max_table_nesting=max_table_nesting,
            schema_contract=schema_contract, file_format=file_format, incremental=incremental,
            nested_hints=nested_hints, table_format=table_format, references=references,
        )
        if inspect.isfunction(target) or inspect.ismethod(target):
            resource_section = section or module_section(target)
            from dlt.extract.incremental import bind_incremental

            # injection runs first, so an incremental configured in config.toml gets bound too
            target = bind_incremental(target, hints)
            target = _injecting(target, resource_section, resource_name)
        else:
            resource_section = section
        return DltResource(target, resource_name, hints, section=resource_section,
                           selected=selected, parallelized=parallelized, name_function=name_function)

    if data is None:
        return make
    return make(data)


def transformer(
    f: Any = None,
    /,
    data_from: Any = None,
    name: str | None = None,
    table_name: Any = None,
    write_disposition: Any = None,
    columns: Any = None,
    primary_key: Any = None,
    merge_key: Any = None,
    max_table_nesting: int | None = None,
    schema_contract: Any = None,
    selected: bool = True,
    parallelized: bool = False,
    section: str | None = None,
    nested_hints: Any = None,
    file_format: str | None = None,
    table_format: str | None = None,
    spec: Any = None,
    standalone: bool = False,
) -> Any:
    """Make a transformer: a resource that receives each item (or page) of `data_from`.

    The decorated function's first argument is the item; it may yield any number of items.
    Pipe a resource into it with `resource | transformer`.
    """

    def make(function: Callable[..., Any]) -> DltResource:
        if not callable(function):
            raise InvalidTransformerGeneratorFunction("dlt.transformer decorates a function whose first argument is the item.")
        transformer_name = name or function.__name__
        hints = make_hints(
            table_name=table_name, write_disposition=write_disposition, primary_key=primary_key,
            merge_key=merge_key, columns=columns, max_table_nesting=max_table_nesting,
            schema_contract=schema_contract, nested_hints=nested_hints, file_format=file_format,
            table_format=table_format,
        )
        transformer_section = section or module_section(function)
        from dlt.extract.incremental import bind_incremental

        wrapped = _injecting(bind_incremental(function), transformer_section, transformer_name,
                             skip_first=True)
        parent = None
        if data_from is not None:
            from dlt.extract.resource import _as_resource

            parent = _as_resource(data_from)
        return DltResource(wrapped, transformer_name, hints, section=transformer_section,
                           parent=parent, is_transformer=True, selected=selected,
                           parallelized=parallelized)

    if f is None:
        return make
    return make(f)


class SourceFactory:
    """What `@dlt.source` returns: call it to get a `DltSource`; `.run(...)` loads one."""

    def __init__(self, function: Callable[..., Any], name: str, section: str,
                 max_table_nesting: int | None, root_key: bool, schema: Schema | None,
                 schema_contract: Any, parallelized: bool) -> None:
        self._function = _injecting(function, section, name)
        self.__wrapped__ = function
        self.__name__ = name
        self.__doc__ = function.__doc__
        self.name = name
        self.section = section
        self.max_table_nesting = max_table_nesting
        self.root_key = root_key
        self.schema = schema
        self.schema_contract = schema_contract
        self.parallelized = parallelized

    def __call__(self, *args: Any, **kwargs: Any) -> DltSource:
        """Call the source function and collect the resources it returns or yields."""
        schema = self.schema.clone() if self.schema is not None else Schema(self.name)
        # the source body may edit its schema through dlt.current.source_schema()
        schema_token = active_source_schema.set(schema)
        try:
            result = self._function(*args, **kwargs)
            if inspect.iscoroutine(result):
                import asyncio

                result = asyncio.run(result)
        finally:
            active_source_schema.reset(schema_token)
        resources = own_copies([self._as_resource(item) for item in _as_list(result)])
        for resource_item in resources:
            if self.parallelized:
                resource_item.parallelized = True
        return DltSource(schema, self.section, resources, max_table_nesting=self.max_table_nesting,
                         schema_contract=self.schema_contract, root_key=self.root_key)

    def _as_resource(self, item: Any) -> DltResource:
        if isinstance(item, DltResource):
            return item
        if inspect.isgeneratorfunction(item) or inspect.isfunction(item):
            return resource(item)
        return DltResource(item, self.name, make_hints(table_name=None), section=self.section)

    def with_args(self, *, name: str | None = None, section: str | None = None,
                  max_table_nesting: int | None = None, root_key: bool | None = None,
                  schema: Schema | None = None, schema_contract: Any = None,
                  parallelized: bool | None = None) -> SourceFactory:
        """A copy of this source factory with other decorator arguments, as in dlt 1.31:
        `name` is also its schema's name and the config section its arguments are looked up
        in (`sources.<section>.<name>.<arg>`), so one source function loads twice under two
        names. Arguments left out keep this factory's values."""
        return SourceFactory(
            self.__wrapped__, name or self.name, section or self.section,
            self.max_table_nesting if max_table_nesting is None else max_table_nesting,
            self.root_key if root_key is None else root_key,
            schema if schema is not None else (self.schema if name is None else None),
            self.schema_contract if schema_contract is None else schema_contract,
            self.parallelized if parallelized is None else parallelized,
        )

    def run(self, source: DltSource | None = None, destination: Any = None, **kwargs: Any) -> Any:
        """Load `source` (default: this source called without arguments) on the default pipeline."""
        from dlt.pipeline import run

        return run(source if source is not None else self(), destination=destination, **kwargs)

    def __repr__(self) -> str:
        return f"<dlt.source '{self.name}' from {self.section}>"


def _as_list(result: Any) -> list[Any]:
    if result is None:
        return []
    if isinstance(result, (DltResource, dict, str)):
        return [result]
    if isinstance(result, (list, tuple)) and all(isinstance(r, DltResource) for r in result):
        return list(result)
    if inspect.isgenerator(result):
        items = list(result)
        if all(isinstance(r, DltResource) for r in items):
            return items
        return [items]
    return [result]


def source(
    func: Any = None,
    /,
    name: str | None = None,
    section: str | None = None,
    max_table_nesting: int | None = None,
    root_key: bool = False,
    schema: Schema | None = None,
    schema_contract: Any = None,
    spec: Any = None,
    parallelized: bool = False,
) -> Any:
    """Make a source from a function that returns or yields resources.

    Use as `@dlt.source` or `@dlt.source(name=..., max_table_nesting=...)`.
    """

    def make(function: Callable[..., Any]) -> SourceFactory:
        source_name = name or (schema.name if schema is not None else function.__name__)
        return SourceFactory(function, source_name, section or module_section(function),
                             max_table_nesting, root_key, schema, schema_contract, parallelized)

    if func is None:
        return make
    return make(func)


_defer_pool: Any = None


def defer(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run calls of `function` in a thread pool: a resource may yield `deferred(...)` calls and
    dlt collects their results in order while several run at once."""

    @functools.wraps(function)
    def deferred(*args: Any, **kwargs: Any) -> Any:
        global _defer_pool
        if _defer_pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _defer_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dlt-defer")
        import contextvars

        return _defer_pool.submit(contextvars.copy_context().run, function, *args, **kwargs)

    deferred.__dlt_deferred__ = True  # type: ignore[attr-defined]
    return deferred
