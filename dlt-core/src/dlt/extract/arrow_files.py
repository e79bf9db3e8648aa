"""Arrow items of one table written straight to Arrow IPC files at extract, in bounded batches.

Writing Arrow's own format is a copy of its buffers, so extracting a big table costs little
more than the disk write. Small tables (pages of a stream) are buffered until a batch is full,
so loaders do not scan many tiny batches. Normalize hands these files to destinations that
load Arrow (DuckDB) as they are, and converts them for the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.ipc as ipc

from dlt.utils.arrow_ipc import batch_rows, open_ipc_writer, write_batches
from dlt.storage.item_files import ARROW_ITEM_SUFFIX


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
        while written < cut:
            if self._writer is not None and self._file_rows >= self.rows_per_file:
                self._close_writer()
            if self._writer is None:
                self._writer = open_ipc_writer(self._new_path(), table.schema)
            part = table.slice(written, min(cut - written, self.rows_per_file - self._file_rows))
            write_batches(self._writer, part)
            self._file_rows += part.num_rows
            written += part.num_rows

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
