"""Arrow IPC files (the `arrow` file format): Arrow data written as it is in memory.

Writing one is a copy of Arrow's buffers (a 1M-row table takes a few hundredths of a second,
against several tenths for compressed parquet) and a reader maps its record batches back
without decoding, so Arrow tables go to disk this way at extract, and destinations that read
Arrow (DuckDB) load them as jobs. The price is disk: about 2.5x the size of snappy parquet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from dlt.utils.parquet import ROW_GROUP_ROWS, rows_within

IPC_BATCH_ROWS = 32_768
"""Rows per record batch of an Arrow IPC file at most. A loader scanning the file holds a few
batches per thread; smaller batches than parquet's row groups keep that small and cost nothing
in speed (measured: 32k-row batches load as fast as 123k-row ones, with 30 MB less memory)."""

IPC_BATCH_BYTES = 4 * 1024 * 1024
"""Arrow bytes per record batch at most, for wide rows."""


def batch_rows(table: pa.Table) -> int:
    """Rows per record batch for `table`: at most `IPC_BATCH_ROWS` and about `IPC_BATCH_BYTES`."""
    return rows_within(table, IPC_BATCH_ROWS, IPC_BATCH_BYTES)


def open_ipc_writer(path: Path, schema: pa.Schema) -> ipc.RecordBatchFileWriter:
    """An Arrow IPC file writer; add tables with `write_batches`."""
    return ipc.new_file(str(path), schema)


def write_batches(writer: ipc.RecordBatchFileWriter, table: pa.Table) -> None:
    """Append `table` in record batches of bounded size; the chunks of a table gathered from
    small ones are joined, so a loader scans full batches."""
    rows = batch_rows(table)
    for start in range(0, table.num_rows, rows):
        writer.write_table(table.slice(start, rows).combine_chunks())


def arrow_file_schema(path: Path) -> pa.Schema:
    """The Arrow schema of an Arrow IPC or parquet file (read from its footer)."""
    if path.suffix == ".parquet":
        return pq.read_schema(path)
    with pa.OSFile(str(path)) as source:
        return ipc.open_file(source).schema


def arrow_file_rows(path: Path) -> int:
    """The number of rows in an Arrow IPC or parquet file."""
    if path.suffix == ".parquet":
        return pq.read_metadata(path).num_rows
    # mapped, batch headers are read without touching their data
    with pa.memory_map(str(path)) as source:
        reader = ipc.open_file(source)
        return sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))


def arrow_file_batches(path: Path, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """The record batches of an Arrow IPC or parquet file, one at a time: memory holds one
    batch (or row group), not the file. With `columns`, only those columns are read (an IPC
    file is then mapped, so the other columns' pages are not touched)."""
    if path.suffix == ".parquet":
        with pq.ParquetFile(path) as parquet_file:
            yield from parquet_file.iter_batches(batch_size=ROW_GROUP_ROWS, columns=columns)
        return
    if columns is not None:
        with pa.memory_map(str(path)) as source:
            reader = ipc.open_file(source)
            for index in range(reader.num_record_batches):
                yield reader.get_batch(index).select(columns)
        return
    with pa.OSFile(str(path)) as source:
        reader = ipc.open_file(source)
        for index in range(reader.num_record_batches):
            yield reader.get_batch(index)


def arrow_file_tables(path: Path, rows: int = ROW_GROUP_ROWS) -> Iterator[pa.Table]:
    """The data of an Arrow IPC or parquet file as tables of `rows` rows (the last may be
    shorter), gathered from consecutive batches, so parquet written from them gets full row
    groups."""
    gathered: list[pa.RecordBatch] = []
    count = 0
    for batch in arrow_file_batches(path):
        gathered.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(gathered)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            gathered, count = rest.to_batches(), rest.num_rows
    if count:
        yield pa.Table.from_batches(gathered)


def batch_reader(paths: list[Path]) -> pa.RecordBatchReader:
    """One stream over the record batches of Arrow IPC files of the same schema, read batch by
    batch as the consumer (a database's Arrow scan) asks for them."""
    schema = arrow_file_schema(paths[0])

    def batches() -> Iterator[pa.RecordBatch]:
        for path in paths:
            yield from arrow_file_batches(path)

    return pa.RecordBatchReader.from_batches(schema, batches())
