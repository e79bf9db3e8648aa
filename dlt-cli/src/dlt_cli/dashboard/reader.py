"""What the dashboard shows, read through dlt's public API and nothing else.

The schema comes from `pipeline.default_schema` (or the schema picked with `--schema`), loads,
row counts and table rows from `pipeline.dataset()` (so any destination with a SQL client
works), the last run from `pipeline.last_trace`, and packages from
`pipeline.list_*_load_packages()` and `pipeline.get_load_package_info()`.

The pipeline is attached anew for every page, so a run that happens while the dashboard is open
shows on the next reload. Before anything reaches the destination, the CLI's check that the
data can be there runs (for DuckDB: the database file exists), so the dashboard never creates an
empty database; the local parts (schema, last run, packages) are shown either way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dlt_cli.errors import CliError, redact
from dlt_cli.pipeline_locator import require_destination

if TYPE_CHECKING:
    from dlt import Pipeline

#: rows on one page of a table preview
PAGE_SIZE = 50
#: loads of `_dlt_loads` shown, newest first
MAX_LOADS = 100
#: load packages shown, newest first
MAX_PACKAGES = 50
#: column properties that are shown in their own column, not as hints
PLAIN_COLUMN_KEYS = frozenset({"name", "data_type", "nullable", "description"})


@dataclass
class ColumnView:
    """A column of a table: its type, whether it may be null, and its other hints."""

    name: str
    data_type: str | None
    nullable: bool
    hints: list[str]
    description: str | None = None


@dataclass
class TableView:
    """A table of the schema with its row count in the destination (None: unknown)."""

    name: str
    parent: str | None
    write_disposition: str | None
    resource: str | None
    columns: list[ColumnView]
    row_count: int | None = None
    is_dlt_table: bool = False


@dataclass
class StepView:
    """One step of the last run."""

    step: str
    started_at: datetime | None
    finished_at: datetime | None
    seconds: float | None
    error: str | None
    details: str


@dataclass
class TraceView:
    """The last run: its steps and where each configuration value came from (never the value)."""

    started_at: datetime | None
    finished_at: datetime | None
    seconds: float | None
    failed: bool
    steps: list[StepView]
    resolved_config: list[dict[str, Any]]


@dataclass
class JobView:
    """A job of a load package."""

    state: str
    table: str
    file: str
    size: int
    error: str | None


@dataclass
class PackageView:
    """A load package: its state, rows per table and jobs (with errors)."""

    load_id: str
    state: str
    schema_name: str | None
    completed_at: datetime | None
    row_counts: dict[str, int]
    jobs: list[JobView]

    @property
    def pending(self) -> bool:
        """True while the package waits to be normalized or loaded."""
        return self.state in ("extracted", "normalized")

    @property
    def failed_jobs(self) -> list[JobView]:
        """Jobs that failed for good, and pending jobs that failed and wait for a retry."""
        return [job for job in self.jobs if job.state == "failed_jobs" or job.error]

    @property
    def failed(self) -> bool:
        """True when a job failed or the package was given up (aborted)."""
        return bool(self.failed_jobs) or self.state == "aborted"


@dataclass
class Overview:
    """Everything on the dashboard's main page. `*_error` fields say why a part is missing."""

    pipeline_name: str
    destination_name: str | None
    dataset_name: str | None
    schema_name: str | None
    schema_version: int | None
    state_version: int
    working_dir: str
    destination_problem: str | None
    tables: list[TableView] = field(default_factory=list)
    dlt_tables: list[TableView] = field(default_factory=list)
    row_counts_error: str | None = None
    loads_columns: list[str] = field(default_factory=list)
    loads: list[tuple[Any, ...]] = field(default_factory=list)
    loads_error: str | None = None
    trace: TraceView | None = None
    packages: list[PackageView] = field(default_factory=list)
    packages_error: str | None = None

    @property
    def pending_packages(self) -> list[PackageView]:
        """Packages that wait for the next run."""
        return [package for package in self.packages if package.pending]

    @property
    def failed_packages(self) -> list[PackageView]:
        """Packages with failed jobs, or given up."""
        return [package for package in self.packages if package.failed]


@dataclass
class TablePage:
    """One page of a table's rows, with the table's columns and hints."""

    pipeline_name: str
    dataset_name: str | None
    table: TableView
    page: int
    page_size: int
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    order_by: list[str] = field(default_factory=list)
    has_next: bool = False
    error: str | None = None

    @property
    def first_row(self) -> int:
        """The 1-based number of the first row on this page."""
        return (self.page - 1) * self.page_size + 1

    @property
    def last_row(self) -> int:
        """The 1-based number of the last row on this page."""
        return self.first_row + len(self.rows) - 1

    @property
    def page_count(self) -> int | None:
        """The number of pages, when the row count is known."""
        if self.table.row_count is None:
            return None
        return max(1, -(-self.table.row_count // self.page_size))


class UnknownTable(LookupError):
    """The table asked for is not in the schema."""


class PipelineReader:
    """Reads what the dashboard shows from one pipeline, one request at a time.

    `open_pipeline` attaches the pipeline (called for every page); `schema_name` picks a schema
    other than the default.
    """

    def __init__(self, open_pipeline: Callable[[], Pipeline], schema_name: str | None = None) -> None:
        self._open_pipeline = open_pipeline
        self._schema_name = schema_name
        # the pipeline and destination clients are not made for concurrent use: one page at a time
        self._lock = threading.Lock()

    @contextmanager
    def _pipeline(self) -> Iterator[Pipeline]:
        with self._lock:
            yield self._open_pipeline()

    def _schema(self, pipeline: Pipeline) -> Any:
        if self._schema_name is not None:
            if self._schema_name not in pipeline.schema_names:
                known = ", ".join(pipeline.schema_names) or "none"
                raise CliError(f"Pipeline {pipeline.pipeline_name} has no schema {self._schema_name};"
                               f" its schemas: {known}.")
            return pipeline.schemas[self._schema_name]
        return pipeline.default_schema if pipeline.default_schema_name else None

    # -- the main page ------------------------------------------------------------------------

    def overview(self) -> Overview:
        """The pipeline, its tables with row counts, loads, last run and load packages."""
        with self._pipeline() as pipeline:
            schema = self._schema(pipeline)
            overview = Overview(
                pipeline_name=pipeline.pipeline_name,
                destination_name=pipeline.destination.name if pipeline.destination is not None else None,
                dataset_name=pipeline.dataset_name,
                schema_name=schema.name if schema is not None else None,
                schema_version=schema.version if schema is not None else None,
                state_version=int(pipeline.state.get("_state_version", 0)),
                working_dir=str(pipeline.working_dir),
                destination_problem=destination_problem(pipeline),
            )
            if schema is not None:
                overview.tables = [table_view(schema, t) for t in schema.data_tables()]
                overview.dlt_tables = [table_view(schema, t, is_dlt_table=True) for t in schema.dlt_tables()]
            overview.trace = trace_view(pipeline.last_trace)
            try:
                overview.packages = package_views(pipeline)
            except Exception as exc:  # a package folder being written while we read it
                overview.packages_error = error_text(exc)
            if overview.destination_problem is None and schema is not None:
                self._read_destination(pipeline, schema, overview)
            return overview

    def _read_destination(self, pipeline: Pipeline, schema: Any, overview: Overview) -> None:
        dataset = pipeline.dataset(schema.name)
        try:
            with dataset:
                counts = row_counts(dataset, [t.name for t in overview.tables + overview.dlt_tables])
                for table in overview.tables + overview.dlt_tables:
                    table.row_count = counts.get(table.name)
                try:
                    loads = dataset.loads_table().order_by("inserted_at", "desc").limit(MAX_LOADS)
                    overview.loads_columns = loads.columns
                    overview.loads = loads.fetchall()
                except Exception as exc:  # no load has completed yet: no _dlt_loads table
                    overview.loads_error = error_text(exc)
        except Exception as exc:  # the destination cannot be reached
            overview.row_counts_error = error_text(exc)
            overview.loads_error = overview.loads_error or overview.row_counts_error

    # -- a table's page -------------------------------------------------------------------------

    def table_page(self, table_name: str, page: int = 1, page_size: int = PAGE_SIZE) -> TablePage:
        """Page `page` (1-based) of `table_name`'s rows, in a stable order."""
        with self._pipeline() as pipeline:
            schema = self._schema(pipeline)
            if schema is None or table_name not in schema.tables:
                raise UnknownTable(table_name)
            table = table_view(schema, schema.tables[table_name], is_dlt_table=table_name.startswith("_dlt"))
            result = TablePage(pipeline.pipeline_name, pipeline.dataset_name, table, max(1, page), page_size)
            problem = destination_problem(pipeline)
            if problem is not None:
                result.error = problem
                return result
            try:
                dataset = pipeline.dataset(schema.name)
                with dataset:
                    table.row_count = row_counts(dataset, [table_name]).get(table_name)
                    read_page(dataset, table, result)
            except Exception as exc:
                result.error = error_text(exc)
            return result


def destination_problem(pipeline: Pipeline) -> str | None:
    """Why the pipeline's data cannot be read (no destination, no database file), or None."""
    try:
        require_destination(pipeline)
    except CliError as exc:
        return str(exc)
    return None


def table_view(schema: Any, table: dict[str, Any], is_dlt_table: bool = False) -> TableView:
    """A schema table as shown: columns with their types and hints."""
    columns = [column_view(column) for column in table.get("columns", {}).values()]
    return TableView(
        name=table["name"], parent=table.get("parent"),
        write_disposition=schema.write_disposition(table["name"]) if not is_dlt_table else table.get("write_disposition"),
        resource=table.get("resource"), columns=columns, is_dlt_table=is_dlt_table,
    )


def column_view(column: dict[str, Any]) -> ColumnView:
    """A column's type, nullability and every other hint it sets (`primary_key`, `merge_key`,
    `precision=10`, ...)."""
    hints = []
    for key, value in column.items():
        if key in PLAIN_COLUMN_KEYS or value is None or value is False:
            continue
        hints.append(key if value is True else f"{key}={value}")
    return ColumnView(name=column["name"], data_type=column.get("data_type"),
                      nullable=column.get("nullable", True) is not False, hints=hints,
                      description=column.get("description"))


def row_counts(dataset: Any, table_names: list[str]) -> dict[str, int]:
    """Rows per table, in one query; tables missing in the destination are left out."""
    if not table_names:
        return {}
    try:
        return {name: count for name, count in dataset.row_counts(table_names=table_names).fetchall()}
    except Exception:  # one table is not (yet) in the destination: count them one by one
        counts = {}
        for name in table_names:
            try:
                counts.update(dataset.row_counts(table_names=[name]).fetchall())
            except Exception:
                continue
        return counts


def sort_columns(table: TableView) -> list[str]:
    """Columns that give the rows a stable order for paging: the primary key, else the row key
    (`_dlt_id`), else the first column."""
    names = [column.name for column in table.columns if column.data_type]
    primary_key = [column.name for column in table.columns if "primary_key" in column.hints]
    if primary_key:
        return primary_key
    for candidate in ("_dlt_id", "load_id"):
        if candidate in names:
            return [candidate]
    return names[:1]


def read_page(dataset: Any, table: TableView, page: TablePage) -> None:
    """Fill `page` with its rows, read with `LIMIT` through the dataset's relations.

    Relations have no `OFFSET`, so the rows before the page are read and skipped: a far page of
    a big table takes longer than the first one.
    """
    relation = dataset.table(table.name)
    page.order_by = sort_columns(table)
    for column in page.order_by:
        relation = relation.order_by(column)
    offset = (page.page - 1) * page.page_size
    # one row more than the page tells whether there is a next page
    relation = relation.limit(offset + page.page_size + 1)
    page.columns = relation.columns
    seen = 0
    rows: list[tuple[Any, ...]] = []
    for chunk in relation.iter_fetch(page.page_size):
        for row in chunk:
            if seen >= offset:
                rows.append(tuple(row))
            seen += 1
    page.has_next = len(rows) > page.page_size
    page.rows = rows[: page.page_size]


def trace_view(trace: Any) -> TraceView | None:
    """The last run (`pipeline.last_trace`) as shown, or None when the pipeline never ran."""
    if trace is None:
        return None
    steps = []
    for step in trace.steps:
        if step.step == "run":
            continue
        steps.append(StepView(step.step, step.started_at, step.finished_at,
                              _seconds(step.started_at, step.finished_at), step.error, step_details(step)))
    config: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entry in trace.resolved_config or []:
        # only where a value came from is kept, so a value can never reach the page
        kept = {"field": entry.get("field"), "provider": entry.get("provider"),
                "key": entry.get("key"), "secret": bool(entry.get("secret"))}
        config.setdefault(tuple(kept.values()), kept)
    return TraceView(trace.started_at, trace.finished_at, _seconds(trace.started_at, trace.finished_at),
                     any(step.error for step in trace.steps), steps, list(config.values()))


def step_details(step: Any) -> str:
    """Rows per table and the packages a step worked on, in a few words."""
    info = step.info
    parts = []
    load_ids = list(getattr(info, "loads_ids", None) or [])
    if load_ids:
        parts.append(f"{len(load_ids)} package(s)")
    counts = getattr(info, "row_counts", None) or {}
    if isinstance(counts, dict):
        shown = ", ".join(f"{table}: {count}" for table, count in counts.items() if not str(table).startswith("_dlt"))
        if shown:
            parts.append(shown)
    return "; ".join(parts)


def _seconds(started: datetime | None, finished: datetime | None) -> float | None:
    if started is None or finished is None:
        return None
    return (finished - started).total_seconds()


def package_views(pipeline: Pipeline, limit: int = MAX_PACKAGES) -> list[PackageView]:
    """The newest `limit` load packages (pending and completed), newest first."""
    load_ids = {*pipeline.list_extracted_load_packages(), *pipeline.list_normalized_load_packages(),
                *pipeline.list_completed_load_packages()}
    views = []
    for load_id in sorted(load_ids, key=_load_id_order, reverse=True)[:limit]:
        info = pipeline.get_load_package_info(load_id)
        jobs = [JobView(state, job.table_name, job.job_file, job.file_size, job.failed_message)
                for state, state_jobs in info.jobs.items() for job in state_jobs]
        views.append(PackageView(load_id, info.state, info.schema_name, info.completed_at,
                                 dict(info.row_counts), jobs))
    return views


def _load_id_order(load_id: str) -> tuple[float, str]:
    try:
        return float(load_id), load_id
    except ValueError:
        return float("inf"), load_id


def error_text(error: BaseException) -> str:
    """An error as text for the page (its class and message), with known secrets redacted."""
    message = str(error).strip()
    return redact(f"{type(error).__name__}: {message}" if message else type(error).__name__)
