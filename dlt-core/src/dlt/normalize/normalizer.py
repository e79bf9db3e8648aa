"""Normalize one extracted load package into load jobs in the destination's file format."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute used in dedupe_last

from dlt.utils.arrow_ipc import arrow_file_rows, arrow_file_schema, arrow_file_tables
from dlt.destinations.base import arrow_file_format_for
from dlt.normalize.writers import table_file_format_hint, table_job_format
from dlt.normalize.checks import check_bound_columns
from dlt.normalize.arrow import normalize_arrow_table, needs_rewrite, record_arrow_columns, warn_of_nanoseconds
from dlt.normalize.arrow_walk import walk_batch
from dlt.normalize.columnar import page_tables
from dlt.destinations.strategies import MERGE_STRATEGIES, MergeHintError, dedup_sort, verify_merge_tables, links_root_key, uses_stable_row_id
from dlt.normalize.exceptions import NormalizeJobFailed
from dlt.normalize.merge_keys import last_occurrences, merge_keys_of, row_id_function, stamp_row_ids
from dlt.normalize.relational import RowNormalizer
from dlt.normalize.writers import TableJobWriter
from dlt.schema import Schema
from dlt.storage.item_files import ARROW_ITEM_SUFFIX, ColumnPage, is_keys_file, read_item_pages, starts_with_arrow_page
from dlt.storage.packages import PackageStorage

EXTRACTED_ITEMS = "items"
ARROW_FILE_SUFFIXES = (ARROW_ITEM_SUFFIX, ".parquet")
"""Extracted Arrow data: Arrow IPC files (and parquet, from packages extracted before)."""
logger = logging.getLogger("dlt")


@dataclass
class NormalizeInfo:
    """What normalizing one package produced."""

    load_id: str
    row_counts: dict[str, int] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)


class PackageNormalizer:
    """Turns the extracted items of a package into job files and updates the schema."""

    def __init__(self, storage: PackageStorage, schema: Schema, file_format: str,
                 pipeline_name: str, hook: Any = None, buffer_rows: int = 10_000,
                 workers: int = 1, parallel_min_bytes: int = 16 * 1024 * 1024,
                 arrow_file_format: str = "parquet", counter: Any = None) -> None:
        self.storage = storage
        # a dlt.collectors.rows.CollectorRowCounter when the pipeline shows progress
        self.counter = counter
        self.schema = schema
        self.file_format = file_format
        self.arrow_file_format = arrow_file_format
        self.pipeline_name = pipeline_name
        self.hook = hook
        self.buffer_rows = buffer_rows
        self.workers = workers
        self.parallel_min_bytes = parallel_min_bytes

    def _has_hook(self, name: str) -> bool:
        return self.hook is not None and bool(getattr(self.hook, name).get_hookimpls())

    def _worth_workers(self, files: list[Path]) -> bool:
        """Parallel only for big packages of several files, no merge de-duplication, and
        enough pages not stored by Arrow: those normalize faster in one process than a worker
        takes to start."""
        if self.workers <= 1 or len(files) < 2:
            return False
        if sum(f.stat().st_size for f in files) < self.parallel_min_bytes:
            return False
        tables = {f.name.rsplit(".", 2)[0] for f in files}
        if any(merge_keys_of(self.schema, t) for t in tables if t in self.schema.tables):
            return False
        by_rows = [f for f in files if not starts_with_arrow_page(f)]
        return len(by_rows) >= 2 and sum(f.stat().st_size for f in by_rows) >= self.parallel_min_bytes

    def _normalize_in_workers(self, load_id: str, files: list[Path],
                              jobs_folder: Path) -> tuple[dict[str, int], set[str]] | None:
        """Normalize item files in worker processes; None when their schemas disagree."""
        from dlt.normalize.workers import WorkerFailed, normalize_files_in_pool, reconcile

        try:
            results = normalize_files_in_pool(self.schema, load_id, files, jobs_folder,
                                              self.file_format, self.buffer_rows, self.workers,
                                              self.counter, self.arrow_file_format)
        except WorkerFailed as exc:
            logger.info("normalizing %s in one process: %s", load_id, exc)
            return None
        merged = reconcile(self.schema, results)
        if merged is None:
            for result in results:
                for job in result["files"]:
                    Path(job).unlink(missing_ok=True)
            return None
        counts: dict[str, int] = {}
        for result in results:
            for table, count in result["row_counts"].items():
                counts[table] = counts.get(table, 0) + count
        return counts, merged

    def _normalize_arrow_file(self, item_file: Path, table: str, load_id: str, writer: TableJobWriter,
                              arrow_merge: dict[str, list[pa.Table]]) -> None:
        """Arrow data of one extracted file: the file itself becomes the load job when it is
        already in the job format and needs no change; otherwise it is rewritten batch by batch
        (or gathered for merge de-duplication)."""
        arrow_schema = arrow_file_schema(item_file)
        table_schema = self.schema.tables.get(table, {})
        if uses_stable_row_id(table_schema) and table_schema.get("x-merge-strategy") == "scd2":
            raise MergeHintError(
                f"Table '{table}' uses the scd2 merge strategy with the row hash in _dlt_id, which"
                " dlt computes for rows but not for Arrow tables or DataFrames. Add a column holding"
                " a row version to the data and name it with row_version_column_name."
            )
        is_merge = bool(merge_keys_of(self.schema, table))
        warn_of_nanoseconds(self.schema, table, item_file, arrow_schema)
        if not is_merge and not needs_rewrite(self.schema, table, arrow_schema):
            record_arrow_columns(self.schema, table, arrow_schema)
            if item_file.suffix == "." + writer.arrow_file_format:
                writer.link_file(item_file, arrow_file_rows(item_file))
            else:
                for part in arrow_file_tables(item_file):
                    writer.write_arrow(part)
            return
        for part in _parts_or_empty(item_file, arrow_schema):
            normalized = normalize_arrow_table(self.schema, table, part, load_id)
            if is_merge:
                arrow_merge.setdefault(table, []).append(normalized)
            else:
                writer.write_arrow(normalized)

    def normalize(self, load_id: str) -> NormalizeInfo:
        """Normalize package `load_id`; publishes its jobs atomically at the end.

        Any error is raised as `NormalizeJobFailed` with the original chained as its cause."""
        try:
            return self._normalize(load_id)
        except NormalizeJobFailed:
            raise
        except Exception as exc:
            raise NormalizeJobFailed(load_id, None, f"{type(exc).__name__}: {exc}") from exc

    def _normalize(self, load_id: str) -> NormalizeInfo:
        source = self.storage.path("extracted", load_id)
        package = PackageStorage.read_json(source / "package.json")
        target = self.storage.start_normalize(load_id)
        jobs_folder = target / "new_jobs"
        rows = RowNormalizer(self.schema, load_id)
        writers: dict[str, TableJobWriter] = {}
        rows_hook = self._has_hook("on_normalize_rows")

        def writer_for(table: str) -> TableJobWriter:
            writer = writers.get(table)
            if writer is None:
                hinted = table_job_format(table_file_format_hint(self.schema.tables, table), self.file_format)
                # a table's own format decides for its Arrow data too
                arrow_format = arrow_file_format_for(hinted) if hinted else self.arrow_file_format
                writer = writers[table] = TableJobWriter(
                    jobs_folder, table, hinted or self.file_format, "", buffer_rows=self.buffer_rows,
                    arrow_file_format=arrow_format,
                )
            return writer

        def write(table: str, table_rows: list[dict[str, Any]]) -> None:
            if rows_hook:
                # plugins see the unpacked rows before types are checked
                self.hook.on_normalize_rows(pipeline_name=self.pipeline_name, table_name=table,
                                            rows=table_rows)
                typed = rows.type_rows(table, table_rows)
            else:
                typed = table_rows
            if typed:
                writer_for(table).write(typed, self.schema.tables[table]["columns"])

        def write_columns(table: str, values: dict[str, list[Any]], count: int) -> None:
            writer_for(table).write_columns(values, count, self.schema.tables[table]["columns"])

        if self.counter is not None:
            write, write_columns = self.counter.wrap_rows(write), self.counter.wrap_columns(write_columns)
        arrow_merge: dict[str, list[pa.Table]] = {}
        row_files: list[Path] = []
        extra_counts: dict[str, int] = {}
        items_folder = source / EXTRACTED_ITEMS
        for item_file in sorted(items_folder.iterdir(), key=_file_order):
            if is_keys_file(item_file):
                continue
            table = item_file.name.rsplit(".", 2)[0]
            if item_file.suffix in ARROW_FILE_SUFFIXES:
                rows.changed_tables.add(table)
                self._normalize_arrow_file(item_file, table, load_id, writer_for(table), arrow_merge)
                continue
            row_files.append(item_file)

        if row_files:
            parallel = None
            if not rows_hook and self._worth_workers(row_files):
                parallel = self._normalize_in_workers(load_id, row_files, jobs_folder)
            if parallel is None:
                if self.counter is not None:
                    self.counter.start_over()
                normalize_row_files(self.schema, rows, row_files, write, rows_hook, write_columns)
            else:
                worker_counts, worker_changed = parallel
                rows.changed_tables |= worker_changed
                for table, count in worker_counts.items():
                    extra_counts[table] = extra_counts.get(table, 0) + count

        for table, tables in arrow_merge.items():
            # last one wins within a load, as for rows: one table per key
            writer_for(table).write_arrow(dedupe_last(pa.concat_tables(tables, promote_options="default"),
                                                      merge_keys_of(self.schema, table),
                                                      dedup_sort(self.schema.tables[table])))
        info = NormalizeInfo(load_id)
        for table, writer in writers.items():
            writer.close(self.schema.tables[table]["columns"])
            info.row_counts[table] = writer.row_count
        for table, count in extra_counts.items():
            info.row_counts[table] = info.row_counts.get(table, 0) + count
        info.tables = sorted(info.row_counts)
        check_bound_columns(self.schema, info.tables)
        # merge hints that cannot work (a dedup_sort column the data lacks, ...) fail here,
        # leaving the package extracted, before any job is published
        verify_merge_tables(self.schema, info.tables, MERGE_STRATEGIES)
        if self._has_hook("on_normalize_table_schema"):
            for table in sorted(rows.changed_tables):
                self.hook.on_normalize_table_schema(pipeline_name=self.pipeline_name,
                                                    table_name=table, table=self.schema.tables[table])
        self.schema.bump_version()
        PackageStorage.write_json(target / "schema.json", self.schema.to_dict())
        PackageStorage.write_json(target / "package.json", {
            **package,
            "row_counts": info.row_counts,
            "tables": info.tables,
        })
        return info


ROW_SLICE_ITEMS = 500
"""Items unpacked into rows before the rows go to the job writers."""


def normalize_row_files(schema: Schema, rows: RowNormalizer, files: list[Path],
                        write: Any, rows_hook: bool, write_columns: Any = None) -> None:
    """Normalize extracted item files (pickled pages) and hand rows to `write(table, rows)`.

    With `write_columns(table, columns, count)` given, pages that change nothing in the schema
    (flat or nested: dicts flatten, lists become child tables) take the columnar path
    (`dlt.normalize.columnar`) and arrive there as columns, per table.

    Root tables with the merge disposition and a primary key keep only the last item per key
    (with its child rows). A first pass over their files finds the last occurrence of every
    key, so memory holds one integer per key, not the rows.
    """
    unpack = rows.normalize_item if rows_hook else rows.normalize_item_typed
    columnar = write_columns is not None and not rows_hook
    keep = last_occurrences(schema, files)
    positions: dict[str, int] = {}
    for item_file in files:
        table = item_file.name.rsplit(".", 2)[0]
        root = schema.root_table(table) if table in schema.tables else {}
        max_nesting = schema.max_table_nesting(table)
        # nested rows carry _dlt_root_id on merge tables and when the source asks for it
        is_merge = links_root_key(root) or bool(schema.settings.get("root_key_propagation"))
        row_id = row_id_function(root) if root and root.get("name") == table else None
        kept = keep.get(table)
        row_path = partial(_normalize_items, unpack, write, table, max_nesting, is_merge, row_id)
        for page in read_item_pages(item_file, columns=columnar):
            if kept is not None:
                page = _kept_items(page, kept, positions, table)
            # system tables (pipeline state, ...) go row by row: a row or two a load
            as_columns = columnar and row_id is None and not table.startswith("_dlt")
            if as_columns and type(page) is pa.RecordBatch:
                _arrow_page_in_parts(rows, table, page, max_nesting, is_merge, write_columns, row_path)
                continue
            if as_columns and _write_as_columns(rows, table, page, max_nesting, is_merge, write_columns):
                continue
            if type(page) is pa.RecordBatch:
                page = page.to_pylist()
            elif type(page) is ColumnPage:
                page = page.items()
            # rows are made and handed on in slices: a page of nested items unpacks into many
            # times its own size in row dicts
            for start in range(0, len(page), ROW_SLICE_ITEMS):
                # after the first slice, the rest of the page tries the columnar path once more
                if as_columns and start == ROW_SLICE_ITEMS and _write_as_columns(
                        rows, table, page[start:], max_nesting, is_merge, write_columns):
                    # the first slice brought what was new in the page (columns, child
                    # tables): the rest of it goes as columns
                    break
                row_path(page[start:start + ROW_SLICE_ITEMS])


def _normalize_items(unpack: Any, write: Any, table: str, max_nesting: int | None, merge_root: bool,
                     row_id: Any, items: list[Any]) -> None:
    """The row path: unpack `items` of `table` into rows and hand them to `write` per table."""
    batch: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        produced = unpack(table, item, max_nesting, merge_root=merge_root)
        if row_id is not None:
            stamp_row_ids(produced, table, row_id, item)
        for table_name, row in produced:
            batch[table_name].append(row)
    for table_name, table_rows in batch.items():
        write(table_name, table_rows)


def _arrow_page_in_parts(rows: RowNormalizer, table: str, batch: pa.RecordBatch, max_nesting: int | None,
                         merge_root: bool, write_columns: Any, row_path: Any) -> None:
    """Normalize a page stored as a record batch: by the Arrow walk where it can, by the row
    path from the first item it refuses. The items before that item take the walk; the row path
    takes that item (and, after each further refusal in the page, twice as many items, up to
    `ROW_SLICE_ITEMS`, so items that are each new cost few walks), or a slice of
    `ROW_SLICE_ITEMS` when the refusal is not one item's; then the rest of the page walks again.
    What is left of a page after a refusal, when it is at most `ROW_SLICE_ITEMS` items, takes
    the row path whole. Only the items the row path takes become Python objects."""
    start, count, refusals = 0, batch.num_rows, 0
    while start < count:
        rest = batch if start == 0 else batch.slice(start)
        walked = walk_batch(rows, table, rest, max_nesting, merge_root)
        if walked.tables is not None:
            _write_tables(walked.tables, write_columns)
            return
        if count - start <= ROW_SLICE_ITEMS:
            # a small page (or the end of one) goes row by row whole, as one slice would: a
            # table's first few rows are not split over two job files
            row_path(rest.to_pylist())
            return
        first = walked.first_refused
        if first:
            head = walk_batch(rows, table, rest.slice(0, first), max_nesting, merge_root).tables
            if head is None:
                first = None
            else:
                _write_tables(head, write_columns)
                start += first
        take = ROW_SLICE_ITEMS if first is None else min(ROW_SLICE_ITEMS, 2 ** refusals)
        refusals += 1
        row_path(batch.slice(start, take).to_pylist())
        start += take


def _kept_items(page: Any, kept: set[int], positions: dict[str, int], table: str) -> Any:
    """The items of a page of a merge table that are the last of their key (`kept` holds the
    positions of those in the table's whole stream; `positions` where this page starts)."""
    start = positions.get(table, 0)
    positions[table] = start + len(page)
    if type(page) is pa.RecordBatch:
        keep = [offset for offset, position in enumerate(range(start, start + len(page)))
                if position in kept]
        return page if len(keep) == len(page) else page.take(pa.array(keep, type=pa.int64()))
    if type(page) is ColumnPage:
        page = page.items()
    return [item for position, item in enumerate(page, start) if position in kept]


def _write_as_columns(rows: RowNormalizer, table: str, items: list[Any], max_nesting: int | None,
                      merge_root: bool, write_columns: Any) -> bool:
    """Hand `items` to `write_columns` per table when the columnar path takes them."""
    tables = page_tables(rows, table, items, max_nesting, merge_root)
    if tables is None:
        return False
    _write_tables(tables, write_columns)
    return True


def _write_tables(tables: list[tuple[str, Any, int]], write_columns: Any) -> None:
    """Hand the columns of each table of a page to `write_columns`."""
    for table_name, columns, count in tables:
        write_columns(table_name, columns, count)


def dedupe_last(table: pa.Table, keys: list[str], sort: tuple[str, str] | None = None) -> pa.Table:
    """Keep the last row for each key, in Arrow (no Python rows); with `sort` (column,
    'asc' | 'desc') the row with the lowest or highest value of that column."""
    if sort is not None and sort[0] in table.column_names:
        # a stable sort that puts the wanted row of every key last
        order = "descending" if sort[1] == "asc" else "ascending"
        table = table.take(pa.compute.sort_indices(table, [(sort[0], order)], null_placement="at_start"))
    index = "__dlt_row_index"
    indexed = table.append_column(index, pa.array(range(table.num_rows), pa.int64()))
    last = indexed.group_by(keys, use_threads=False).aggregate([(index, "max")])
    keep = pa.compute.sort_indices(last.column(f"{index}_max"))
    return table.take(last.column(f"{index}_max").take(keep))


def _file_order(path: Path) -> tuple[int, str]:
    # system state rows last, everything else in creation order
    name = path.name
    parts = name.rsplit(".", 2)
    index = int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0
    return (1 if name.startswith("_dlt") else 0, f"{index:09d}{name}")


def _parts_or_empty(item_file: Path, arrow_schema: Any) -> Iterator[Any]:
    """The tables of an Arrow item file; an empty file gives one empty table, so that it
    still makes its table (its columns are recorded when it is normalized)."""
    empty = True
    for part in arrow_file_tables(item_file):
        empty = False
        yield part
    if empty:
        yield arrow_schema.empty_table()
