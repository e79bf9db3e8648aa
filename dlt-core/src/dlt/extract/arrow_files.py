"""Arrow items of one table written straight to Arrow IPC files at extract, in bounded batches.

Writing Arrow's own format is a copy of its buffers, so extracting a big table costs little
more than the disk write. Small tables (pages of a stream) are buffered until a batch is full,
so loaders do not scan many tiny batches. Normalize hands these files to destinations that
load Arrow (DuckDB) as they are, and converts them for the others.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.ipc as ipc

from dlt.utils.arrow_ipc import batch_rows, open_ipc_writer, write_batches
from dlt.utils.parquet import ROW_GROUP_ROWS
from dlt.storage.item_files import ARROW_ITEM_SUFFIX

PARALLEL_WRITE_ROWS = 262_144
"""A table of at least this many rows, added at once, is written as several files by two
threads: Arrow's IPC writer copies buffers without holding the GIL, so on two cores a 1M-row
table of 142 MB is written in 0.024 s instead of 0.040 s."""

WRITER_THREADS = min(2, os.cpu_count() or 1)


class ArrowItemsFile:
    """The Arrow IPC item files of one table's Arrow data."""

    def __init__(self, folder: Path, table: str, next_index: Callable[[], int],
                 rows_per_file: int = 1_000_000) -> None:
        self.folder = folder
        self.table = table
        self.next_index = next_index
        self.rows_per_file = rows_per_file
        self._buffer: list[pa.Table] = []
        self._buffered_rows = 0
        self._writer: ipc.RecordBatchFileWriter | None = None
        self._schema: pa.Schema | None = None
        self._file_rows = 0

    def add(self, table: pa.Table) -> None:
        """Add one Arrow table (written when a batch fills, or now when it is big)."""
        if self._schema is not None and not table.schema.equals(self._schema):
            self.close()
        self._schema = table.schema
        self._buffer.append(table)
        self._buffered_rows += table.num_rows
        if self._buffered_rows >= batch_rows(table):
            self._flush(whole_batches_only=True)

    def _flush(self, whole_batches_only: bool = False) -> None:
        """Write the buffer; with `whole_batches_only`, the rows past the last full batch stay
        buffered, so a stream of small tables makes full batches."""
        if not self._buffer:
            return
        table = pa.concat_tables(self._buffer) if len(self._buffer) > 1 else self._buffer[0]
        batch = batch_rows(table)
        cut = table.num_rows - table.num_rows % batch if whole_batches_only else table.num_rows
        rest = table.slice(cut)
        self._buffer, self._buffered_rows = ([rest], rest.num_rows) if rest.num_rows else ([], 0)
        if cut == 0 and not whole_batches_only and self._writer is None:
            # an empty table still makes a file: its columns go into the schema
            self._writer = open_ipc_writer(self._new_path(), table.schema)
        written = 0
        if self._writer is None and cut >= PARALLEL_WRITE_ROWS and WRITER_THREADS > 1:
            written = self._write_files_in_parallel(table.slice(0, cut))
        while written < cut:
            if self._writer is not None and self._file_rows >= self.rows_per_file:
                self._close_writer()
            if self._writer is None:
                self._writer = open_ipc_writer(self._new_path(), table.schema)
            part = table.slice(written, min(cut - written, self.rows_per_file - self._file_rows))
            write_batches(self._writer, part)
            self._file_rows += part.num_rows
            written += part.num_rows

    def _write_files_in_parallel(self, table: pa.Table) -> int:
        """Write all of `table` as files of `rows_per_file` rows (two halves when it is smaller), in
        `WRITER_THREADS` threads; returns the rows written. Files hold whole parquet row
        groups where they can, so normalize converts each into full row groups. The last file
        is written here and stays open for the rows that follow; files are named in the order
        of their rows, so a loader reads them in that order."""
        per_file = self.rows_per_file
        if table.num_rows <= per_file:
            # two halves, cut at a row group's edge
            half = -(-table.num_rows // 2)
            aligned = max(1, round(half / ROW_GROUP_ROWS)) * ROW_GROUP_ROWS
            per_file = aligned if aligned < table.num_rows else half
        parts = [(self._new_path(), table.slice(start, per_file))
                 for start in range(0, table.num_rows, per_file)]
        with ThreadPoolExecutor(max_workers=WRITER_THREADS - 1) as pool:
            written = [pool.submit(_write_file, path, part) for path, part in parts[:-1]]
            path, last = parts[-1]
            self._writer = open_ipc_writer(path, table.schema)
            write_batches(self._writer, last)
            self._file_rows = last.num_rows
            for future in written:
                future.result()
        return table.num_rows

    def _new_path(self) -> Path:
        return self.folder / f"{self.table}.{self.next_index()}{ARROW_ITEM_SUFFIX}"

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._file_rows = 0

    def close(self) -> None:
        """Write what is buffered and close the open file."""
        self._flush()
        self._close_writer()
        self._schema = None


def _write_file(path: Path, table: pa.Table) -> None:
    """Write `table` as one Arrow IPC file in bounded batches."""
    with open_ipc_writer(path, table.schema) as writer:
        write_batches(writer, table)
