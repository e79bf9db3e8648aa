"""`Pipeline`: moves data from sources to a destination through extract, normalize and load."""

from __future__ import annotations

import copy
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dlt.utils.context import active_pipeline, active_source, active_state
from dlt.utils.logging_setup import configure_logging
from dlt.utils.memory import release_freed_memory
from dlt.utils.signals import delayed_signals, raise_if_signalled
from dlt.utils.exceptions import DltException
from dlt.destinations import resolve_destination
from dlt.destinations.base import (
    FORMATS_LOADED_AS_PREFERRED,
    LOADER_FILE_FORMATS,
    ClientContext,
    Destination,
    arrow_file_format_for,
)
from dlt.destinations.sql_job_client import decode_state, encode_state
from dlt.destinations.strategies import verify_resource_strategies
from dlt.extract.decorators import SourceFactory
from dlt.extract.extractor import ExtractInfo, Extractor
from dlt.extract.hints import make_hints
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource
from dlt.load.loader import Loader
from dlt.normalize.normalizer import NormalizeInfo, PackageNormalizer
from dlt.pipeline import state as state_files
from dlt.pipeline.exceptions import (
    PipelineConfigMissing,
    PipelineException,
    PipelineStepFailed,
    UnsupportedFileFormat,
)
from dlt.pipeline.load_info import LoadInfo
from dlt.pipeline.progress import ProgressReporter
from dlt.pipeline.refresh import apply_refresh, check_refresh_mode
from dlt.pipeline.schemas import SchemaStore
from dlt.pipeline.trace import PipelineTrace
from dlt.schema import Schema
from dlt.schema.typing import STATE_TABLE
from dlt.storage.packages import PackageStorage, new_load_id

logger = logging.getLogger("dlt")


def _config_int(path: tuple[str, ...], default: int) -> int:
    """An integer setting from configuration (e.g. `NORMALIZE__WORKERS`), or `default`."""
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([path])
    return int(found[0]) if found is not None else default


class Pipeline:
    """A named pipeline with a working dir, a destination and a dataset.

    Create one with `dlt.pipeline(...)`; the working dir keeps its state, schemas and pending
    load packages, so a pipeline resumes where it stopped.
    """

    def __init__(self, pipeline_name: str, working_dir: Path, destination: Destination | None,
                 dataset_name: str | None, *, pipeline_secret: str | None = None,
                 import_schema_path: str | None = None, export_schema_path: str | None = None,
                 dev_mode: bool = False, progress: Any = None,
                 loader_file_format: str | None = None, refresh: str | None = None) -> None:
        self.pipeline_name = pipeline_name
        self.working_dir = Path(working_dir)
        self.pipeline_secret = pipeline_secret
        self.dev_mode = dev_mode
        self.progress = progress
        self.loader_file_format = loader_file_format
        self.refresh = check_refresh_mode(refresh)
        self.working_dir.mkdir(parents=True, exist_ok=True)
        self.storage = PackageStorage(self.working_dir)
        self.schemas_store = SchemaStore(self.working_dir, import_schema_path, export_schema_path)
        stored = state_files.load_state(self.working_dir)
        self._state = stored or state_files.new_state(pipeline_name, dataset_name)
        self.destination = destination
        if destination is None and self._state.get("destination_name"):
            try:
                self.destination = resolve_destination(self._state["destination_name"])
            except DltException:
                self.destination = None
        self.dataset_name = dataset_name or self._state.get("dataset_name")
        self.last_trace: PipelineTrace | None = None
        configure_logging()
        before = state_files.state_hash(self._state), self.dataset_name, self._state.get("dataset_name")
        self._adopt_package_states()
        changed = before != (state_files.state_hash(self._state), self.dataset_name, self._state.get("dataset_name"))
        if stored is None or changed or (destination is not None and
                                         self._state.get("destination_name") != destination.name):
            self._save_state()

    # -- properties -----------------------------------------------------------------------------

    @property
    def pipelines_dir(self) -> Path:
        """The folder holding this pipeline's working dir."""
        return self.working_dir.parent

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
        """Load ids loaded."""
        return self.storage.list("loaded")

    def drop_pending_packages(self) -> None:
        """Delete every package that is extracted or normalized but not loaded."""
        for state in ("extracted", "normalized"):
            for load_id in self.storage.list(state):
                shutil.rmtree(self.storage.path(state, load_id), ignore_errors=True)

    # -- state -----------------------------------------------------------------------------------

    def _save_state(self) -> None:
        self._state["pipeline_name"] = self.pipeline_name
        self._state["dataset_name"] = self.dataset_name
        if self.destination is not None:
            self._state["destination_name"] = self.destination.name
        state_files.save_state(self.working_dir, self._state)

    def _adopt_package_states(self) -> None:
        """Take the newest state written into a pending package (after a crash)."""
        newest = None
        for status in ("extracted", "normalized"):
            for load_id in self.storage.list(status):
                package_file = self.storage.path(status, load_id) / "package.json"
                if not package_file.exists():
                    continue
                encoded = PackageStorage.read_json(package_file).get("state")
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
        try:
            yield record
        except PipelineStepFailed as exc:
            trace.finish(record, error=exc.exception)
            self._save_trace(trace)
            raise
        except Exception as exc:
            trace.finish(record, error=exc)
            self._save_trace(trace)
            logger.error("pipeline %s failed at step %s: %s", self.pipeline_name, step, exc)
            raise PipelineStepFailed(self.pipeline_name, step, exc) from exc
        finally:
            active_pipeline.reset(token)
        if record.finished_at is None:
            trace.finish(record, info=record.info)

    def _save_trace(self, trace: PipelineTrace) -> None:
        from dlt.configuration.resolve import get_resolver

        unique = {(p.field, p.provider, p.key): dict(p.__dict__) for p in get_resolver().provenance}
        trace.resolved_config = list(unique.values())
        self.last_trace = trace
        try:
            trace.save(self.working_dir / "trace.json")
        except OSError:
            logger.warning("could not save the trace of pipeline %s", self.pipeline_name)

    def _sources_from(self, data: Any, table_name: str | None, write_disposition: Any, columns: Any,
                      primary_key: Any, schema: Schema | None, schema_contract: Any) -> list[DltSource]:
        hints = make_hints(table_name=table_name, write_disposition=write_disposition, columns=columns,
                           primary_key=primary_key, schema_contract=schema_contract, _partial=True)
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
            name = table_name if isinstance(table_name, str) else None
            if name is None:
                name = getattr(data, "__name__", None)
                if name is None or name == "<lambda>":
                    name = self.pipeline_name
            sources = [self._wrap(schema, [DltResource(data, name, make_hints())])]
        if hints:
            for source in sources:
                for resource in source.selected_resources.values():
                    resource.apply_hints(**hints)
        if schema is not None:
            for source in sources:
                source.schema = schema
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
        elif convention:
            schema.naming = get_naming_convention(convention)
        return schema

    def extract(self, data: Any, *, table_name: str | None = None, write_disposition: Any = None,
                columns: Any = None, primary_key: Any = None, schema: Schema | None = None,
                schema_contract: Any = None, refresh: str | None = None,
                _trace: PipelineTrace | None = None) -> ExtractInfo:
        """Evaluate `data` (a source, resource, list of them, or any iterable) into a load package.

        `refresh` (or the pipeline's own `refresh`) starts sources over: see `dlt.pipeline.refresh`."""
        refresh = check_refresh_mode(refresh) or self.refresh
        trace = _trace or PipelineTrace(self.pipeline_name)
        with self._step(trace, "extract") as record:
            self.storage.recover()
            sources = self._sources_from(data, table_name, write_disposition, columns, primary_key,
                                         schema, schema_contract)
            infos = [self._extract_source(source, refresh) for source in sources]
            record.info = infos[-1] if infos else None
        if _trace is None:
            self._save_trace(trace)
        return record.info

    def _extract_source(self, source: DltSource, refresh: str | None = None) -> ExtractInfo:
        from dlt.plugins import get_plugin_manager

        hook = get_plugin_manager().hook
        if self.destination is not None:
            # a merge strategy the destination cannot carry out fails before any item is read
            verify_resource_strategies({n: r.hints for n, r in source.selected_resources.items()},
                                       self.destination.capabilities(), self.destination.name)
        schema = self._schema_for(source)
        schema = self.schemas_store.apply_import(schema)
        load_id = new_load_id()
        package_dir = self.storage.start_extract(load_id)
        state = copy.deepcopy(self._state)
        refreshed = apply_refresh(refresh, source, schema, state)
        state_token = active_state.set(state)
        source_token = active_source.set(source.name)
        reporter = ProgressReporter(self.progress, "extract")
        extractor = Extractor(package_dir, schema, self.pipeline_name, hook, progress=reporter,
                              items_per_file=_config_int(("extract", "items_per_file"), 100_000),
                              buffer_items=_config_int(("extract", "buffer_items"), 5_000))
        info = ExtractInfo(load_id, source.name)
        if hook.on_extract_start.get_hookimpls():
            hook.on_extract_start(pipeline_name=self.pipeline_name, source_name=source.name,
                                  resource_names=list(source.selected_resources))
        failure: BaseException | None = None
        try:
            extractor.extract(source, load_id, info)
        except Exception as exc:
            failure = exc
        finally:
            active_state.reset(state_token)
            active_source.reset(source_token)
        reporter.finish(info.item_counts)
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
            "item_counts": info.item_counts, "partial": failure is not None,
            **({"refresh": refreshed} if refreshed else {}),
        })
        self.schemas_store.save(schema)
        self.storage.commit_extract(load_id)
        self._state = state
        self._save_state()
        if hook.on_extract_complete.get_hookimpls():
            hook.on_extract_complete(pipeline_name=self.pipeline_name, load_id=load_id,
                                     row_counts=dict(info.item_counts))
        if failure is not None:
            raise PipelineStepFailed(self.pipeline_name, "extract", failure, load_id, info) from failure
        return info

    def _file_formats(self) -> tuple[str, str]:
        """The job file format of rows and the one of Arrow data: the `loader_file_format`
        asked for, else the destination's preferred ones. Arrow data goes to parquet unless
        the format is `arrow` (Arrow IPC), as for rows."""
        capabilities = self.destination.capabilities() if self.destination is not None else None
        chosen = self.loader_file_format
        if chosen in FORMATS_LOADED_AS_PREFERRED:
            logger.warning("loader_file_format '%s' is not written by this dlt; the destination's"
                           " preferred format loads the same rows", chosen)
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

    @staticmethod
    def _normalize_workers(requested: int | None) -> int:
        """Worker processes for normalize: the argument, `normalize.workers`, or the CPU count
        (workers are only started for big packages)."""
        if requested:
            return max(1, int(requested))
        from dlt.configuration.resolve import get_resolver

        found = get_resolver().lookup([("normalize", "workers")])
        if found is not None:
            return max(1, int(found[0]))
        return max(1, min(4, os.cpu_count() or 1))

    def normalize(self, workers: int | None = None, loader_file_format: str | None = None,
                  _trace: PipelineTrace | None = None) -> NormalizeInfo | None:
        """Normalize every extracted package into load jobs."""
        from dlt.plugins import get_plugin_manager

        if loader_file_format:
            self.loader_file_format = loader_file_format
        rows_format, arrow_format = self._file_formats()
        trace = _trace or PipelineTrace(self.pipeline_name)
        with self._step(trace, "normalize") as record:
            self.storage.recover()
            totals = NormalizeInfo(load_id="")
            worker_count = self._normalize_workers(workers)
            reporter = ProgressReporter(self.progress, "normalize")
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
                                               arrow_file_format=arrow_format)
                try:
                    info = normalizer.normalize(load_id)
                except Exception as exc:
                    raise PipelineStepFailed(self.pipeline_name, "normalize", exc, load_id) from exc
                self.schemas_store.save(schema)
                self.storage.commit_normalize(load_id)
                if hook.on_normalize_complete.get_hookimpls():
                    hook.on_normalize_complete(pipeline_name=self.pipeline_name, load_id=load_id,
                                               row_counts=dict(info.row_counts))
                totals.load_id = load_id
                for table, rows in info.row_counts.items():
                    totals.row_counts[table] = totals.row_counts.get(table, 0) + rows
                for table, rows in info.row_counts.items():
                    reporter.update(table, rows)
            reporter.finish(totals.row_counts)
            record.info = totals
        release_freed_memory()
        if _trace is None:
            self._save_trace(trace)
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
             *, raise_on_failed_jobs: bool = True, _trace: PipelineTrace | None = None) -> LoadInfo:
        """Load every normalized package into the destination."""
        from dlt.plugins import get_plugin_manager

        destination_obj = self._require_destination(destination, dataset_name, credentials)
        trace = _trace or PipelineTrace(self.pipeline_name)
        hook = get_plugin_manager().hook
        started = datetime.now(timezone.utc)
        with self._step(trace, "load") as record:
            loader = Loader(self.storage, destination_obj, self.dataset_name, self.pipeline_name,
                            self.working_dir, hook)
            packages = []
            reporter = ProgressReporter(self.progress, "load")
            first_run = self.first_run
            for load_id in self.storage.list("normalized"):
                try:
                    packages.append(loader.load_package(load_id))
                except Exception as exc:
                    raise PipelineStepFailed(self.pipeline_name, "load", exc, load_id) from exc
                for table, rows in packages[-1].row_counts.items():
                    reporter.update(table, rows)
            reporter.finish()
            info = LoadInfo(self.pipeline_name, destination_obj.name, self._destination_location(),
                            self.dataset_name, started, datetime.now(timezone.utc), packages, first_run)
            record.info = info
            if packages:
                self._state.setdefault("_local", {})["first_run"] = False
                self._save_state()
            for package in packages:
                if hook.on_load_complete.get_hookimpls():
                    hook.on_load_complete(pipeline_name=self.pipeline_name, load_id=package.load_id,
                                          load_info=info)
            if raise_on_failed_jobs and info.has_failed_jobs:
                failed = info.failed_jobs[0]
                error = DltException(f"Job {failed.job_file} of table {failed.table_name} failed: {failed.error}")
                raise PipelineStepFailed(self.pipeline_name, "load", error, failed.load_id, info)
        if _trace is None:
            self._save_trace(trace)
        return info

    def _destination_location(self) -> str | None:
        database_path = getattr(self.destination, "database_path", None)
        if database_path is not None:
            location = database_path(self.pipeline_name)
            return location if isinstance(location, str) else "an open connection"
        config = self.destination.configuration() if self.destination else {}
        return str(config.get("bucket_url")) if config.get("bucket_url") else None

    def run(self, data: Any = None, *, destination: Any = None, dataset_name: str | None = None,
            credentials: Any = None, table_name: str | None = None, write_disposition: Any = None,
            columns: Any = None, primary_key: Any = None, schema: Schema | None = None,
            loader_file_format: str | None = None, schema_contract: Any = None,
            refresh: str | None = None) -> LoadInfo:
        """Finish pending packages, then extract, normalize and load `data`.

        `refresh` is `drop_sources`, `drop_resources` or `drop_data` (see `dlt.pipeline.refresh`)."""
        check_refresh_mode(refresh)
        if loader_file_format:
            self.loader_file_format = loader_file_format
        self._require_destination(destination, dataset_name, credentials)
        # a missing or invalid destination setting fails here, before any data moves
        self.destination.configuration()
        self._file_formats()
        trace = PipelineTrace(self.pipeline_name)
        with delayed_signals():
            return self._run(data, trace, table_name=table_name, write_disposition=write_disposition,
                             columns=columns, primary_key=primary_key, schema=schema,
                             schema_contract=schema_contract, refresh=refresh)

    def _run(self, data: Any, trace: PipelineTrace, **hints: Any) -> LoadInfo:
        if not self._state.get("_state_version") and not self.has_pending_data:
            # a new or deleted working dir: take state and schemas from the destination
            try:
                self.sync_destination()
            except DltException as exc:
                logger.info("nothing restored from the destination: %s", exc)
        try:
            pending_info = None
            if self.has_pending_data:
                self.normalize(_trace=trace)
                pending_info = self.load(_trace=trace)
            if data is None:
                if pending_info is None:
                    pending_info = self.load(_trace=trace)
                return pending_info
            self.extract(data, _trace=trace, **hints)
            self.normalize(_trace=trace)
            info = self.load(_trace=trace)
            if pending_info is not None:
                info.load_packages = pending_info.load_packages + info.load_packages
                info.started_at = pending_info.started_at
            return info
        finally:
            self._save_trace(trace)

    # -- destination access ---------------------------------------------------------------------

    def destination_client(self, schema_name: str | None = None) -> Any:
        """A job client of the destination for one of the pipeline's schemas."""
        destination = self._require_destination()
        name = schema_name or self.default_schema_name
        schema = self.schemas_store.load(name) if name else Schema(self.pipeline_name)
        return destination.client(ClientContext(schema, self.dataset_name, self.pipeline_name, self.working_dir))

    def sql_client(self, schema_name: str | None = None) -> Any:
        """A SQL client on the pipeline's dataset: `with pipeline.sql_client() as c: c.execute_sql(...)`."""
        return self.destination_client(schema_name).sql_client()

    def sync_destination(self) -> bool:
        """Restore state and schemas from the destination when it holds newer ones.

        Returns True when something was restored.
        """
        restored = False
        client = self.destination_client()
        with client:
            if not client.is_storage_initialized():
                return False
            remote = client.get_stored_state(self.pipeline_name)
            if remote and remote.get("_state_version", 0) > self._state.get("_state_version", 0):
                self._state = state_files.merge_restored(self._state, remote)
                restored = True
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

    def get_load_package_info(self, load_id: str) -> dict[str, Any]:
        """Where a package is (extracted, normalized, loaded) and its jobs with their errors."""
        for status in ("extracted", "normalized", "loaded"):
            folder = self.storage.path(status, load_id)
            if not folder.exists():
                continue
            package = PackageStorage.read_json(folder / "package.json") if (folder / "package.json").exists() else {}
            jobs: dict[str, list[dict[str, Any]]] = {}
            for job_state in ("new_jobs", "started_jobs", "completed_jobs", "failed_jobs"):
                for path in sorted((folder / job_state).glob("*")) if (folder / job_state).exists() else []:
                    if path.name.endswith(".exception"):
                        continue
                    error_file = path.with_name(path.name + ".exception")
                    jobs.setdefault(job_state, []).append({
                        "file": path.name, "table": path.name.split(".")[0], "size": path.stat().st_size,
                        "error": error_file.read_text(encoding="utf-8") if error_file.exists() else None,
                    })
            return {"load_id": load_id, "status": status, "schema_name": package.get("schema_name"),
                    "row_counts": package.get("row_counts", package.get("item_counts", {})),
                    "jobs": jobs, "path": str(folder)}
        raise PipelineException(f"Pipeline {self.pipeline_name} has no load package {load_id}.")

    def drop(self) -> Pipeline:
        """Delete the working dir (state, schemas, pending packages); returns a fresh pipeline."""
        shutil.rmtree(self.working_dir, ignore_errors=True)
        return Pipeline(self.pipeline_name, self.working_dir, self.destination, self.dataset_name,
                        pipeline_secret=self.pipeline_secret, progress=self.progress)

    def __repr__(self) -> str:
        destination = self.destination.name if self.destination else None
        return f"<Pipeline {self.pipeline_name} destination={destination} dataset={self.dataset_name} working_dir={self.working_dir}>"
