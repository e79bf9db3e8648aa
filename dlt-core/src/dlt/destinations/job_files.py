"""Reading load job files back as Python values, for destinations that insert rows themselves
(a COPY from Python values, SQLAlchemy inserts) instead of handing the files to the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


def read_arrow_file(path: Path, file_format: str, batch_rows: int) -> tuple[list[str], Iterator[list[list[Any]]]]:
    """Column names and column-wise batches (lists of Python values, about `batch_rows` rows
    each) of a parquet or Arrow IPC job file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if file_format == "parquet":
        parquet = pq.ParquetFile(path)
        names = list(parquet.schema_arrow.names)
        record_batches: Any = parquet.iter_batches(batch_size=batch_rows)
    else:
        reader = pa.ipc.open_file(pa.memory_map(str(path)))
        names = list(reader.schema.names)
        record_batches = (reader.get_batch(i) for i in range(reader.num_record_batches))

    def batches() -> Iterator[list[list[Any]]]:
        for batch in record_batches:
            yield [batch.column(i).to_pylist() for i in range(batch.num_columns)]

    return names, batches()
