"""Write what resources yield into a load package: buffered, one items file per table."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pyarrow as pa

from dlt.utils.signals import raise_if_signalled
from dlt.extract.arrow_files import ArrowItemsFile
from dlt.extract.evaluate import evaluate
from dlt.extract.hints import InvalidHintError, mark_cursor_column, normalized_columns, table_schema_from_hints
from dlt.extract.mark import DataItemWithMeta, HintsMeta, MaterializedEmptyList, TableNameMeta
from dlt.extract.resource import DltResource, is_arrow_item
from dlt.extract.source import DltSource
from dlt.normalize.arrow import to_arrow_table
from dlt.normalize.merge_keys import merge_keys_of, page_keys, row_id_function
from dlt.normalize.records import plain_value
from dlt.normalize.relational import system_column
from dlt.schema import Schema
from dlt.schema.contracts import check_new_table
from dlt.schema.typing import ID_COLUMN, LOAD_ID_COLUMN
from dlt.storage.item_files import append_pickled, encode_pages, keys_file_of


@dataclass
class ExtractInfo:
    """What one extract step wrote."""

    load_id: str
    source_name: str
    item_counts: dict[str, int] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)


BUFFER_KEYS_PER_ITEM = 20
"""A table's buffer holds at most `buffer_items` x this many top-level values (keys of the first
item of each page): wide items flush sooner. The buffer and the Arrow columns built from it
grow with rows x keys; the general benchmark's rows of 57 keys took 58 MB RSS in extract with
5,000 of them buffered, 27 MB with 1,000, at the same speed (`bench/child.py --workload general
--mode memory`), while flat rows of 10 keys still flush every 5,000 (fewer made normalize
slower: 0.51-0.97 s against 0.33 s for 1M rows)."""


class TableItemsFile:
    """Pickled pages of one table, appended as they fill up; a new file every `file_items`
    items, so normalize can share a big table's files between worker processes. With a
    `primary_key` (a merge table), each page's keys also go to the file's key sidecar. With
    `arrow_pages`, pages Arrow holds exactly are stored as record batches (for normalize's
    columnar path); tables that normalize must take row by row keep the pickled pages."""

    def __init__(self, folder: Path, table: str, buffer_items: int, next_index: Any,
                 file_items: int = 100_000, primary_key: list[str] | None = None,
                 naming: Any = None, arrow_pages: bool = False,
                 json_exact: Callable[[], bool] | None = None) -> None:
        self.folder = folder
        self.table = table
        self.next_index = next_index
        self.path = folder / f"{table}.{next_index()}.pkl"
        self.buffer: list[Any] = []
        self.page_sizes: list[int] = []
        self.buffer_items = buffer_items
        self.buffer_values = buffer_items * BUFFER_KEYS_PER_ITEM
        self.buffered_values = 0
        self.file_items = file_items
        self.primary_key = primary_key
        self.naming = naming
        self.arrow_pages = arrow_pages
        self.json_exact = json_exact
        """Asked at each flush: True when the table may keep nested values as JSON, so Arrow
        pages must give its nested dicts back key for key (`dlt.storage.arrow_pages`)."""
        self.in_file = 0
        self.file: Any = None
        self.keys_file: Any = None

    def add(self, items: list[Any]) -> None:
        """Buffer a page of items; flush when the buffer holds `buffer_items` items, or fewer
        wide ones (`BUFFER_KEYS_PER_ITEM`)."""
        self.buffer.extend(items)
        self.page_sizes.append(len(items))
        if items:
            first = items[0]
            self.buffered_values += len(items) * (len(first) if isinstance(first, dict) else 1)
        if len(self.buffer) >= self.buffer_items or self.buffered_values >= self.buffer_values:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        if self.file is not None and self.in_file >= self.file_items:
            self._close_files()
            self.path = self.folder / f"{self.table}.{self.next_index()}.pkl"
            self.in_file = 0
        if self.file is None:
            self.file = open(self.path, "wb")  # noqa: SIM115 - closed in close()
            if self.primary_key:
                self.keys_file = open(keys_file_of(self.path), "wb")  # noqa: SIM115 - closed in close()
                append_pickled(self.keys_file, tuple(self.primary_key))
        self.in_file += len(self.buffer)
        json_exact = self.arrow_pages and self.json_exact is not None and self.json_exact()
        start = self.file.tell()
        try:
            try:
                self._append_pages(json_exact)
            except (pickle.PicklingError, TypeError, AttributeError):
                # a model or enum defined in a function cannot be pickled: store its plain form
                # in place of what the failed pages wrote
                self.file.seek(start)
                self.file.truncate()
                self.buffer = [plain_value(item) for item in self.buffer]
                self._append_pages(json_exact)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            # the file keeps only whole pages: the package of what came before stays readable
            self.file.seek(start)
            self.file.truncate()
            bad = next((i for i in self.buffer if not _picklable(i)), None)
            raise TypeError(
                f"An item of table '{self.table}' cannot be stored: {exc}."
                f" Offending item: {bad!r:.200}. Yield dicts of str, numbers, dates, bytes,"
                " lists and dicts, or convert the value with resource.add_map(...)."
            ) from exc
        if self.keys_file is not None:
            append_pickled(self.keys_file, page_keys(self.buffer, self.primary_key, self.naming))
        self.buffer = []
        self.page_sizes = []
        self.buffered_values = 0

    def _append_pages(self, json_exact: bool) -> None:
        """Append the buffer's pages to the file as stored (`encode_pages`)."""
        for stored in encode_pages(self.buffer, self.arrow_pages, self.page_sizes, json_exact):
            append_pickled(self.file, stored)

    def _close_files(self) -> None:
        for file in (self.file, self.keys_file):
            if file is not None:
                file.close()
        self.file = self.keys_file = None

    def close(self) -> None:
        self.flush()
        self._close_files()


def _picklable(item: Any) -> bool:
    try:
        pickle.dumps(item)
        return True
    except Exception:
        return False


class Extractor:
    """Evaluates a source and writes its items into the package folder `package_dir`."""

    def __init__(self, package_dir: Path, schema: Schema, pipeline_name: str, hook: Any = None,
                 buffer_items: int = 5_000, progress: Any = None, items_per_file: int = 100_000) -> None:
        self.package_dir = package_dir
        self.items_dir = package_dir / "items"
        self.schema = schema
        self.pipeline_name = pipeline_name
        self.hook = hook
        self.buffer_items = buffer_items
        self.progress = progress
        self.items_per_file = items_per_file
        self._files: dict[str, TableItemsFile] = {}
        self._file_index = 0
        self._arrow_files: dict[str, ArrowItemsFile] = {}
        self._known_tables: set[str] = set()
        self._discarded_tables: set[str] = set()
        self._items_hook = hook is not None and bool(hook.on_extract_items.get_hookimpls())

    def extract(self, source: DltSource, load_id: str, info: ExtractInfo | None = None) -> ExtractInfo:
        """Evaluate every selected resource of `source`; items go to per-table files."""
        info = info or ExtractInfo(load_id, source.name)
        info.resources = list(source.selected_resources)
        resources = list(source.resources.values())
        try:
            from dlt.configuration.resolve import get_resolver

            mode = get_resolver().lookup([("extract", "next_item_mode")])
            for resource, page in evaluate(resources, mode[0] if mode else "round_robin"):
                raise_if_signalled()
                if page is None:  # dlt skips `yield None`: it is no row
                    continue
                if type(page) is DataItemWithMeta:
                    self._write_marked(source, resource, page, info)
                    continue
                items = page if isinstance(page, list) else [page]
                self._write(source, resource, items, info)
        finally:
            for items_file in self._files.values():
                items_file.close()
            for arrow_file in self._arrow_files.values():
                arrow_file.close()
        return info

    def write_items(self, table: str, items: list[Any], info: ExtractInfo) -> None:
        """Write items straight into `table` (used for the pipeline state row)."""
        items_file = self._file_for(table)
        items_file.add(items)
        info.item_counts[table] = info.item_counts.get(table, 0) + len(items)

    def _next_file_index(self) -> int:
        self._file_index += 1
        return self._file_index

    def _file_for(self, table: str) -> TableItemsFile:
        items_file = self._files.get(table)
        if items_file is None:
            items_file = self._files[table] = TableItemsFile(
                self.items_dir, table, min(self.buffer_items, self.items_per_file),
                self._next_file_index, self.items_per_file,
                primary_key=merge_keys_of(self.schema, table) or None, naming=self.schema.naming,
                arrow_pages=self._columnar_normalize(table),
                json_exact=lambda: self._may_keep_json(table),
            )
        return items_file

    def _columnar_normalize(self, table: str) -> bool:
        """True when normalize can take `table`'s pages by columns: not a system table, no
        plugin reading the rows of normalize, and random row ids (upsert and scd2 root tables
        derive `_dlt_id` from each row)."""
        if table.startswith("_dlt") or table not in self.schema.tables:
            return False
        if self.hook is not None and self.hook.on_normalize_rows.get_hookimpls():
            return False
        return row_id_function(self.schema.tables[table]) is None

    def _may_keep_json(self, table: str) -> bool:
        """True when normalize may store nested values of `table` as JSON: a nesting limit
        applies to it, or it or one of its child tables has a `json` column."""
        schema = self.schema
        if table not in schema.tables or schema.max_table_nesting(table) is not None:
            return True
        return any(column.get("data_type") == "json"
                   for other in (schema.tables[table], *schema.child_tables(table))
                   for column in other.get("columns", {}).values())

    def _table_for(self, source: DltSource, resource: DltResource, raw_name: str,
                   item: Any = None) -> str | None:
        """The normalized table name for `raw_name`, adding the resource's hints to the schema the
        first time; None when the `tables` contract discards a new table."""
        table = self.schema.naming.normalize_tables_path(raw_name)
        if table in self._discarded_tables:
            return None
        if table not in self._known_tables:
            _check_table_name_fits_files(table, resource.name)
            partial = table_schema_from_hints(resource.hints_for_table(raw_name), table, resource.name, item)
            slot = resource._evaluation_slot
            if slot is not None and not slot.from_hints:
                # an incremental argument of the resource function, bound when it was called
                mark_cursor_column(partial["columns"], slot.cursor)
            if not check_new_table(self.schema, partial, item):
                self._discarded_tables.add(table)
                return None
            self._known_tables.add(table)
            partial["columns"] = normalized_columns(partial["columns"], self.schema.naming)
            if source.max_table_nesting is not None and "x-max-nesting" not in partial:
                partial["x-max-nesting"] = source.max_table_nesting
            if table not in self.schema.tables:
                partial.setdefault("write_disposition", "append")
            self.schema.update_table(partial)
            self._update_nested_tables(resource, table)
        return table

    def _update_nested_tables(self, resource: DltResource, table: str) -> None:
        """Put the nested tables `nested_hints` describes into the schema, below `table`."""
        if not resource.nested_hints:
            return
        for nested in resource.compute_nested_table_schemas(table, self.schema.naming):
            self.schema.update_table(nested)

    def _write_marked(self, source: DltSource, resource: DltResource, page: DataItemWithMeta,
                      info: ExtractInfo) -> None:
        """Write a page marked with `dlt.mark`: its table name, or hints for its resource."""
        meta, data = page.meta, page.data
        table_name = None
        if isinstance(meta, TableNameMeta):
            table_name = meta.table_name
        elif isinstance(meta, HintsMeta):
            if meta.hints:
                resource.merge_hints(meta.hints, meta.create_table_variant)
                self._known_tables.clear()
            table_name = meta.hints.get("table_name") if isinstance(meta.hints.get("table_name"), str) else None
        items = data if isinstance(data, list) else [data]
        self._write(source, resource, items, info, table_name)

    def _write(self, source: DltSource, resource: DltResource, items: list[Any], info: ExtractInfo,
               fixed_table: str | None = None) -> None:
        if not items:
            if type(items) is MaterializedEmptyList:
                self._materialize(source, resource, fixed_table, info)
            return
        if is_arrow_item(items[0]):
            for item in items:
                raw_name = fixed_table or resource.compute_table_name(item)
                table = self._table_for(source, resource, raw_name, item)
                if table is not None:
                    self._write_arrow(resource, table, to_arrow_table(item), info)
            return
        table_name = fixed_table or resource.table_name
        if callable(table_name):
            groups: dict[str, list[Any]] = {}
            for item in items:
                groups.setdefault(resource.compute_table_name(item), []).append(item)
        else:
            groups = {table_name: items}
        for raw_name, group in groups.items():
            table = self._table_for(source, resource, raw_name, group[0])
            if table is None:
                continue
            if self._items_hook:
                group = list(group)
                self.hook.on_extract_items(pipeline_name=self.pipeline_name,
                                           resource_name=resource.name, table_name=table, items=group)
                if not group:
                    continue
            self._file_for(table).add(group)
            info.item_counts[table] = info.item_counts.get(table, 0) + len(group)
            if self.progress is not None:
                self.progress.update(table, len(group))

    def _materialize(self, source: DltSource, resource: DltResource, fixed_table: str | None,
                     info: ExtractInfo) -> None:
        """Put the table of `dlt.mark.materialize_table_schema()` into the schema with dlt's
        root columns, and count it with 0 items so its package is kept: the load creates the
        table though no row comes."""
        table_name = fixed_table or resource.table_name
        if callable(table_name):
            raise InvalidHintError(
                f"Resource '{resource.name}' yielded dlt.mark.materialize_table_schema() but takes its"
                " table name from each item: mark it with dlt.mark.with_table_name(dlt.mark."
                "materialize_table_schema(), '<table>') to say which table to create.")
        table = self._table_for(source, resource, table_name)
        if table is None:
            return
        columns = self.schema.tables[table]["columns"]
        for name in (LOAD_ID_COLUMN, ID_COLUMN):
            if not columns.get(name, {}).get("data_type"):
                self.schema.update_column(table, system_column(name))
        info.item_counts.setdefault(table, 0)

    def _write_arrow(self, resource: DltResource, table: str, data: pa.Table, info: ExtractInfo) -> None:
        if self._items_hook:
            items = [data]
            self.hook.on_extract_items(pipeline_name=self.pipeline_name,
                                       resource_name=resource.name, table_name=table, items=items)
            if not items:
                return
            data = items[0]
        # Arrow data is written as parquet right away: when its columns need no change,
        # normalize hands these very files to the loader
        arrow_file = self._arrow_files.get(table)
        if arrow_file is None:
            arrow_file = self._arrow_files[table] = ArrowItemsFile(self.items_dir, table, self._next_file_index)
        arrow_file.add(data)
        info.item_counts[table] = info.item_counts.get(table, 0) + data.num_rows
        if self.progress is not None:
            self.progress.update(table, data.num_rows)


MAX_TABLE_NAME_BYTES = 200
"""Longest table name (UTF-8 bytes) a load package can hold: its files are named after their
table, and file systems allow 255 bytes per file name, suffixes included."""


def _check_table_name_fits_files(table: str, resource_name: str) -> None:
    """Refuse a table name too long for the package's file names, with what to do instead."""
    size = len(table.encode("utf-8"))
    if size > MAX_TABLE_NAME_BYTES:
        raise InvalidHintError(
            f"Resource '{resource_name}' writes to a table whose name is {size} bytes long"
            f" ('{table[:40]}...'); dlt stores a table's data in files named after it, and names"
            f" longer than {MAX_TABLE_NAME_BYTES} bytes do not fit a file name. Give the table a"
            " shorter name with table_name= or resource.apply_hints(table_name=...)."
        )
