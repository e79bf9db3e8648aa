"""Arrow items of one table written straight to parquet at extract, in bounded row groups.

Small tables (pages of a stream) are buffered until a row group is full; a big table is cut
into slices that threads write to separate files at once (pyarrow writes without the GIL).
When its columns need no change, normalize hands each file to the loader as it is.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

from dlt.common.parquet import open_parquet_writer, row_group_rows, write_parquet_file, write_row_groups


class ArrowItemsFile:
    """The parquet item files of one table's Arrow data."""

    def __init__(self, folder: Path, table: str, next_index: Callable[[], int],
                 rows_per_file: int = 1_000_000) -> None:
        self.folder = folder
        self.table = table
        self.next_index = next_index
        self.rows_per_file = rows_per_file
        self._buffer: list[pa.Table] = []
        self._buffered_rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._file_rows = 0

    def add(self, table: pa.Table) -> None:
        """Add one Arrow table (written when a row group fills, or now when it is big)."""
        if self._schema is not None and not table.schema.equals(self._schema):
            self.close()
        if table.num_rows >= 2 * row_group_rows(table):
            self.close()
            self._write_in_slices(table)
            return
        self._schema = table.schema
        self._buffer.append(table)
        self._buffered_rows += table.num_rows
        if self._buffered_rows >= row_group_rows(table):
            self._flush(whole_groups_only=True)

    def _flush(self, whole_groups_only: bool = False) -> None:
        """Write the buffer; with `whole_groups_only`, the rows past the last full row group
        stay buffered, so a stream of small tables makes full row groups."""
        if not self._buffer:
            return
        table = pa.concat_tables(self._buffer) if len(self._buffer) > 1 else self._buffer[0]
        group = row_group_rows(table)
        cut = table.num_rows - table.num_rows % group if whole_groups_only else table.num_rows
        rest = table.slice(cut)
        self._buffer, self._buffered_rows = ([rest], rest.num_rows) if rest.num_rows else ([], 0)
        table = table.slice(0, cut)
        if self._writer is not None and self._file_rows >= self.rows_per_file:
            self._close_writer()
        if self._writer is None:
            self._writer = open_parquet_writer(self._new_path(), table.schema)
        write_row_groups(self._writer, table)
        self._file_rows += table.num_rows

    def _write_in_slices(self, table: pa.Table) -> None:
        """One file per slice of whole row groups, written by one thread per CPU."""
        group = row_group_rows(table)
        groups = -(-table.num_rows // group)
        threads = os.cpu_count() or 1
        slices = min(groups, max(threads, -(-table.num_rows // self.rows_per_file)))
        per_slice = -(-groups // slices) * group
        parts = [(table.slice(start, per_slice), self._new_path())
                 for start in range(0, table.num_rows, per_slice)]
        with ThreadPoolExecutor(min(threads, len(parts))) as pool:
            list(pool.map(lambda part: write_parquet_file(*part), parts))

    def _new_path(self) -> Path:
        return self.folder / f"{self.table}.{self.next_index()}.parquet"

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

