"""How much memory DuckDB needs to INSERT a table's job files, so wide tables load at the default cap.

DuckDB holds, per thread, an uncompressed column segment for every column of the table it
appends to, and a small fixed state per column even for one row. Measured with DuckDB 2.0 on
two threads (minimal `memory_limit` at which the INSERT succeeds, int64 columns):

| columns x rows | needed | | columns x rows | needed |
|---|---|---|---|---|
| 12 x 1,000,000 | 32 MB | | 200 x 50,000 | 224 MB |
| 50 x 300,000 | 96 MB | | 1,000 x 50,000 | 1,088 MB |
| 100 x 50,000 | 128 MB | | 3,500 x 1 | 160 MB |

The estimate below stays above each of these: a base, a fixed cost per column, and per thread
and column the bytes of its rows (three times their Arrow size) up to about one segment.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq

BASE_MIB = 48.0
COLUMN_MIB = 0.04
"""Fixed state per column (3,500 columns of one row need 160 MB)."""
SEGMENT_MIB = 0.55
"""What one column of one thread holds at most before DuckDB writes it out."""
ROW_BYTES_FACTOR = 3.0
MIN_VALUE_BYTES = 8.0
"""Bytes a value takes in DuckDB's append vectors at least (validity and fixed-size slots)."""


def physical_memory_mib() -> float:
    """The machine's physical memory in MiB (inf when the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 2
    except (ValueError, OSError, AttributeError):
        return float("inf")


def estimate_insert_mib(columns: int, rows: int, bytes_per_value: float, threads: int) -> float:
    """MiB that an INSERT of `rows` rows into a table of `columns` columns needs, about."""
    threads = max(1, threads)
    rows_per_thread = rows / threads
    # DuckDB appends into uncompressed vectors of 8 bytes a value (16 a string) however small
    # the value is on disk: a column of nulls needs its segment too
    bytes_per_value = max(MIN_VALUE_BYTES, bytes_per_value)
    per_column_thread = min(SEGMENT_MIB, rows_per_thread * bytes_per_value * ROW_BYTES_FACTOR / 1024 ** 2)
    return BASE_MIB + columns * (COLUMN_MIB + threads * per_column_thread)


def job_files_size(paths: list[Path]) -> tuple[int, int]:
    """Rows and uncompressed bytes of parquet (from their footers) or Arrow IPC job files (their
    size is about their rows' Arrow size)."""
    from dlt.utils.arrow_ipc import arrow_file_rows

    rows = size = 0
    for path in paths:
        if path.suffix == ".parquet":
            metadata = pq.read_metadata(path)
            rows += metadata.num_rows
            size += sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        else:
            rows += arrow_file_rows(path)
            size += path.stat().st_size
    return rows, size


def table_insert_mib(rows: int, size: int, columns: int, threads: int) -> float:
    """The estimate for `rows` rows of `size` uncompressed bytes inserted into a table of
    `columns` columns within one transaction (its commit holds them all)."""
    if rows == 0:
        return BASE_MIB + columns * COLUMN_MIB
    return estimate_insert_mib(columns, rows, size / rows / max(1, columns), threads)


TEMPORARY_ROWS_FACTOR = 1.2
"""A temporary table holds its rows in memory at about this times their uncompressed size
(200k rows of the merge benchmark: 31.5 MB in `duckdb_memory()` for 27.1 MB of Arrow)."""


def temporary_rows_mib(size: int) -> float:
    """MiB that rows of `size` uncompressed bytes take in a temporary table (the load's merge
    rows stay there until it ends)."""
    return size * TEMPORARY_ROWS_FACTOR / 1024 ** 2


def bounded(needed_mib: float) -> float:
    """`needed_mib`, at most 80% of physical memory (DuckDB's own default cap)."""
    return min(needed_mib, 0.8 * physical_memory_mib())
