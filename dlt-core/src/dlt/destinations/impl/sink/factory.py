"""`destination`: the factory behind `@dlt.destination`, a Python function as a destination.

The function receives `(items, table)`: a batch of at most `batch_size` rows of one table
(`batch_size=0`: the path of the load file instead) and the table's schema. Its other
arguments are injected from configuration under `destination.<name>.<arg>` when the function
leaves them at `dlt.secrets.value` / `dlt.config.value`, as in dlt 1.31.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from dlt.configuration.resolve import inject_arguments, section_candidates
from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities, DestinationError
from dlt.utils.exceptions import ValueErrorWithKnownValues

SINK_FILE_FORMATS = ("typed-jsonl", "parquet")
"""The load file formats a sink reads, as in dlt 1.31: typed-jsonl (the default, values keep
their Python types: datetimes, decimals, bytes) and parquet (batches arrive as
`pyarrow.RecordBatch`)."""

PARALLELISM_STRATEGIES = ("parallel", "table-sequential", "sequential")
DEFAULT_PARALLEL_LOAD_JOBS = 20
"""Load jobs running at once when neither `max_parallel_load_jobs` nor a strategy limits them
(the worker count of dlt 1.31's loader)."""


def import_callable(reference: str) -> Callable[..., Any]:
    """The function at `module.function` (how a sink function is named in configuration)."""
    module_name, _, attribute = reference.rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), attribute) if module_name else None
    except (ImportError, AttributeError):
        found = None
    if not callable(found):
        raise DestinationError(
            f"The destination function '{reference}' could not be imported: pass the function"
            " itself, or its full dotted path `package.module.function` on the Python path."
        )
    return found


class destination(Destination):  # noqa: N801 - the public name users write: dlt.destinations.destination
    """A destination that calls `destination_callable(items, table)` for every batch of rows.

    Prefer the `@dlt.destination` decorator, which makes this factory for a function. Every
    argument here is explicit and wins over configuration; extra keyword arguments are passed
    to the function (its other arguments come from `destination.<name>.<arg>`).
    """

    destination_name = "destination"
    config_fields = {"credentials": (False, True)}

    def __init__(self, destination_callable: Callable[..., Any] | str | None = None,
                 destination_name: str | None = None, environment: str | None = None,
                 loader_file_format: str | None = None, batch_size: int = 10,
                 naming_convention: str = "direct", skip_dlt_columns_and_tables: bool = True,
                 max_table_nesting: int | None = 0, max_parallel_load_jobs: int | None = None,
                 loader_parallelism_strategy: str | None = None, spec: Any = None,
                 **function_kwargs: Any) -> None:
        if isinstance(destination_callable, str):
            destination_callable = import_callable(destination_callable)
        if destination_callable is None or not callable(destination_callable):
            raise DestinationError(
                "A custom destination needs a function: decorate it with @dlt.destination, or pass"
                " destination_callable=<function> to dlt.destination(name, destination_callable=...)."
            )
        if loader_file_format is not None and loader_file_format not in SINK_FILE_FORMATS:
            raise ValueErrorWithKnownValues(
                "loader_file_format", loader_file_format, SINK_FILE_FORMATS,
                f"The destination function {getattr(destination_callable, '__name__', '?')} can"
                " read only these: pass one of them to @dlt.destination(loader_file_format=...)")
        if loader_parallelism_strategy is not None and loader_parallelism_strategy not in PARALLELISM_STRATEGIES:
            raise DestinationError(
                f"loader_parallelism_strategy '{loader_parallelism_strategy}' is unknown: use one of"
                f" {', '.join(PARALLELISM_STRATEGIES)}."
            )
        if not isinstance(batch_size, int) or batch_size < 0:
            raise DestinationError(f"batch_size must be an integer >= 0 (0: one call per load file), got {batch_size!r}.")
        name = destination_name or getattr(destination_callable, "__name__", None) or "destination"
        super().__init__(None, name, environment)
        self.destination_callable = destination_callable
        self.loader_file_format = loader_file_format or "typed-jsonl"
        self.batch_size = batch_size
        self.naming_convention = naming_convention or "direct"
        self.skip_dlt_columns_and_tables = skip_dlt_columns_and_tables
        self.max_table_nesting = max_table_nesting
        self.max_parallel_load_jobs = max_parallel_load_jobs
        self.loader_parallelism_strategy = loader_parallelism_strategy
        self.spec_type = spec
        self.function_kwargs = function_kwargs

    @property
    def destination_type(self) -> str:
        """`dlt.destinations.destination`, the type of custom destinations in dlt 1.31."""
        return "dlt.destinations.destination"

    def capabilities(self) -> DestinationCapabilities:
        """The configured file format; no transactions; parallel jobs unless the strategy or
        `max_parallel_load_jobs` says otherwise."""
        if self.loader_parallelism_strategy == "sequential":
            workers = 1
        else:
            workers = self.max_parallel_load_jobs or DEFAULT_PARALLEL_LOAD_JOBS
        return DestinationCapabilities(
            preferred_loader_file_format=self.loader_file_format,
            supported_loader_file_formats=SINK_FILE_FORMATS,
            preferred_arrow_file_format="parquet",
            supports_transactions=False,
            supports_merge=False,
            supported_merge_strategies=(),
            max_parallel_load_jobs=workers,
            naming_convention=self.naming_convention,
            max_table_nesting=self.max_table_nesting,
            notes={"merge": "a custom destination receives the rows of merge tables like appended rows"},
        )

    def configuration(self) -> dict[str, Any]:
        """The settings and the function's injected arguments; a missing secret or config
        value of the function fails here, before any data moves."""
        args, kwargs = self.resolve_function_arguments()
        return {"batch_size": self.batch_size, "loader_file_format": self.loader_file_format,
                "skip_dlt_columns_and_tables": self.skip_dlt_columns_and_tables,
                "max_table_nesting": self.max_table_nesting, "function_args": args,
                "function_kwargs": kwargs}

    def resolve_function_arguments(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The function's arguments after `(items, table)`: the ones given to the factory,
        the rest from `destination.<name>.<arg>` (then `destination.<arg>`, `<arg>`)."""
        args, kwargs = inject_arguments(
            self.destination_callable, (None, None), dict(self.function_kwargs),
            lambda arg: section_candidates(("destination", self.name), arg),
        )
        return tuple(args[2:]), dict(kwargs)

    def client(self, context: ClientContext) -> Any:
        """A job client calling the function with the batches of each load job."""
        from dlt.destinations.impl.sink.client import SinkJobClient

        args, kwargs = self.resolve_function_arguments()

        def call(items: Any, table: dict[str, Any]) -> Any:
            return self.destination_callable(items, table, *args, **kwargs)

        return SinkJobClient(context, self.capabilities(), self, call)

    def __repr__(self) -> str:
        return f"<destination {self.name} (function {getattr(self.destination_callable, '__name__', '?')})>"
