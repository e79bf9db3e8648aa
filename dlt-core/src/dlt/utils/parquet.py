"""How dlt writes parquet files: bounded row groups and cheap encodings, for every writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 122_880
"""Rows per parquet row group at most: DuckDB reads row groups in parallel, and a reader holds
one row group's column chunks at a time, so bounded groups keep loads fast and memory flat."""

ROW_GROUP_BYTES = 16 * 1024 * 1024
"""Arrow bytes per row group at most, for wide rows (long texts, JSON) that would make a
122,880-row group too big for a loader's memory."""

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "snappy",
    # columns of mostly distinct values (ids, names) stop dictionary encoding early instead of
    # building a big dictionary first; low-cardinality columns keep it
    "dictionary_pagesize_limit": 64 * 1024,
}
"""Options of every parquet writer dlt opens."""


def rows_within(table: pa.Table, max_rows: int, max_bytes: int) -> int:
    """Rows of `table` per chunk (row group, record batch): at most `max_rows` and about
    `max_bytes` of Arrow memory, at least one."""
    if table.num_rows == 0:
        return max_rows
    per_row = max(1, table.nbytes // table.num_rows)
    return max(1, min(max_rows, max_bytes // per_row))


def row_group_rows(table: pa.Table) -> int:
    """Rows per row group for `table`: at most `ROW_GROUP_ROWS` and about `ROW_GROUP_BYTES`."""
    return rows_within(table, ROW_GROUP_ROWS, ROW_GROUP_BYTES)


def open_parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """A parquet writer with dlt's options; add tables with `write_row_groups`."""
    return pq.ParquetWriter(path, schema, **PARQUET_OPTIONS)


def write_row_groups(writer: pq.ParquetWriter, table: pa.Table) -> None:
    """Append `table` to an open writer in bounded row groups."""
    writer.write_table(table, row_group_size=row_group_rows(table))


def write_parquet_file(table: pa.Table, path: Path) -> None:
    """Write `table` as one parquet file in bounded row groups."""
    pq.write_table(table, path, row_group_size=row_group_rows(table), **PARQUET_OPTIONS)
