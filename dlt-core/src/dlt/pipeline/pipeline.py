"""`Pipeline`: moves data from sources to a destination through extract, normalize and load."""

from __future__ import annotations

import copy
import gc
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlt.utils.context import active_pipeline, active_source, active_source_schema, active_state
from dlt.utils.logging_setup import configure_logging
from dlt.storage.exceptions import CorruptedFileError, StorageFullError, explain_os_error
from dlt.utils.memory import release_freed_memory
from dlt.utils.signals import delayed_signals, raise_if_signalled
from dlt.utils.exceptions import DltException
from dlt.destinations import resolve_destination
from dlt.destinations.base import (
    FORMATS_LOADED_AS_PREFERRED,
    LOADER_FILE_FORMATS,
    Destination,
    arrow_file_format_for,
    client_context,
    stored_dataset_name,
)
from dlt.destinations.sql_job_client import decode_state, encode_state
from dlt.destinations.strategies import verify_resource_strategies
from dlt.extract.decorators import SourceFactory
from dlt.extract.hints import make_hints
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.load.exceptions import LoadClientJobException
from dlt.pipeline import state as state_files
from dlt.pipeline.exceptions import (
    PipelineConfigMissing,
    PipelineException,
    PipelineNotActive,
    PipelineStepFailed,
    UnsupportedFileFormat,
)
from dlt.pipeline.load_info import ExtractInfo, LoadInfo, NormalizeInfo, ResourceMetrics
from dlt.collectors import collector_from_name
from dlt.collectors.base import is_null
from dlt.pipeline.packages_of_dlt_131 import refuse_packages_of_dlt_131
from dlt.pipeline.refresh import apply_refresh, check_refresh_mode
from dlt.pipeline.schemas import SchemaStore
from dlt.pipeline.trace import PipelineTrace, merge_traces
from dlt.schema import DataValidationError, Schema
from dlt.schema.typing import STATE_TABLE
from dlt.storage.load_package import LoadJobInfo, LoadPackageInfo, schema_update_between
from dlt.storage.packages import JOB_STATES, PackageStorage, new_load_id
from dlt.utils.context import active_metrics
from dlt.utils.warnings import DltDeprecationWarning

if TYPE_CHECKING:  # the stages import pyarrow: a pipeline imports them (`import_stages`)
    from dlt.extract.extractor import ExtractInfo as SourceExtractInfo

logger = logging.getLogger("dlt")


class FolderPath(str):
    """A folder path that compares equal to its text (as dlt's `working_dir` does) and also
    behaves like a `pathlib.Path` (`/`, `.parent`, `.exists()`, ...)."""

    def __truediv__(self, other: Any) -> Path:
        return Path(self) / other

    def __eq__(self, other: object) -> bool:
        if isinstance(other, os.PathLike) and not isinstance(other, str):
            return Path(self) == Path(other)
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def __getattr__(self, name: str) -> Any:
        return getattr(Path(self), name)


def _destination_from_state(state: dict[str, Any]) -> Destination | None:
    """The destination the state names (by name, else by type, named as stored, as dlt 1.31
    restores it), or None when it names none or it is not installed."""
    name, type_name = state_files.destination_of_state(state)
    for candidate in dict.fromkeys(n for n in (name, type_name) if n):
        try:
            found = resolve_destination(candidate)
        except DltException:
            continue
        if found is not None and candidate != name:
            found = type(found)(destination_name=name)  # a named destination of that type
        return found
    return None


def _config_bool(path: tuple[str, ...], default: bool) -> bool:
    """A boolean setting from configuration (e.g. `LOAD__RAISE_ON_FAILED_JOBS`), or `default`."""
    from dlt.configuration.resolve import config_flag

    return config_flag([path], default)


#: the integer settings of the steps, checked before a run extracts anything
STEP_INT_SETTINGS: tuple[tuple[str, ...], ...] = (
    ("extract", "items_per_file"), ("extract", "buffer_items"), ("normalize", "workers"),
    ("normalize", "parallel_min_bytes"), ("normalize", "buffer_rows"),
)


def _config_int(path: tuple[str, ...], default: int) -> int:
    """An integer setting from configuration (e.g. `NORMALIZE__WORKERS`), or `default`; a value
    that is not a whole number raises `ConfigValueCannotBeCoercedException` naming the key, where
    it was found and the value."""
    from dlt.configuration.exceptions import ConfigValueCannotBeCoercedException
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([path])
    if found is None:
        return default
    value, provider = found[0], found[1]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return int(str(value).strip())
    except (TypeError, ValueError):
        key = ".".join(path)
        where = provider.key_for(path) if hasattr(provider, "key_for") else key
        source = getattr(provider, "name", type(provider).__name__)
        raise ConfigValueCannotBeCoercedException(path[-1], value, int, message=(
            f"The setting `{key}` must be a whole number, but {where} in {source} is {value!r}."
            f" Set it to an integer (e.g. {key.upper().replace('.', '__')}=4) or remove it to use"
            " the default."
        )) from None


def check_step_settings() -> None:
    """Fail before any data moves when an integer setting of a step is not an integer."""
    for path in STEP_INT_SETTINGS:
        _config_int(path, 0)


def _loadable(data: Any) -> Any:
    """Step infos and traces (`pipeline.run([load_info])`) load as their `asdict()` rows."""
    from dlt.pipeline.load_info import _StepInfo

    kinds = (_StepInfo, PipelineTrace, LoadPackageInfo, LoadJobInfo)
    if isinstance(data, kinds):
        return [data.asdict()]
    if isinstance(data, (list, tuple)) and any(isinstance(item, kinds) for item in data):
        return [item.asdict() if isinstance(item, kinds) else item for item in data]
    return data


def _with_elapsed(jobs: dict[str, list[LoadJobInfo]], loaded: list[LoadJobInfo]) -> dict[str, list[LoadJobInfo]]:
    """Copy the run times the loader measured onto the jobs read from disk."""
    measured = {job.job_file: job for job in loaded}
    for state_jobs in jobs.values():
        for job in state_jobs:
            timed = measured.get(job.job_file)
            if timed is not None:
                job.elapsed, job.started_at, job.finished_at = timed.elapsed, timed.started_at, timed.finished_at
    return jobs


def import_stages() -> None:
    """Import the extract, normalize and load stages, and with them pyarrow: `import dlt` leaves
    them out (it stays light for modules that only define sources), and a pipeline imports them
    when it is created, so its first run's step timings (the trace, `LoadInfo`) are the steps'
    own and not Python's imports (about 50 ms)."""
    import dlt.extract.extractor  # noqa: F401
    import dlt.load.loader  # noqa: F401
    import dlt.normalize.normalizer  # noqa: F401


class Pipeline:
    """A named pipeline with a working dir, a destination and a dataset.

    Create one with `dlt.pipeline(...)`; the working dir keeps its state, schemas and pending
    load packages, so a pipeline resumes where it stopped.
    """

    def __init__(self, pipeline_name: str, working_dir: Path, destination: Destination | None,
                 dataset_name: str | None, *, pipeline_secret: str | None = None,
                 import_schema_path: str | None = None, export_schema_path: str | None = None,
                 dev_mode: bool = False, progress: Any = None,
                 loader_file_format: str | None = None, refresh: str | None = None,
                 staging: Destination | None = None) -> None:
        self.pipeline_name = pipeline_name
        self._working_dir = Path(working_dir)
        self.pipeline_secret = pipeline_secret
        self.dev_mode = dev_mode
        self.progress = progress
        #: what shows the progress of each step (`progress=`; a `dlt.progress` collector)
        self.collector = collector_from_name(progress)
        self.loader_file_format = loader_file_format
        # the format passed to the running run() (it applies to that run only) and the
        # formats warned about in this run or normalize() call (each warning once)
        self._run_file_format: str | None = None
        self._warned_formats: set[str] = set()
        self._working_dir.mkdir(parents=True, exist_ok=True)
        self.storage = PackageStorage(self._working_dir)
        self.schemas_store = SchemaStore(self._working_dir, import_schema_path, export_schema_path)
        self.import_schema_path = import_schema_path
        self.export_schema_path = export_schema_path
        stored = state_files.load_state(self._working_dir)
        self.refresh = check_refresh_mode(refresh)
        self._state = stored or state_files.new_state(pipeline_name, dataset_name)
        self.destination = destination
        if destination is None:
            self.destination = _destination_from_state(self._state)
        #: the staging destination given as `staging=` (dlt 1.31's `pipeline.staging`)
        self.staging: Destination | None = None
        self._set_staging(staging)
        self.dataset_name = dataset_name or self._state.get("dataset_name")
        # the trace of this object's traced calls; `last_trace` reads the saved one until then
        self._last_trace: PipelineTrace | None = None
        configure_logging()
        before = state_files.state_hash(self._state), self.dataset_name, self._state.get("dataset_name")
        self._adopt_package_states()
        self._finish_aborts()
        changed = before != (state_files.state_hash(self._state), self.dataset_name, self._state.get("dataset_name"))
        if stored is None or changed or (destination is not None and
                                         state_files.destination_of_state(self._state)[0] != destination.name):
            self._save_state()
        import_stages()

    def _set_staging(self, staging: Any) -> None:
        """Keep the staging destination `staging=` names; a destination that does not load via
        staging refuses it, as in dlt 1.31. This dlt loads every job straight into the
        destination, so the staging destination is reported, not written to."""
        from dlt.destinations.base import DestinationLoadingViaStagingNotSupported

        resolved = resolve_destination(staging)
        if resolved is None:
            return
        if self.destination is not None and \
                not self.destination.capabilities().supported_staging_file_formats:
            raise DestinationLoadingViaStagingNotSupported(self.destination.name)
        self.staging = resolved
        logger.warning(
            "Pipeline %s: staging destination %s is set, but this dlt loads directly into the"
            " destination; no files are staged in %s.", self.pipeline_name, resolved.name,
            resolved.name)

    # -- properties -----------------------------------------------------------------------------

    @property
    def working_dir(self) -> FolderPath:
        """The pipeline's own folder: state, schemas, load packages and the last trace."""
        return FolderPath(self._working_dir)

    @property
    def pipelines_dir(self) -> FolderPath:
        """The folder holding this pipeline's working dir."""
        return FolderPath(self._working_dir.parent)

    @property
    def destination_name(self) -> str | None:
        """The name of the pipeline's destination, if it has one."""
        return self.destination.name if self.destination is not None else None

    @property
    def config(self) -> Any:
        """The pipeline's settings (`pipeline_name`, `pipelines_dir`, `dataset_name`, ...)."""
        from types import SimpleNamespace

        return SimpleNamespace(
            pipeline_name=self.pipeline_name, pipelines_dir=str(self.pipelines_dir),
            working_dir=str(self.working_dir), dataset_name=self.dataset_name,
            destination_name=self.destination_name, dev_mode=self.dev_mode, full_refresh=self.dev_mode,
            import_schema_path=self.import_schema_path, export_schema_path=self.export_schema_path,
            progress=self.progress, pipeline_secret=self.pipeline_secret,
        )

    @property
    def runtime_config(self) -> Any:
        """The `[runtime]` settings of this pipeline (`slack_incoming_hook`, `log_level`), read
        from configuration now (`dlt.pipeline.runtime_config`)."""
        from dlt.pipeline.runtime_config import runtime_configuration

        return runtime_configuration(self.pipeline_name)

    @property
    def full_refresh(self) -> bool:
        """Deprecated name of `dev_mode`."""
        return self.dev_mode

    @property
    def last_trace(self) -> PipelineTrace | None:
        """The trace of the last `run()`, with the steps called on their own since added to it
        (as in dlt 1.31); before this object ran anything, the trace saved in the working dir."""
        if self._last_trace is not None:
            return self._last_trace
        return PipelineTrace.load(self._working_dir)

    @property
    def state(self) -> dict[str, Any]:
        """The pipeline state (sources' and resources' state, schema names, ...)."""
        return self._state

    @property
    def first_run(self) -> bool:
        """True until the first successful load."""
        return bool(self._state.get("_local", {}).get("first_run", True))

    @property
    def schema_names(self) -> list[str]:
        """Names of the schemas this pipeline knows."""
        return list(self._state.get("schema_names", []))

    @property
    def default_schema_name(self) -> str | None:
        """The name of the first schema the pipeline used."""
        return self._state.get("default_schema_name")

    @property
    def schemas(self) -> dict[str, Schema]:
        """Every schema of the pipeline by name."""
        return {name: self.schemas_store.load(name) for name in self.schema_names}

    @property
    def default_schema(self) -> Schema:
        """The default schema (the first source's)."""
        if not self.default_schema_name:
            raise PipelineConfigMissing(f"Pipeline {self.pipeline_name} has no schema yet; run it first.")
        return self.schemas_store.load(self.default_schema_name)

    @property
    def has_data(self) -> bool:
        """True when the pipeline has loaded, has schemas or has packages waiting (dlt 1.31)."""
        return not self.first_run or bool(self.schema_names) or self.has_pending_data

    def _state_in_use(self) -> dict[str, Any]:
        """The state of this pipeline's running step, else the pipeline's own."""
        running = active_state.get() if active_pipeline.get() is self else None
        return running if running is not None else self._state

    def set_local_state_val(self, key: str, value: Any) -> None:
        """Set `key` in the pipeline's local state (kept in its working dir, never sent to the
        destination); inside this pipeline's run it goes into the run's state."""
        state = self._state_in_use()
        state.setdefault("_local", {})[key] = value
        if state is self._state:
            self._save_state()

    def get_local_state_val(self, key: str) -> Any:
        """The value of `key` in the pipeline's local state; a `KeyError` when it is not set."""
        return self._state_in_use().get("_local", {})[key]

    @property
    def has_pending_data(self) -> bool:
        """True when extracted or normalized packages wait to be loaded."""
        return bool(self.storage.list("extracted") or self.storage.list("normalized"))

    def list_extracted_load_packages(self) -> list[str]:
        """Load ids extracted but not normalized."""
        return self.storage.list("extracted")

    def list_normalized_load_packages(self) -> list[str]:
        """Load ids normalized but not loaded."""
        return self.storage.list("normalized")

    def list_completed_load_packages(self) -> list[str]:
        """Load ids of packages that completed: loaded, or aborted."""
        return self.storage.list("loaded")

    def list_failed_jobs_in_package(self, load_id: str) -> list[LoadJobInfo]:
        """The jobs of package `load_id` that failed for good, each with `failed_message`."""
        return self.get_load_package_info(load_id).jobs["failed_jobs"]

    def drop_pending_packages(self, with_partial_loads: bool = True) -> None:
        """Deprecated alias of `abort_packages()` (as in dlt 1.30+)."""
        import warnings

        warnings.warn(DltDeprecationWarning(
            "drop_pending_packages() is deprecated; use abort_packages(), which it now calls",
            since="1.30.0"), stacklevel=2)
        self.abort_packages()

    def abort_packages(self, load_id: str | None = None, dry_run: bool = False) -> dict[str, Any] | None:
        """Give up pending load packages and put local state and schemas back to where they
        were before the oldest of them.

        The oldest pending normalized package completes as `aborted` (its jobs that failed
        terminally move to `failed_jobs`; nothing is recorded in `_dlt_loads`); every other
        pending package, extracted ones included, is deleted. With `load_id`, only that package
        and newer ones are given up. Returns the plan (what was aborted and deleted), or None
        when nothing was pending. With `dry_run` nothing changes.
        """
        pending = self._pending_packages()
        if load_id is not None:
            if load_id not in {lid for _, lid in pending}:
                raise PipelineException(
                    f"Pipeline {self.pipeline_name} has no pending load package {load_id}; pending:"
                    f" {', '.join(lid for _, lid in pending) or 'none'}."
                )
            pending = [(state, lid) for state, lid in pending if lid >= load_id]
        if not pending:
            return None
        plan = self._abort_plan(pending)
        if dry_run:
            return plan
        for state, lid in pending:
            self.storage.request_abort(state, lid)
        self._finish_aborts()
        return plan

    def _pending_packages(self) -> list[tuple[str, str]]:
        """(state, load id) of every extracted or normalized package, oldest first."""
        found = [(state, lid) for state in ("extracted", "normalized") for lid in self.storage.list(state)]
        return sorted(found, key=lambda item: (item[1], item[0]))

    @staticmethod
    def _abort_plan(pending: list[tuple[str, str]]) -> dict[str, Any]:
        state, oldest = pending[0]
        recorded = oldest if state == "normalized" else None
        return {
            "package_to_abort": {"load_id": recorded} if recorded else None,
            "packages_to_delete": [lid for s, lid in pending if s == "normalized" and lid != recorded],
            "extracted_packages_to_delete": [lid for s, lid in pending if s == "extracted"],
            "restore_from_load_id": oldest,
        }

    def _finish_aborts(self) -> None:
        """Finish every requested abort (also one interrupted by a crash).

        Order matters for crash safety: state and schemas are restored first (from the
        snapshots the packages carry), then newer packages are deleted, and the oldest is
        archived as aborted last, so an interrupted abort still finds its restore point.
        """
        marked = [(state, lid) for state, lid in self._pending_packages() if self.storage.is_aborted(state, lid)]
        if not marked:
            return
        for state, lid in reversed(marked):
            try:
                restore = PackageStorage.read_json(self.storage.path(state, lid) / "package.json").get("restore")
            except CorruptedFileError as exc:
                logger.warning("%s", exc)
                restore = None
            if restore is None:
                logger.warning("Package %s has no readable restore snapshot; local state and schemas"
                               " stay as they are.", lid)
                continue
            self.schemas_store.restore(restore["schema_name"], restore.get("schema"))
            if lid == marked[0][1]:
                previous = decode_state(restore["state"])
                previous["_local"] = dict(self._state.get("_local", {}))
                self._state = previous
                self._save_state()
        oldest_state, oldest = marked[0]
        for state, lid in reversed(marked[1:]):
            self.storage.delete_package(state, lid)
        if oldest_state == "normalized":
            self.storage.fail_retried_jobs(oldest)
            self.storage.commit_load(oldest)
        else:
            self.storage.delete_package(oldest_state, oldest)
        logger.info("pipeline %s: aborted load package %s and deleted %d newer pending package(s)",
                    self.pipeline_name, oldest, len(marked) - 1)

    # -- state -----------------------------------------------------------------------------------

    def _save_state(self) -> None:
        self._state["pipeline_name"] = self.pipeline_name
        self._state["dataset_name"] = self.dataset_name
        if self.destination is not None:
            self._state["destination_name"] = state_files.stored_destination_name(self.destination)
            self._state["destination_type"] = self.destination.destination_type
        state_files.save_state(self._working_dir, self._state)

    def _adopt_package_states(self) -> None:
        """Take the newest state written into a pending package (after a crash)."""
        newest = None
        for status in ("extracted", "normalized"):
            for load_id in self.storage.list(status):
                package_file = self.storage.path(status, load_id) / "package.json"
                if not package_file.exists() or self.storage.is_aborted(status, load_id):
                    continue
                try:
                    encoded = PackageStorage.read_json(package_file).get("state")
                except CorruptedFileError as exc:
                    # the pipeline must still open, so that the package can be inspected or
                    # dropped; processing it raises the same error at the next run
                    logger.warning("pipeline %s: %s", self.pipeline_name, exc)
                    continue
                package_state = decode_state(encoded) if encoded else None
                if package_state and package_state.get("_state_version", 0) > (newest or {}).get("_state_version", -1):
                    newest = package_state
        if newest and newest.get("_state_version", 0) > self._state.get("_state_version", 0):
            self._state = state_files.merge_restored(self._state, newest)

    # -- steps -----------------------------------------------------------------------------------

    @contextmanager
    def _step(self, trace: PipelineTrace, step: str) -> Iterator[Any]:
        record = trace.start(step)
        token = active_pipeline.set(self)
        frozen = not gc.isenabled() or gc.get_freeze_count() > 0
        if not frozen:
            # the objects that exist when the step starts (a script's data built in memory)
            # stay out of the garbage collector's walks while it runs; they are collected as
            # ever after it
            gc.freeze()
        try:
            yield record
        except PipelineStepFailed as exc:
            trace.finish(record, error=exc.exception)
            raise
        except Exception as exc:
            exc = explain_os_error(exc, self._working_dir)
            trace.finish(record, error=exc)
            logger.error("pipeline %s failed at step %s: %s", self.pipeline_name, step, exc)
            raise PipelineStepFailed(self.pipeline_name, step, exc, package_kept=None) from exc
        finally:
            active_pipeline.reset(token)
            if not frozen:
                gc.unfreeze()
        if record.finished_at is None:
            trace.finish(record, info=record.info)

    @contextmanager
    def _call_trace(self, given: PipelineTrace | None) -> Iterator[PipelineTrace]:
        """The trace a step records into: the running `run()`'s, or, for a step called on its
        own, a new one that is merged into `last_trace` and saved when the call ends."""
        if given is not None:
            yield given
            return
        trace = PipelineTrace(self.pipeline_name)
        try:
            yield trace
        finally:
            trace.finished_at = datetime.now(timezone.utc)
            self._save_trace(trace)

    def _save_trace(self, trace: PipelineTrace) -> None:
        """Record the trace of a traced call that ended (see `merge_traces`) and save it."""
        from dlt.configuration.resolve import get_resolver

        unique = {(p.field, p.provider, p.key): dict(p.__dict__) for p in get_resolver().provenance}
        trace.resolved_config = list(unique.values())
        self._last_trace = merge_traces(self._last_trace, trace)
        try:
            self._last_trace.save(self._working_dir)
        except OSError:
            logger.warning("could not save the trace of pipeline %s", self.pipeline_name)

    def _sources_from(self, data: Any, table_name: str | None, write_disposition: Any, columns: Any,
                      primary_key: Any, schema: Schema | None, schema_contract: Any,
                      table_format: str | None = None) -> list[DltSource]:
        given = {"table_name": table_name, "write_disposition": write_disposition, "columns": columns,
                 "primary_key": primary_key, "schema_contract": schema_contract, "table_format": table_format}
        given = {name: value for name, value in given.items() if value is not None}
        make_hints(**given, _partial=True)  # bad hints fail here, before any source is evaluated
        # the resources take the arguments as given: a pydantic model as `columns` also
        # validates their items, a write disposition dict keeps its strategy
        if isinstance(data, SourceFactory):
            data = data()
        if isinstance(data, DltSource):
            sources = [data]
        elif isinstance(data, DltResource):
            sources = [self._wrap(schema, [data])]
        elif isinstance(data, (list, tuple)) and data and all(isinstance(d, (DltResource, DltSource)) for d in data):
            sources = [d for d in data if isinstance(d, DltSource)]
            resources = [d for d in data if isinstance(d, DltResource)]
            if resources:
                sources.append(self._wrap(schema, resources))
        else:
            data = _loadable(data)
            name = table_name if isinstance(table_name, str) else None
            if name is None:
                name = getattr(data, "__name__", None)
                if name is None or name == "<lambda>":
                    name = self.pipeline_name
            sources = [self._wrap(schema, [DltResource(data, name, make_hints())])]
        if given:
            for source in sources:
                for resource in source.selected_resources.values():
                    resource.apply_hints(**given)
        if schema is not None:
            for source in sources:
                source.schema = schema
        if schema_contract is not None:
            # as in dlt 1.31: run(schema_contract=...) also replaces the sources' own contract
            for source in sources:
                source.schema_contract = schema_contract
        return sources

    def _wrap(self, schema: Schema | None, resources: list[DltResource]) -> DltSource:
        name = schema.name if schema is not None else (self.default_schema_name or self.pipeline_name)
        return DltSource(schema or Schema(name), self.pipeline_name, resources)

    def _schema_for(self, source: DltSource) -> Schema:
        name = source.schema.name
        if name in self.schema_names:
            schema = self.schemas_store.load(name)
            for table in source.schema.tables.values():
                if not table["name"].startswith("_dlt"):
                    schema.update_table(table)
            schema.settings.update({k: v for k, v in source.schema.settings.items() if k != "detections"})
            if "schema_contract" not in source.schema.settings:
                # the source's contract replaces the stored one, also when it has none
                schema.settings.pop("schema_contract", None)
        else:
            schema = source.schema.clone()
        return self._apply_destination_naming(schema)

    def _apply_destination_naming(self, schema: Schema) -> Schema:
        """Use the destination's naming convention and identifier length limit."""
        from dlt.schema.naming import get_naming_convention

        convention = schema.settings.get("naming")
        if self.destination is not None:
            caps = self.destination.capabilities()
            schema.naming = get_naming_convention(convention or caps.naming_convention,
                                                  caps.max_column_identifier_length)
            if caps.max_table_nesting is not None:
                # a destination that limits nesting (a custom destination) overrides the source
                schema.settings["max_table_nesting"] = caps.max_table_nesting
        elif convention:
            schema.naming = get_naming_convention(convention)
        return schema

    def extract(self, data: Any, *, table_name: str | None = None, write_disposition: Any = None,
                columns: Any = None, primary_key: Any = None, schema: Schema | None = None,
                schema_contract: Any = None, refresh: str | None = None,
                table_format: str | None = None, _trace: PipelineTrace | None = None) -> ExtractInfo:
        """Evaluate `data` (a source, resource, list of them, or any iterable) into load
        packages (one per source); returns their `ExtractInfo`.

        `refresh` (or the pipeline's own `refresh`) starts sources over: see `dlt.pipeline.refresh`."""
        refresh = check_refresh_mode(refresh) or self.refresh
        check_step_settings()
        started = datetime.now(timezone.utc)
        first_run = self.first_run
        with self._call_trace(_trace) as trace, self._step(trace, "extract") as record:
            refuse_packages_of_dlt_131(self.pipeline_name, self._working_dir)
            self.storage.recover()
            self._finish_aborts()
            sources = self._sources_from(data, table_name, write_disposition, columns, primary_key,
                                         schema, schema_contract, table_format)
            infos = [self._extract_source(source, refresh) for source in sources]
            record.info = self._extract_info(infos, started, first_run)
        return record.info

    def _extract_info(self, infos: list[SourceExtractInfo], started: datetime, first_run: bool) -> ExtractInfo:
        """The public `ExtractInfo` of the packages `infos` describe."""
        metrics: dict[str, list[dict[str, Any]]] = {}
        packages = []
        for info in infos:
            custom = getattr(info, "custom_metrics", {})
            resource_names = list(dict.fromkeys([*info.resources, *custom]))
            metrics[info.load_id] = [{
                "schema_name": info.source_name,
                "started_at": started,
                # as in 1.31, the state's row is not one of the extracted tables
                "table_metrics": {t: ResourceMetrics(n) for t, n in info.item_counts.items()
                                  if t != STATE_TABLE},
                "resource_metrics": {
                    name: ResourceMetrics(info.item_counts.get(name, 0), dict(custom.get(name, {})))
                    for name in resource_names
                },
            }]
            if self.storage.package_state(info.load_id) is not None:
                packages.append(self.get_load_package_info(info.load_id))
        return ExtractInfo(self, metrics, packages, first_run, started, datetime.now(timezone.utc))

    def _extract_source(self, source: DltSource, refresh: str | None = None) -> ExtractInfo:
        from dlt.extract.extractor import ExtractInfo as SourceExtractInfo, Extractor
        from dlt.plugins import get_plugin_manager

        hook = get_plugin_manager().hook
        if self.destination is not None:
            # a merge strategy the destination cannot carry out fails before any item is read
            verify_resource_strategies({n: r.hints for n, r in source.selected_resources.items()},
                                       self.destination.capabilities(), self.destination.name)
        schema = self._schema_for(source)
        # what an abort of this package goes back to: the state and this schema before it
        restore = {"schema_name": schema.name, "schema": self.schemas_store.document(schema.name),
                   "state": encode_state(self._state)}
        schema = self.schemas_store.apply_import(schema)
        load_id = new_load_id()
        extract_started = datetime.now(timezone.utc)
        logger.debug("extract: source %s, resources %s into load package %s", source.name,
                     ", ".join(source.selected_resources), load_id)
        package_dir = self.storage.start_extract(load_id)
        state = copy.deepcopy(self._state)
        refreshed = apply_refresh(refresh, source, schema, state)
        state_token = active_state.set(state)
        source_token = active_source.set(source.name)
        # `dlt.current.source_schema()` in a resource's code: the schema being extracted into
        schema_token = active_source_schema.set(schema)
        extractor = Extractor(package_dir, schema, self.pipeline_name, hook,
                              progress=None if is_null(self.collector) else self.collector,
                              items_per_file=_config_int(("extract", "items_per_file"), 100_000),
                              buffer_items=_config_int(("extract", "buffer_items"), 5_000))
        info = SourceExtractInfo(load_id, source.name)
        custom_metrics: dict[str, dict[str, Any]] = {}
        info.custom_metrics = custom_metrics  # type: ignore[attr-defined]
        metrics_token = active_metrics.set(custom_metrics)
        if hook.on_extract_start.get_hookimpls():
            hook.on_extract_start(pipeline_name=self.pipeline_name, source_name=source.name,
                                  resource_names=list(source.selected_resources))
        failure: BaseException | None = None
        try:
            with self.collector(f"Extract {source.name}"):
                extractor.extract(source, load_id, info)
        except Exception as exc:
            failure = exc
        finally:
            active_state.reset(state_token)
            active_source.reset(source_token)
            active_source_schema.reset(schema_token)
            active_metrics.reset(metrics_token)
        if failure is not None:
            failure = explain_os_error(failure, self._working_dir)
        if isinstance(failure, (DataValidationError, StorageFullError)) or (
                failure is not None and not info.item_counts):
            # a frozen `tables` contract rejects the data, or the error came before any item:
            # there is nothing to keep, and no package is left pending (as in dlt 1.31)
            self.storage.discard_extract(load_id)
            if isinstance(failure, StorageFullError):  # its message says what was kept
                raise PipelineStepFailed(self.pipeline_name, "extract", failure, None, info,
                                         package_kept=None) from failure
            raise PipelineStepFailed(self.pipeline_name, "extract", failure, load_id, info,
                                     package_kept=False) from failure
        if schema.name not in state.setdefault("schema_names", []):
            state["schema_names"].append(schema.name)
        state.setdefault("default_schema_name", schema.name)
        state_changed = state_files.bump_state(state)
        if state_changed:
            extractor.write_items(STATE_TABLE, [state_files.state_row(state)], info)
            extractor._files[STATE_TABLE].close()
        if not info.item_counts and failure is None and not refreshed:
            self.storage.discard_extract(load_id)
            self._state = state
            self.schemas_store.save(schema)
            self._save_state()
            return info
        PackageStorage.write_json(package_dir / "package.json", {
            "load_id": load_id, "schema_name": schema.name, "state": encode_state(state),
            "item_counts": info.item_counts, "partial": failure is not None, "restore": restore,
            **({"refresh": refreshed, "refresh_mode": refresh} if refreshed else {}),
        })
        self.schemas_store.save(schema)
        self.storage.commit_extract(load_id)
        self._state = state
        self._save_state()
        counts = {t: n for t, n in info.item_counts.items() if not t.startswith("_dlt")}
        logger.info("extract: source %s: %d items in %d tables (%s) into load package %s%s in %.2fs",
                    source.name, sum(counts.values()), len(counts),
                    ", ".join(f"{t}: {n}" for t, n in sorted(counts.items())) or "no tables", load_id,
                    " (partial: the source failed)" if failure is not None else "",
                    (datetime.now(timezone.utc) - extract_started).total_seconds())
        if hook.on_extract_complete.get_hookimpls():
            hook.on_extract_complete(pipeline_name=self.pipeline_name, load_id=load_id,
                                     row_counts=dict(info.item_counts))
        if failure is not None:
            raise PipelineStepFailed(self.pipeline_name, "extract", failure, load_id, info) from failure
        return info

    def _file_formats(self, requested: str | None = None) -> tuple[str, str]:
        """The job file format of rows and the one of Arrow data: the `loader_file_format`
        asked for (by this call, the running `run()` or `dlt.pipeline()`), else the
        destination's preferred ones. Arrow data goes to parquet unless the format is `arrow`
        (Arrow IPC), as for rows."""
        capabilities = self.destination.capabilities() if self.destination is not None else None
        chosen = requested or self._run_file_format or self.loader_file_format
        if chosen in FORMATS_LOADED_AS_PREFERRED and (
                capabilities is None or chosen not in capabilities.supported_loader_file_formats):
            if chosen not in self._warned_formats:
                self._warned_formats.add(chosen)
                logger.warning("loader_file_format '%s' is not written by this dlt; the"
                               " destination's preferred format loads the same rows", chosen)
            chosen = None
        if chosen:
            supported = capabilities.supported_loader_file_formats if capabilities else LOADER_FILE_FORMATS
            if chosen not in supported:
                where = f"destination {self.destination.destination_name}" if capabilities else "dlt"
                raise UnsupportedFileFormat(
                    f"loader_file_format '{chosen}' is not supported by {where}; it loads"
                    f" {', '.join(supported)}. Pass one of these, or leave it out to use the"
                    " destination's preferred format."
                )
            return chosen, arrow_file_format_for(chosen)
        if capabilities is not None:
            return capabilities.preferred_loader_file_format, capabilities.preferred_arrow_file_format
        return "parquet", "parquet"

    def _row_counter(self) -> Any:
        """What counts the rows normalize writes for the collector; None without progress."""
        if is_null(self.collector):
            return None
        from dlt.collectors.rows import CollectorRowCounter

        return CollectorRowCounter(self.collector)

    @staticmethod
    def _normalize_workers(requested: int | None) -> int:
        """Worker processes for normalize: the argument, `normalize.workers`, or the CPU count
        (workers are only started for big packages)."""
        if requested:
            return max(1, int(requested))
        from dlt.configuration.resolve import get_resolver

        found = get_resolver().lookup([("normalize", "workers")])
        if found is not None:
            return max(1, _config_int(("normalize", "workers"), 1))
        return max(1, min(4, os.cpu_count() or 1))

    def normalize(self, workers: int | None = None, loader_file_format: str | None = None,
                  _trace: PipelineTrace | None = None) -> NormalizeInfo | None:
        """Normalize every extracted package into load jobs."""
        from dlt.normalize.normalizer import PackageNormalizer
        from dlt.plugins import get_plugin_manager

        if _trace is None:  # a normalize() of its own, not a step of run()
            self._warned_formats = set()
        rows_format, arrow_format = self._file_formats(loader_file_format)
        started = datetime.now(timezone.utc)
        with self._call_trace(_trace) as trace, self._step(trace, "normalize") as record:
            refuse_packages_of_dlt_131(self.pipeline_name, self._working_dir)
            self.storage.recover()
            self._finish_aborts()
            totals = NormalizeInfo(self, first_run=self.first_run, started_at=started)
            worker_count = self._normalize_workers(workers)
            hook = get_plugin_manager().hook
            for load_id in self.storage.list("extracted"):
                raise_if_signalled()
                package = PackageStorage.read_json(self.storage.path("extracted", load_id) / "package.json")
                schema = self._apply_destination_naming(self.schemas_store.load(package["schema_name"]))
                normalizer = PackageNormalizer(self.storage, schema, rows_format,
                                               self.pipeline_name, hook, workers=worker_count,
                                               parallel_min_bytes=_config_int(
                                                   ("normalize", "parallel_min_bytes"), 16 * 1024 * 1024),
                                               buffer_rows=_config_int(("normalize", "buffer_rows"), 10_000),
                                               arrow_file_format=arrow_format,
                                               counter=self._row_counter())
                package_started = datetime.now(timezone.utc)
                logger.debug("normalize: package %s (schema %s) to %s files, %d workers at most",
                             load_id, schema.name, rows_format, worker_count)
                try:
                    with self.collector(f"Normalize {schema.name} in {load_id}"):
                        info = normalizer.normalize(load_id)
                        if normalizer.counter is not None:
                            normalizer.counter.finish(info.row_counts)
                except Exception as exc:
                    exc = explain_os_error(exc, self._working_dir)
                    raise PipelineStepFailed(self.pipeline_name, "normalize", exc, load_id) from exc
                self.schemas_store.save(schema)
                self.storage.commit_normalize(load_id)
                counts = {t: n for t, n in info.row_counts.items() if not t.startswith("_dlt")}
                logger.info("normalize: package %s: %d rows in %d tables (%s) in %.2fs", load_id,
                            sum(counts.values()), len(counts),
                            ", ".join(f"{t}: {n}" for t, n in sorted(counts.items())) or "no tables",
                            (datetime.now(timezone.utc) - package_started).total_seconds())
                if hook.on_normalize_complete.get_hookimpls():
                    hook.on_normalize_complete(pipeline_name=self.pipeline_name, load_id=load_id,
                                               row_counts=dict(info.row_counts))
                totals.load_packages.append(self.get_load_package_info(load_id))
                for table, rows in info.row_counts.items():
                    totals.row_counts[table] = totals.row_counts.get(table, 0) + rows
            totals.finished_at = datetime.now(timezone.utc)
            record.info = totals
        release_freed_memory()
        return record.info

    def _require_destination(self, destination: Any = None, dataset_name: str | None = None,
                             credentials: Any = None) -> Destination:
        if destination is not None:
            self.destination = resolve_destination(destination)
        if credentials is not None and self.destination is not None:
            self.destination = self.destination.with_credentials(credentials)
        if dataset_name:
            self.dataset_name = dataset_name
        if self.destination is None:
            raise PipelineConfigMissing(
                f"Pipeline {self.pipeline_name} has no destination. Pass destination='duckdb' (or"
                " another installed destination) to dlt.pipeline() or run(), or set DESTINATION."
            )
        if not self.dataset_name:
            self.dataset_name = f"{self.pipeline_name}_dataset"
        self._save_state()
        return self.destination

    def load(self, destination: Any = None, dataset_name: str | None = None, credentials: Any = None,
             *, workers: int | None = None, raise_on_failed_jobs: bool | None = None,
             _trace: PipelineTrace | None = None) -> LoadInfo:
        """Load every normalized package into the destination; returns the `LoadInfo`.

        A job that fails for good (`raise_on_failed_jobs`, default `load.raise_on_failed_jobs`
        or True) raises `PipelineStepFailed` and keeps its package pending: nothing of it is
        loaded or recorded in `_dlt_loads`, and the next load retries it until
        `abort_packages()` gives it up (`load.auto_abort_on_terminal_error` does that at once).
        With `raise_on_failed_jobs=False` the package completes without the failed job, which
        stays in `failed_jobs` with its error.
        """
        from dlt.load.loader import Loader, PackageAborted
        from dlt.plugins import get_plugin_manager

        destination_obj = self._require_destination(destination, dataset_name, credentials)
        if raise_on_failed_jobs is None:
            raise_on_failed_jobs = _config_bool(("load", "raise_on_failed_jobs"), True)
        auto_abort = _config_bool(("load", "auto_abort_on_terminal_error"), False)
        policy = "abort" if auto_abort else ("retry" if raise_on_failed_jobs else "fail")
        hook = get_plugin_manager().hook
        started = datetime.now(timezone.utc)
        with self._call_trace(_trace) as trace, self._step(trace, "load") as record:
            refuse_packages_of_dlt_131(self.pipeline_name, self._working_dir)
            self._finish_aborts()
            loader = Loader(self.storage, destination_obj, self.dataset_name, self.pipeline_name,
                            self._working_dir, hook, on_terminal_error=policy,
                            collector=self.collector)
            naming_schema = self.default_schema if self.default_schema_name else Schema(self.pipeline_name)
            stored_name = stored_dataset_name(destination_obj, naming_schema, self.dataset_name)
            info = LoadInfo(self, destination_obj.name, self._destination_location(), stored_name,
                            started, None, [], self.first_run,
                            destination_type=destination_obj.destination_type)
            record.info = info
            for load_id in self.storage.list("normalized"):
                try:
                    result = loader.load_package(load_id)
                except PackageAborted as exc:
                    # newer pending packages descend from the aborted one's state: they go too
                    for state, later in self._pending_packages():
                        if later > load_id:
                            self.storage.request_abort(state, later)
                    self._finish_aborts()
                    info.load_packages.append(self.get_load_package_info(load_id))
                    if raise_on_failed_jobs:
                        raise PipelineStepFailed(self.pipeline_name, "load", exc.job_exception, load_id,
                                                 info) from exc.job_exception
                    break
                except Exception as exc:
                    info.load_packages.append(self.get_load_package_info(load_id))
                    raise PipelineStepFailed(self.pipeline_name, "load", exc, load_id, info) from exc
                package = self.get_load_package_info(load_id)
                package.already_loaded, package.elapsed = result.already_loaded, result.elapsed
                package.jobs = _with_elapsed(package.jobs, result.jobs)
                info.load_packages.append(package)
            info.finished_at = datetime.now(timezone.utc)
            if any(package.state == "loaded" for package in info.load_packages):
                self._state.setdefault("_local", {})["first_run"] = False
                self._save_state()
            for package in info.load_packages:
                if hook.on_load_complete.get_hookimpls():
                    hook.on_load_complete(pipeline_name=self.pipeline_name, load_id=package.load_id,
                                          load_info=info)
        return info

    def _destination_location(self) -> str | None:
        database_path = getattr(self.destination, "database_path", None)
        if database_path is not None:
            location = database_path(self.pipeline_name)
            return location if isinstance(location, str) else "an open connection"
        config = self.destination.configuration() if self.destination else {}
        return str(config.get("bucket_url")) if config.get("bucket_url") else None

    def run(self, data: Any = None, *, destination: Any = None, staging: Any = None,
            dataset_name: str | None = None,
            credentials: Any = None, table_name: str | None = None, write_disposition: Any = None,
            columns: Any = None, primary_key: Any = None, schema: Schema | None = None,
            loader_file_format: str | None = None, table_format: str | None = None,
            schema_contract: Any = None, refresh: str | None = None) -> LoadInfo:
        """Extract, normalize and load `data`; returns the `LoadInfo`.

        As in dlt 1.31, when packages of an earlier run are pending, `run()` finishes them
        (normalize, then load) and returns without extracting `data` (a warning says so): run
        again to load it. A package with a failed job stays pending until it loads or is given
        up with `abort_packages()`. `refresh` is `drop_sources`, `drop_resources` or `drop_data`
        (see `dlt.pipeline.refresh`).
        """
        check_refresh_mode(refresh)
        self._set_staging(staging)
        self._require_destination(destination, dataset_name, credentials)
        # a missing or invalid destination setting fails here, before any data moves
        self.destination.configuration()
        # as in dlt 1.31 the format passed to run() applies to this run only
        self._warned_formats = set()
        self._run_file_format = loader_file_format
        try:
            self._file_formats()
            check_step_settings()
            if table_format is not None:
                self._check_table_format(table_format)
            trace = PipelineTrace(self.pipeline_name)
            with delayed_signals():
                return self._run(data, trace, table_name=table_name,
                                 write_disposition=write_disposition, columns=columns,
                                 primary_key=primary_key, schema=schema,
                                 schema_contract=schema_contract, refresh=refresh,
                                 table_format=table_format)
        finally:
            self._run_file_format = None

    def _check_table_format(self, table_format: str) -> None:
        """Refuse a `table_format` the destination cannot write, before any data moves."""
        capabilities = self.destination.capabilities()
        supported = tuple(getattr(capabilities, "supported_table_formats", None) or ())
        if table_format not in supported:
            offer = ", ".join(supported) if supported else "no open table formats"
            raise UnsupportedFileFormat(
                f"table_format '{table_format}' is not supported by destination"
                f" {self.destination.destination_name}: it writes {offer}. Leave table_format out to"
                " load ordinary tables, or use a destination that writes that format (dlt's"
                " filesystem destination with delta or iceberg)."
            )

    def _run(self, data: Any, trace: PipelineTrace, **hints: Any) -> LoadInfo:
        run_step = trace.start("run")
        trace.steps.remove(run_step)
        info: LoadInfo | None = None
        error: BaseException | None = None
        if not self._state.get("_state_version") and not self.has_pending_data:
            # a new or deleted working dir: take state and schemas from the destination
            try:
                self.sync_destination()
            except DltException as exc:
                logger.info("nothing restored from the destination: %s", exc)
        try:
            self._finish_aborts()
            if self.has_pending_data:
                if data is not None:
                    logger.warning(
                        "Pipeline %s has pending load packages: run() loads them now and does not"
                        " extract the data passed to it. Run the pipeline again to load that data.",
                        self.pipeline_name)
                self.normalize(_trace=trace)
                info = self.load(_trace=trace)
                return info
            if data is None:
                info = self.load(_trace=trace)
                return info
            self.extract(data, _trace=trace, **hints)
            self.normalize(_trace=trace)
            info = self.load(_trace=trace)
            return info
        except BaseException as exc:
            error = exc.exception if isinstance(exc, PipelineStepFailed) else exc
            raise
        finally:
            trace.steps.append(run_step)
            trace.finish(run_step, info=info or trace.last_load_info, error=error)
            trace.finished_at = run_step.finished_at
            took = (run_step.finished_at - run_step.started_at).total_seconds()
            logger.info("run: pipeline %s %s in %.2fs", self.pipeline_name,
                        "failed" if error is not None else "completed", took)
            self._save_trace(trace)

    # -- destination access ---------------------------------------------------------------------

    def destination_client(self, schema_name: str | None = None) -> Any:
        """A job client of the destination for one of the pipeline's schemas."""
        destination = self._require_destination()
        name = schema_name or self.default_schema_name
        schema = self.schemas_store.load(name) if name else Schema(self.pipeline_name)
        return destination.client(client_context(destination, schema, self.dataset_name,
                                                 self.pipeline_name, self.working_dir))

    def sql_client(self, schema_name: str | None = None) -> Any:
        """A SQL client on the pipeline's dataset: `with pipeline.sql_client() as c: c.execute_sql(...)`."""
        return self.destination_client(schema_name).sql_client()

    def dataset(self, schema: Schema | str | list[Schema] | None = None) -> Any:
        """A `dlt.Dataset` to read the pipeline's dataset: `pipeline.dataset().items.df()`.

        `schema` picks the dlt schema (an object, a name of the pipeline's schemas or one stored
        in the destination, or a list); by default every schema of the pipeline, the default
        one first, as in dlt 1.31. As there, the dataset follows the pipeline's schemas: tables
        and columns that later runs add are visible through a dataset made before them.
        """
        from dlt.dataset import Dataset

        destination = self._require_destination()
        live = None
        if isinstance(schema, str) and schema in self.schema_names:
            live = self._live_schemas(schema)
        elif schema is None:
            live = self._live_schemas()
        return Dataset(destination, self.dataset_name, schema, pipeline_name=self.pipeline_name,
                       pipeline_dir=self.working_dir, live_schemas=live)

    def _live_schemas(self, name: str | None = None) -> Any:
        """A function that returns the pipeline's current schemas for a `Dataset`: schema
        `name`, or every schema with the default one first (none before the first run)."""
        def current() -> list[Schema]:
            names = [name] if name else [self.default_schema_name] + [
                n for n in self.schema_names if n != self.default_schema_name]
            found = []
            for schema_name in filter(None, names):
                try:
                    found.append(self.schemas_store.live(schema_name))
                except FileNotFoundError:  # named in the state, not stored (yet)
                    continue
            return found

        return current

    def sync_destination(self) -> bool:
        """Restore state and schemas from the destination when it holds newer ones.

        Returns True when something was restored.
        """
        restored = False
        client = self.destination_client()
        if client.is_storage_missing():
            return False
        with client:
            if not client.is_storage_initialized():
                return False
            remote = client.get_stored_state(self.pipeline_name)
            if remote and remote.get("_state_version", 0) > self._state.get("_state_version", 0):
                self._state = state_files.merge_restored(self._state, remote)
                restored = True
            if remote:
                # as in dlt 1.31: a pipeline whose state the destination holds has run before
                self._state.setdefault("_local", {})["first_run"] = False
            for name in self._state.get("schema_names", []):
                document = client.get_stored_schema(name)
                if document is None:
                    continue
                remote_schema = Schema.from_dict(document)
                if name not in self.schemas_store.names() or \
                        self.schemas_store.load(name).version < remote_schema.version:
                    self.schemas_store.save(remote_schema)
                    restored = True
        self._save_state()
        return restored

    def drop_tables(self, *tables: str, schema_name: str | None = None) -> list[str]:
        """Drop tables (with their child tables) from the destination and the schema.

        The state of resources that loaded them is reset, so the next run loads them from
        scratch. Returns the names of the dropped tables.
        """
        name = schema_name or self.default_schema_name
        if not name:
            raise PipelineConfigMissing(f"Pipeline {self.pipeline_name} has no schema yet.")
        schema = self.schemas_store.load(name)
        unknown = [t for t in tables if t not in schema.tables or t.startswith("_dlt")]
        if unknown:
            known = ", ".join(t["name"] for t in schema.data_tables(include_incomplete=True))
            raise PipelineException(
                f"Cannot drop {', '.join(unknown)}: not a data table of schema {name}. Tables: {known}."
            )
        dropped: list[str] = []
        for table in tables:
            for child in [schema.tables[table], *schema.child_tables(table)]:
                if child["name"] not in dropped:
                    dropped.append(child["name"])
        resources = {schema.tables[t].get("resource") for t in tables}
        client = self.destination_client(name)
        with client:
            client.drop_tables(*reversed(dropped))
        for table in dropped:
            schema.tables.pop(table, None)
        self.schemas_store.save(schema)
        source_state = self._state.get("sources", {}).get(name, {})
        for resource in resources:
            source_state.get("resources", {}).pop(resource, None)
        state_files.bump_state(self._state)
        self._save_state()
        with self.destination_client(name) as updated:
            updated.update_stored_schema()
        return dropped

    def get_load_package_info(self, load_id: str) -> LoadPackageInfo:
        """A load package read from disk: its `state` (`extracted`, `normalized`, `loaded` or
        `aborted`), schema, `schema_update`, row counts and `jobs` by job state, each job with
        its error (`failed_message`)."""
        state = self.storage.package_state(load_id)
        if state is None:
            raise PipelineException(f"Pipeline {self.pipeline_name} has no load package {load_id}.")
        folder_state = "loaded" if state == "aborted" else state
        folder = self.storage.path(folder_state, load_id)
        package = PackageStorage.read_json(folder / "package.json") if (folder / "package.json").exists() else {}
        jobs: dict[str, list[LoadJobInfo]] = {job_state: [] for job_state in JOB_STATES}
        schema: Any = None
        if state == "extracted":
            # extracted packages hold item files per resource table, before nesting
            for path in sorted((folder / "items").glob("*")) if (folder / "items").exists() else []:
                if path.name.endswith((".keys", ".tmp")):
                    continue
                table, index = path.name.split(".")[0], path.name.split(".")[1]
                job = LoadJobInfo(load_id, path.name, table, index, path.name.rsplit(".", 1)[-1],
                                  "new_jobs", file_size=path.stat().st_size, file_path=str(path.absolute()),
                                  created_at=datetime.fromtimestamp(path.stat().st_mtime, timezone.utc))
                jobs["new_jobs"].append(job)
            if package.get("schema_name") in self.schemas_store.names():
                schema = self.schemas_store.load(package["schema_name"])
        else:
            for job_state in JOB_STATES:
                for path in self.storage_jobs(folder_state, load_id, job_state):
                    error = self.storage.job_error(folder_state, load_id, path.name, job_state)
                    jobs[job_state].append(LoadJobInfo.from_path(load_id, path, job_state, error=error))
            if (folder / "schema.json").exists():
                schema = Schema.from_dict(PackageStorage.read_json(folder / "schema.json"))
        restore = package.get("restore") or {}
        update = schema_update_between(restore.get("schema"), schema) if schema is not None and state != "extracted" else {}
        completed_at = None
        if (folder / "completed.json").exists():
            completed_at = datetime.fromtimestamp(
                PackageStorage.read_json(folder / "completed.json")["completed_at"], timezone.utc)
        refreshed = package.get("refresh") or {}
        return LoadPackageInfo(load_id, str(folder.absolute()), state, schema, update, completed_at, jobs,
                               row_counts=dict(package.get("row_counts", package.get("item_counts", {}))),
                               refresh=package.get("refresh_mode"),
                               dropped_tables=list(refreshed.get("dropped_tables", [])),
                               truncated_tables=list(refreshed.get("truncated_tables", [])))

    def storage_jobs(self, folder_state: str, load_id: str, job_state: str) -> list[Path]:
        """Job files of package `load_id` in `folder_state` (normalized or loaded) and `job_state`."""
        folder = self.storage.path(folder_state, load_id) / job_state
        if not folder.exists():
            return []
        return sorted(p for p in folder.iterdir() if not p.name.endswith((".exception", ".tmp")))

    @property
    def is_active(self) -> bool:
        """True when this is the pipeline `dlt.current.pipeline()`, `dlt.run` and
        `dlt.pipeline()` without arguments use (the last one created or activated)."""
        from dlt.pipeline import registry

        return registry.last_pipeline() is self

    def activate(self) -> None:
        """Make this the active pipeline (see `is_active`)."""
        from dlt.pipeline import registry

        registry.remember(self)

    def deactivate(self) -> None:
        """Stop this pipeline being the active one; raises `PipelineNotActive` when it is not."""
        from dlt.pipeline import registry

        if not self.is_active:
            raise PipelineNotActive(
                f"Pipeline {self.pipeline_name} is not the active pipeline, so it cannot be"
                " deactivated; pipeline.activate() makes it active."
            )
        registry.forget()

    def drop(self, pipeline_name: str | None = None) -> Pipeline:
        """Delete the local working dir (state, schemas, pending packages, trace) and return a
        fresh pipeline with the same name, destination and dataset; the destination is left as
        it is, so `sync_destination()` (or the next run) restores state and schemas from it."""
        shutil.rmtree(self._working_dir, ignore_errors=True)
        from dlt.pipeline import registry

        settings = dict(pipeline_secret=self.pipeline_secret, progress=self.progress,
                        import_schema_path=self.import_schema_path,
                        export_schema_path=self.export_schema_path, dev_mode=self.dev_mode,
                        loader_file_format=self.loader_file_format)
        staging = self.staging
        # this instance forgets what it held too (schemas, state, trace), as in dlt 1.31, so a
        # script that goes on using it runs like a first run instead of reading deleted files
        Pipeline.__init__(self, self.pipeline_name, self._working_dir, self.destination,
                          self.dataset_name, **settings)
        fresh = Pipeline(pipeline_name or self.pipeline_name, self._working_dir, self.destination,
                         self.dataset_name, **settings)
        self.staging = fresh.staging = staging
        registry.remember(fresh)
        return fresh

    def __repr__(self) -> str:
        destination = self.destination.name if self.destination else None
        return f"<Pipeline {self.pipeline_name} destination={destination} dataset={self.dataset_name} working_dir={self.working_dir}>"
