"""Arrow job files as CSV for `COPY ... FROM STDIN (FORMAT CSV)`, rendered by Arrow's C++ writer.

PostgreSQL's CSV format and Arrow's agree on everything the scalar dlt types need: strings are
always quoted (so an empty string is `""` and NULL is an unquoted empty field), booleans are
`true`/`false`, timestamps are ISO 8601 (`Z` for UTC), floats use `inf`/`nan`, decimals are
plain digits. Columns whose Arrow type does not match their dlt type in a way CSV carries
faithfully (bytes, lists, structs, a float in a bigint column, ...) are left to the binary COPY
path, which converts values one by one. PostGIS geometry columns take text (WKT, hex WKB) as
it is and binary WKB as its hex text (see `geometry.py`).

`csv_job_file_chunks` renders a csv job file again for the few columns whose text must change
on the way (WKB in a geometry column), keeping NULL (empty) apart from the empty string ("").
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlt_destination_postgres.geometry import arrow_geometry_conversion, is_geometry_column


@dataclass
class ArrowJobFile:
    """The schema of an Arrow job file and a way to read its record batches."""

    schema: Any
    batches: Any

    @property
    def names(self) -> list[str]:
        """The column names, in file order."""
        return list(self.schema.names)


def open_arrow_job_file(path: Path, file_format: str, batch_rows: int) -> ArrowJobFile:
    """Open a parquet or Arrow IPC job file; its batches are read lazily, `batch_rows` at a time
    for parquet (Arrow IPC files keep the batches they were written with)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if file_format == "parquet":
        parquet = pq.ParquetFile(path)
        return ArrowJobFile(parquet.schema_arrow, lambda: parquet.iter_batches(batch_size=batch_rows))
    reader = pa.ipc.open_file(pa.memory_map(str(path)))
    return ArrowJobFile(reader.schema, lambda: (reader.get_batch(i) for i in range(reader.num_record_batches)))


def _as_utc_text(array: Any) -> Any:
    """A tz-aware timestamp array as `YYYY-MM-DD HH:MM:SS.ffffff+00` text: Arrow's CSV writer
    formats zoned timestamps about 20 times slower than this (it converts every value's zone)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    naive = array.cast(pa.timestamp(array.type.unit))  # Arrow keeps UTC values: only the zone goes
    return pc.binary_join_element_wise(naive.cast(pa.string()), pa.scalar("+00"), "")


def _cast_to(arrow_type: Any) -> Callable[[Any], Any]:
    return lambda array: array.cast(arrow_type)


def csv_conversion(arrow_type: Any, column: dict[str, Any]) -> Callable[[Any], Any] | None | bool:
    """How an Arrow column reaches CSV for its dlt column: None (as it is), a function on the
    array to apply first, or False (the binary path must take it)."""
    import pyarrow as pa
    import pyarrow.types as t

    if t.is_null(arrow_type):
        return None
    if t.is_dictionary(arrow_type):
        inner = csv_conversion(arrow_type.value_type, column)
        if inner is False:
            return False
        decode = _cast_to(arrow_type.value_type)
        return decode if inner is None else (lambda array: inner(decode(array)))  # type: ignore[operator]
    if is_geometry_column(column):
        return arrow_geometry_conversion(arrow_type)
    data_type = column["data_type"]
    is_text = t.is_string(arrow_type) or t.is_large_string(arrow_type)
    if data_type in ("text", "json"):
        fits = is_text
    elif data_type == "bigint":
        fits = t.is_integer(arrow_type)
    elif data_type == "double":
        fits = t.is_floating(arrow_type) or t.is_integer(arrow_type)
    elif data_type == "bool":
        fits = t.is_boolean(arrow_type)
    elif data_type == "decimal":
        fits = t.is_decimal(arrow_type) or t.is_integer(arrow_type)
    elif data_type == "wei":
        # decimal text (how job files hold wei values) is what CSV COPY into numeric reads
        fits = is_text or t.is_decimal(arrow_type) or t.is_integer(arrow_type)
    elif data_type == "date":
        fits = t.is_date(arrow_type)
    elif data_type == "time":
        fits = t.is_time(arrow_type)
    elif data_type == "timestamp":
        if not t.is_timestamp(arrow_type):
            return False
        if arrow_type.tz is None:
            return None
        if column.get("timezone", True) is False:
            # a naive column holds the UTC wall time, as the binary path writes it
            return _cast_to(pa.timestamp(arrow_type.unit))
        return _as_utc_text
    else:
        fits = False
    return None if fits else False


def arrow_csv_chunks(job: ArrowJobFile, columns: list[dict[str, Any]]) -> Iterator[bytes] | None:
    """CSV bytes (no header), one chunk per record batch, for `columns` (the dlt columns of the
    file's columns, in order); None when a column must take the binary path."""
    conversions = [csv_conversion(field.type, column) for field, column in zip(job.schema, columns)]
    if any(conversion is False for conversion in conversions):
        return None

    def chunks() -> Iterator[bytes]:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        options = pa_csv.WriteOptions(include_header=False, batch_size=8192)
        for batch in job.batches():
            if batch.num_rows == 0:
                continue
            arrays = [array if convert is None else convert(array)  # type: ignore[operator]
                      for array, convert in zip(batch.columns, conversions)]
            sink = io.BytesIO()
            pa_csv.write_csv(pa.RecordBatch.from_arrays(arrays, names=job.names), sink, options)
            yield sink.getvalue()

    return chunks()


def csv_job_file_chunks(path: Path, names: list[str], conversions: dict[str, Callable[[Any], Any]],
                        block_rows: int) -> Iterator[bytes]:
    """CSV bytes (no header) of a csv job file with a header row, every column read as text
    and the columns named in `conversions` passed through their function (on Arrow string
    arrays) first. An unquoted empty field stays NULL and `""` the empty string, as COPY
    reads them."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    read_options = pa_csv.ReadOptions(block_size=max(1 << 20, block_rows * 64))
    convert_options = pa_csv.ConvertOptions(
        column_types={name: pa.string() for name in names}, null_values=[""],
        strings_can_be_null=True, quoted_strings_can_be_null=False)
    write_options = pa_csv.WriteOptions(include_header=False, batch_size=8192)
    with pa_csv.open_csv(str(path), read_options=read_options,
                         convert_options=convert_options) as reader:
        for batch in reader:
            if batch.num_rows == 0:
                continue
            arrays = [conversions[name](array) if name in conversions else array
                      for name, array in zip(batch.schema.names, batch.columns)]
            sink = io.BytesIO()
            pa_csv.write_csv(pa.RecordBatch.from_arrays(arrays, names=batch.schema.names), sink,
                             write_options)
            yield sink.getvalue()
