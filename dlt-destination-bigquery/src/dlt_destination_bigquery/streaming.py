"""Streaming inserts (`bigquery_adapter(insert_api="streaming")`): the rows of one job file go
to an existing table through `tabledata.insertAll` (`Client.insert_rows_json`), in batches.

Unlike load jobs, streaming is not exactly once: every row gets an insert id derived from its
job file and position, which BigQuery uses for best-effort de-duplication (a short window), so a
job retried long after a crash may insert the rows of batches that had already gone in.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from dlt.destinations.base import DestinationTerminalError, LoadJobTerminalError
from dlt_destination_bigquery.sql_client import api_errors

#: most errors of refused rows quoted in an error message
MAX_REPORTED_ROW_ERRORS = 5


def json_value(value: Any) -> Any:
    """A value of a parquet row as the JSON that insertAll takes (base64 for BYTES, ISO text
    for dates and times, text for NUMERIC)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value


def read_batches(path: Path, file_format: str, batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """The rows of a jsonl or parquet job file as JSON objects, `batch_size` rows at a time."""
    if file_format == "jsonl":
        import orjson

        batch: list[dict[str, Any]] = []
        with open(path, "rb") as handle:
            for line in handle:
                if line.strip():
                    batch.append(orjson.loads(line))
                    if len(batch) >= batch_size:
                        yield batch
                        batch = []
        if batch:
            yield batch
    elif file_format == "parquet":
        import pyarrow.parquet as pq

        for record_batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
            yield [{k: json_value(v) for k, v in row.items()} for row in record_batch.to_pylist()]
    else:
        raise DestinationTerminalError(
            f"BigQuery streaming inserts read jsonl and parquet job files, not {file_format};"
            " set loader_file_format to one of them."
        )


def insert_id(job_key: str, index: int) -> str:
    """The insert id of the row at `index` of a job file: the same on every retry."""
    return f"{hashlib.sha256(job_key.encode()).hexdigest()[:32]}-{index}"


def describe_row_errors(errors: list[dict[str, Any]], offset: int) -> str:
    """The first refused rows of an insertAll answer: row number in the file, column, message."""
    parts = []
    for entry in errors[:MAX_REPORTED_ROW_ERRORS]:
        for detail in entry.get("errors") or [{}]:
            where = f" column {detail['location']}" if detail.get("location") else ""
            parts.append(f"row {offset + entry.get('index', 0) + 1}{where}:"
                         f" {detail.get('message') or detail.get('reason') or 'refused'}")
    more = len(errors) - MAX_REPORTED_ROW_ERRORS
    return "; ".join(parts) + (f" (and {more} more rows)" if more > 0 else "")


def stream_file(client: Any, path: Path, job_file: str, file_format: str, target: str,
                job_key: str, batch_size: int, ignore_unknown_values: bool,
                call_options: dict[str, Any]) -> int:
    """Insert the rows of `path` into the table `target` with `insert_rows_json`, in batches
    of `batch_size`; returns the number of rows. Refused rows fail the job for good, naming
    them; an API error is transient or terminal as `translate_error` says."""
    if batch_size < 1:
        raise DestinationTerminalError(
            f"destination.bigquery.batch_size is {batch_size}; streaming inserts send at least one"
            " row per request. Set DESTINATION__BIGQUERY__BATCH_SIZE to 1 or more (500 is"
            " dlt 1.31's default)."
        )
    inserted = 0
    for batch in read_batches(path, file_format, batch_size):
        row_ids = [insert_id(job_key, inserted + i) for i in range(len(batch))]
        with api_errors(f"streaming insert into {target} ({job_file})"):
            errors = client.insert_rows_json(target, batch, row_ids=row_ids,
                                             ignore_unknown_values=ignore_unknown_values,
                                             **call_options)
        if errors:
            raise LoadJobTerminalError(
                job_file,
                f"BigQuery streaming insert into {target} refused rows: "
                f"{describe_row_errors(errors, inserted)}. The {inserted} rows before this batch"
                " of the file were inserted; fix the data (or the column hints) and load again.",
            )
        inserted += len(batch)
    return inserted
