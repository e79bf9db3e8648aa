"""Reading load job files back as Python values, for destinations that insert rows themselves
(a COPY from Python values, SQLAlchemy inserts) instead of handing the files to the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def read_jsonl_file(path: Path, table: dict[str, Any], batch_rows: int,
                    converter: Callable[[str], Callable[[Any], Any] | None]) -> tuple[list[str], Iterator[list[list[Any]]]]:
    """Column names and column-wise batches (about `batch_rows` rows each) of a jsonl job file;
    `converter(data_type)` gives the function that turns a JSON value into the destination's
    value for columns of that type (None: the value as read)."""
    import orjson

    columns = table["columns"]
    names: list[str] = []
    with open(path, "rb") as file:
        for line in file:
            if line.strip():
                for name in orjson.loads(line):
                    if name not in names:
                        names.append(name)
    parse = [converter(columns.get(n, {}).get("data_type", "text")) for n in names]

    def batches() -> Iterator[list[list[Any]]]:
        batch: list[list[Any]] = [[] for _ in names]
        count = 0
        with open(path, "rb") as file:
            for line in file:
                if not line.strip():
                    continue
                record = orjson.loads(line)
                for values, name, convert in zip(batch, names, parse):
                    value = record.get(name)
                    values.append(value if value is None or convert is None else convert(value))
                count += 1
                if count >= batch_rows:
                    yield batch
                    batch, count = [[] for _ in names], 0
        if count:
            yield batch

    return names, batches()
