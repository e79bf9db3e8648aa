"""Reading load job files back, for destinations that insert rows themselves (a COPY from
Python values, SQLAlchemy inserts, `SqlJobClient.copy_file`'s default INSERT) instead of handing
the files to the database.

- `read_job_file` - any job file (parquet, Arrow IPC, jsonl) as column names and column-wise
  batches of Python values of each column's data type;
- `read_arrow_batches` - a parquet or Arrow IPC file as Arrow record batches (for drivers that
  take Arrow data);
- `read_arrow_file` / `read_jsonl_file` - the two readers `read_job_file` picks from;
- `compression_disabled` - whether job files handed on as files stay plain (not gzipped).
"""

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


def python_value_from_json(data_type: str) -> Callable[[Any], Any] | None:
    """The function turning a value of a jsonl job file into the Python value of `data_type`
    (ISO strings to datetime/date/time, decimal and wei strings to Decimal, base64 to bytes;
    JSON values stay dicts and lists), or None when the JSON value is already the Python value."""
    import base64
    from datetime import date, datetime, time
    from decimal import Decimal

    def iso(kind: Any) -> Callable[[Any], Any]:
        return lambda v: kind.fromisoformat(v.replace("Z", "+00:00")) if isinstance(v, str) else v

    return {
        "timestamp": iso(datetime), "date": iso(date), "time": iso(time),
        "decimal": lambda v: v if isinstance(v, Decimal) else Decimal(str(v)),
        "wei": lambda v: v if isinstance(v, Decimal) else Decimal(str(v)),
        "binary": lambda v: base64.b64decode(v) if isinstance(v, str) else v,
    }.get(data_type)


def read_job_file(path: Path, file_format: str, table: dict[str, Any],
                  batch_rows: int) -> tuple[list[str], Iterator[list[list[Any]]]]:
    """Column names and column-wise batches (about `batch_rows` rows each) of a parquet, Arrow
    IPC or jsonl job file of `table`, as Python values of each column's data type.

    Raises `ValueError` naming the file for another format or for columns that `table` does
    not have (the caller turns it into a terminal job error)."""
    if file_format in ("parquet", "arrow"):
        names, batches = read_arrow_file(path, file_format, batch_rows)
    elif file_format == "jsonl":
        names, batches = read_jsonl_file(path, table, batch_rows, python_value_from_json)
    else:
        raise ValueError(f"The job file {path.name} has the format '{file_format}'; only parquet,"
                         " arrow and jsonl job files can be read.")
    unknown = [n for n in names if not table["columns"].get(n, {}).get("data_type")]
    if unknown:
        raise ValueError(f"The columns {', '.join(unknown)} of the job file {path.name} are not in"
                         f" table {table['name']} of the schema.")
    return names, batches


def read_arrow_batches(path: Path, file_format: str, batch_rows: int = 10_000) -> Iterator[Any]:
    """The Arrow record batches of a parquet (about `batch_rows` rows each) or Arrow IPC job
    file, read lazily so memory holds one batch at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if file_format == "parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows)
        return
    if file_format != "arrow":
        raise ValueError(f"The job file {path.name} has the format '{file_format}', not parquet or arrow.")
    reader = pa.ipc.open_file(pa.memory_map(str(path)))
    for i in range(reader.num_record_batches):
        yield reader.get_batch(i)


def compression_disabled() -> bool:
    """Whether `normalize.data_writer.disable_compression` (or `data_writer.disable_compression`)
    is set: job files handed on as files (to a bucket, to a sink with `batch_size=0`) stay plain
    instead of gzipped, as in dlt 1.31."""
    from dlt.configuration.resolve import config_flag

    return config_flag([("normalize", "data_writer", "disable_compression"),
                        ("data_writer", "disable_compression")], False)
