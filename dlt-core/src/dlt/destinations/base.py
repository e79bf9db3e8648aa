"""The destination contract: a factory with capabilities, and the job client it makes.

A destination plugin registers a `Destination` subclass under a short name. The factory is
called with explicit settings (`duckdb("file.duckdb")`, `bigquery(credentials=...)`); settings
left out are looked up in configuration under `destination.<name>.<field>`.
"""

from __future__ import annotations

import copy
import inspect
import logging
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from dlt.utils.exceptions import DltException, TerminalError, TransientError
from dlt.configuration.redaction import remember_secret
from dlt.configuration.resolve import config_flag, get_resolver
from dlt.schema import Schema

logger = logging.getLogger("dlt")


class DestinationError(DltException):
    """A destination could not do what was asked."""


class DestinationTerminalError(DestinationError, TerminalError):
    """The destination refused for a reason retrying cannot fix."""


class DestinationTransientError(DestinationError, TransientError):
    """The destination failed in a way a retry may fix."""


class DestinationUndefinedRelation(DestinationTerminalError):
    """A statement named a table, view or schema the destination does not have (dlt 1.31's
    `DatabaseUndefinedRelation`): e.g. a query before the first load created the table."""


class DestinationLoadingViaStagingNotSupported(DestinationTerminalError):
    """`staging=` was given for a destination that does not load from a staging destination
    (dlt 1.31's error of the same name, e.g. for duckdb)."""

    def __init__(self, destination: str) -> None:
        self.destination = destination
        super().__init__(
            f"`destination={destination}` does not support loading via staging. Leave `staging=`"
            " out to load into it directly."
        )


class SqlClientNotAvailable(DestinationTerminalError):
    """The destination has no SQL client (e.g. `dummy` or a sink); dlt 1.31's name."""


class LoadJobTerminalError(DestinationTerminalError):
    """One load job failed for good; other jobs of the package may still load."""

    def __init__(self, job_file: str, message: str) -> None:
        self.job_file = job_file
        super().__init__(f"Load job {job_file} failed: {message}")


LOADER_FILE_FORMATS = ("parquet", "jsonl", "arrow")
"""The job file formats dlt writes: parquet, JSON lines and Arrow IPC files."""

def arrow_file_format_for(rows_format: str) -> str:
    """The job format of Arrow data when the user chose `rows_format`: Arrow IPC for `arrow`,
    csv for `csv`, parquet for every other format (Arrow data is never written as jsonl)."""
    return rows_format if rows_format in ("arrow", "csv") else "parquet"


FORMATS_LOADED_AS_PREFERRED = ("insert_values", "csv", "typed-jsonl")
"""Loader file formats of upstream dlt that a destination may not load: a script that names
one loads with the destination's preferred format instead (the rows loaded are the same),
unless the destination lists it among its `supported_loader_file_formats` (csv on PostgreSQL)."""


@dataclass
class DestinationCapabilities:
    """What a destination supports; the engine adapts to it.

    `preferred_arrow_file_format` is the job format of Arrow tables and DataFrames when the
    user chose none: parquet, or `arrow` (Arrow IPC files, written and read without encoding)
    for destinations that load Arrow data natively.

    `supported_merge_strategies` and `supported_replace_strategies` name the strategies of
    `dlt.destinations.strategies` the destination carries out; a table asking for another one
    fails before extract.
    """

    preferred_loader_file_format: str = "parquet"
    supported_loader_file_formats: tuple[str, ...] = ("parquet", "jsonl")
    preferred_arrow_file_format: str = "parquet"
    max_identifier_length: int = 127
    max_column_identifier_length: int = 127
    supports_transactions: bool = True
    supports_merge: bool = True
    supports_replace: bool = True
    supported_merge_strategies: tuple[str, ...] = ("delete-insert", "upsert", "insert-only", "scd2")
    supported_replace_strategies: tuple[str, ...] = (
        "truncate-and-insert", "insert-from-staging", "staging-optimized")
    max_query_length: int = 32 * 1024 * 1024
    max_parallel_load_jobs: int = 1
    naming_convention: str = "snake_case"
    #: nesting depth the destination imposes over the source's (None: the source decides)
    max_table_nesting: int | None = None
    decimal_precision: tuple[int, int] = (38, 9)
    #: open table formats the destination writes for `table_format=` (e.g. delta, iceberg)
    supported_table_formats: tuple[str, ...] = ()
    #: job formats the destination loads from a staging destination (`staging=`); empty: it
    #: does not load via staging, and a pipeline given `staging=` for it fails, as in dlt 1.31
    supported_staging_file_formats: tuple[str, ...] = ()
    #: True when the destination writes job files into a folder or bucket instead of database
    #: tables (filesystem); the conformance suite then reads rows back from the files
    loads_into_files: bool = False
    #: why a capability is missing, by name (`merge`: ...), shown when a scenario is skipped
    notes: dict[str, str] = field(default_factory=dict)


def configured_replace_strategy(destination_name: str = "") -> str:
    """`destination.<destination_name>.replace_strategy`, else `destination.replace_strategy`,
    else `truncate-and-insert` (the default of dlt 1.31)."""
    candidates = [("destination", "replace_strategy")]
    if destination_name:
        candidates.insert(0, ("destination", destination_name, "replace_strategy"))
    found = get_resolver().lookup(candidates)
    return str(found[0]).strip() if found is not None else "truncate-and-insert"


@dataclass
class ClientContext:
    """Everything a job client needs to know about the pipeline it loads for.

    `config["refresh"]` (set by the loader from the package) holds the tables a `refresh=` run
    drops (`dropped_tables`) or empties (`truncated_tables`) before its data loads.
    """

    schema: Schema
    dataset_name: str
    pipeline_name: str
    pipeline_dir: Path | None = None
    config: dict[str, Any] = field(default_factory=dict)


_WARNED_DATASET_NAMES: set[tuple[str, str]] = set()


def client_context(destination: Any, schema: Schema, dataset_name: str, pipeline_name: str,
                   pipeline_dir: Path | None = None, config: dict[str, Any] | None = None) -> ClientContext:
    """The `ClientContext` of a job client of `destination`, with the dataset under the name
    the destination stores it (`stored_dataset_name`)."""
    return ClientContext(schema, stored_dataset_name(destination, schema, dataset_name),
                         pipeline_name, pipeline_dir, config=config or {})


def stored_dataset_name(destination: Any, schema: Schema, dataset_name: str) -> str:
    """The name `destination` stores dataset `dataset_name` under: normalized by the schema's
    naming convention as in dlt 1.31 (`myDataSet` is the schema `my_data_set`), unless the
    destination's `enable_dataset_name_normalization` setting is false."""
    if not dataset_name or not _normalizes_dataset_names(getattr(destination, "name", "")):
        return dataset_name
    stored = schema.naming.normalize_table_identifier(dataset_name)
    if stored != dataset_name and (dataset_name, stored) not in _WARNED_DATASET_NAMES:
        _WARNED_DATASET_NAMES.add((dataset_name, stored))
        logger.warning(
            "Dataset name '%s' is normalized to '%s' by the naming convention, as in dlt 1.31:"
            " the destination stores it under that name (pipeline.dataset_name keeps '%s'). Set"
            " destination.enable_dataset_name_normalization=false to keep it as given.",
            dataset_name, stored, dataset_name)
    return stored


def _normalizes_dataset_names(destination_name: str) -> bool:
    keys = [("destination", "enable_dataset_name_normalization")]
    if destination_name:
        keys.insert(0, ("destination", destination_name, "enable_dataset_name_normalization"))
    return config_flag(keys, True)


class Destination:
    """Base of destination factories; subclasses set `destination_name` and implement `client`."""

    #: on the class the type's name (`duckdb`); on an instance, as in dlt 1.31, this
    #: destination's name: `destination_name=` when given, else the type's name
    destination_name: str = ""
    #: settings that may come from configuration: name -> (required, is_secret)
    config_fields: ClassVar[dict[str, tuple[bool, bool]]] = {"credentials": (False, True)}
    #: a pydantic model validating the resolved settings (None: no validation)
    spec: ClassVar[Any] = None
    #: file patterns of local data this destination writes (database files, their journals),
    #: which `dlt init` adds to the project's `.gitignore`
    gitignore_patterns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, credentials: Any = None, destination_name: str | None = None,
                 environment: str | None = None, **settings: Any) -> None:
        self.name = destination_name or type(self).destination_name
        self.destination_name = self.name
        self.environment = environment
        self.explicit: dict[str, Any] = {k: v for k, v in settings.items() if v is not None}
        if credentials is not None:
            self.explicit["credentials"] = credentials

    def with_credentials(self, credentials: Any) -> Destination:
        """A copy of this destination with other credentials and the same other settings."""
        clone = copy.copy(self)
        clone.explicit = {**self.explicit, "credentials": credentials}
        return clone

    @property
    def destination_type(self) -> str:
        """The destination's type as dlt 1.31 names it: `dlt.destinations.<type>`
        (`dlt.destinations.duckdb`, also for a named destination of that type)."""
        return f"dlt.destinations.{type(self).destination_name}"

    def capabilities(self) -> DestinationCapabilities:
        """What this destination supports."""
        return DestinationCapabilities()

    def replace_strategy(self) -> str:
        """The replace strategy from `destination.<name>.replace_strategy` or
        `destination.replace_strategy` (env `DESTINATION__REPLACE_STRATEGY`), by default
        `truncate-and-insert`."""
        return configured_replace_strategy(self.name)

    def configuration(self) -> dict[str, Any]:
        """Settings with explicit arguments first, then values from configuration."""
        return self._validate(self.resolve_settings())

    def resolve_settings(self, skip: Collection[str] = ()) -> dict[str, Any]:
        """Explicit arguments first, then `destination.<name>.<field>` and
        `destination.<field>` for every field of `config_fields` but `skip` (fields a plugin
        assembles itself). Explicit secrets are remembered, so logs and errors redact them."""
        resolved = dict(self.explicit)
        for name, (_required, secret) in self.config_fields.items():
            if secret and name in resolved:
                remember_secret(resolved[name])
        resolver = get_resolver()
        for name, (required, secret) in self.config_fields.items():
            if name in resolved or name in skip:
                continue
            value = resolver.resolve(
                f"destination.{self.name}.{name}",
                [("destination", self.name, name), ("destination", name)],
                required=required, secret=secret,
            )
            if value is not None:
                resolved[name] = value
        return resolved

    def resolve_credential_fields(self, fields: Collection[str], secret_fields: Collection[str],
                                  shared: bool = False) -> dict[str, Any]:
        """Credential fields given one by one: `destination.<name>.credentials.<field>`, and with
        `shared` also `destination.credentials.<field>`. Only the fields found are returned."""
        resolver = get_resolver()
        found: dict[str, Any] = {}
        for name in fields:
            keys = [("destination", self.name, "credentials", name)]
            if shared:
                keys.append(("destination", "credentials", name))
            value = resolver.resolve(f"destination.{self.name}.credentials.{name}", keys,
                                     required=False, secret=name in secret_fields)
            if value is not None:
                found[name] = value
        return found

    def _validate(self, resolved: dict[str, Any]) -> dict[str, Any]:
        """Check settings against `spec`; one sentence per invalid field, secrets redacted."""
        if self.spec is None:
            return resolved
        from pydantic import ValidationError

        from dlt.configuration.redaction import redact
        from dlt.configuration.resolve import ConfigValueError

        try:
            model = self.spec.model_validate(resolved)
        except ValidationError as exc:
            problems = "; ".join(
                f"destination.{self.name}.{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
                for error in exc.errors()
            )
            raise ConfigValueError(redact(f"Invalid settings for destination {self.name}: {problems}.")) from None
        return {name: getattr(model, name) for name in resolved if hasattr(model, name)} | {
            k: v for k, v in resolved.items() if not hasattr(model, k)
        }

    def data_location(self, pipeline_name: str, pipeline_dir: Path | None = None,
                      dataset_name: str | None = None) -> Path | None:
        """The local file or folder that holds the pipeline's data (a database file), or None
        when the data lives on a server. Connecting to a missing location may create an empty
        database there, so the CLI (`dlt pipeline NAME show`, `drop`, ...) refuses to connect
        when this path does not exist and says where it looked. Override it in destinations
        that keep data in local files."""
        return None

    def client(self, context: ClientContext) -> JobClient:
        """A job client bound to one schema and dataset."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<destination {self.name}>"


class JobClient:
    """Loads jobs of packages into one dataset; used as a context manager.

    Transactional destinations load a whole package in one transaction together with its
    `_dlt_loads` row, so a package is either fully loaded or not at all.
    """

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities) -> None:
        self.context = context
        self.schema = context.schema
        self.dataset_name = context.dataset_name
        self.capabilities = capabilities

    def __enter__(self) -> JobClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def initialize_storage(self) -> None:
        """Create the dataset if it does not exist."""

    def is_storage_initialized(self) -> bool:
        """True when the dataset exists."""
        return True

    def is_storage_missing(self) -> bool:
        """True when the destination is known to hold nothing yet without connecting to it (a
        DuckDB database file that does not exist), so a new pipeline has nothing to restore
        and skips a connection. False when only a connection can tell (the default)."""
        return False

    def drop_storage(self) -> None:
        """Drop the dataset with everything in it."""

    def drop_tables(self, *tables: str) -> None:
        """Drop tables from the dataset."""

    def update_stored_schema(self) -> list[str]:
        """Create and alter tables to match the schema; returns the statements or changes made."""
        return []

    def refresh_plan(self) -> dict[str, list[str]]:
        """The tables the package's `refresh=` run drops (`dropped_tables`) and empties
        (`truncated_tables`), as the loader put them in the context; `update_stored_schema`
        drops, `begin_load` empties."""
        return (self.context.config or {}).get("refresh") or {}

    def is_load_recorded(self, load_id: str) -> bool:
        """True when `_dlt_loads` has `load_id` (the package was loaded before)."""
        return False

    def begin_load(self, load_id: str, tables: Sequence[str] = ()) -> None:
        """Start loading package `load_id`, whose jobs fill `tables` (a transaction where
        supported). The loader always passes both; a client written for the old one-argument
        form `begin_load(load_id)` still works, with a `DeprecationWarning` (see
        `start_package_load`)."""

    def run_job(self, job: Any, path: Path) -> None:
        """Load one job file; raise `LoadJobTerminalError` or `DestinationTransientError`."""
        raise NotImplementedError

    def complete_load(self, load_id: str, tables: list[str]) -> None:
        """Run merge/replace follow-ups, record the load in `_dlt_loads`, commit."""

    def abort_load(self) -> None:
        """Undo what `begin_load` started (roll back where supported)."""

    def get_stored_state(self, pipeline_name: str) -> dict[str, Any] | None:
        """The newest pipeline state row stored in the destination, or None."""
        return None

    def get_stored_schema(self, schema_name: str) -> dict[str, Any] | None:
        """The newest stored schema document, or None."""
        return None

    def sql_client(self) -> Any:
        """A SQL client on the dataset, for destinations that have one."""
        raise SqlClientNotAvailable(
            f"The destination of pipeline {self.context.pipeline_name} ({type(self).__name__}) has no"
            " SQL client; SQL destinations (such as duckdb) and filesystem have one."
        )


def _accepts_tables(begin_load: Any) -> bool:
    """True when a bound `begin_load` takes a second positional argument (`tables`)."""
    try:
        parameters = list(inspect.signature(begin_load).parameters.values())
    except (TypeError, ValueError):
        return True
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)


def start_package_load(client: JobClient, load_id: str, tables: Sequence[str]) -> None:
    """Call `client.begin_load(load_id, tables)`; a client whose `begin_load` takes only the
    load id (the form of dlt-core 0.1's `JobClient`) is called with it and warned about."""
    if _accepts_tables(client.begin_load):
        client.begin_load(load_id, list(tables))
        return
    warnings.warn(
        f"{type(client).__module__}.{type(client).__name__}.begin_load(load_id) is deprecated:"
        " define begin_load(self, load_id, tables=()) (the tables the package loads); the"
        " one-argument form stops working in dlt-core 1.0.", DeprecationWarning, stacklevel=2)
    client.begin_load(load_id)
