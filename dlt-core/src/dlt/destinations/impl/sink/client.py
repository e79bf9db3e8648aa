"""The sink job client: hands the rows of each load job to the destination function in batches.

Progress is kept in the load package (`destination_state.json`: rows delivered per job file),
written after every batch the function accepted. A job that runs again, after a failure or a
crash, starts at the first batch not yet delivered, so no batch is sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import base64
import copy
import gzip
import os
import shutil
import threading
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from dlt.destinations.base import (
    ClientContext,
    DestinationCapabilities,
    DestinationTerminalError,
    JobClient,
    LoadJobTerminalError,
)
from dlt.destinations.job_files import compression_disabled

STATE_FILE = "destination_state.json"
"""Per load package: rows of each job file (`<table>.<file_id>`) the function accepted."""
DEFAULT_MAX_ATTEMPTS = 5
"""Calls of a failing batch before its job fails (dlt 1.31's `load.raise_on_max_retries`)."""
DLT_PREFIX = "_dlt"


def _is_dlt_name(name: str) -> bool:
    return name.startswith(DLT_PREFIX)


def _decode(data_type: str | None, value: Any) -> Any:
    """A value of a typed-jsonl row back in its Python type."""
    if value is None or not isinstance(value, str):
        return value
    try:
        if data_type == "timestamp":
            return datetime.fromisoformat(value)
        if data_type == "date":
            return date.fromisoformat(value)
        if data_type == "time":
            return time.fromisoformat(value)
        if data_type in ("decimal", "wei"):
            return Decimal(value)
        if data_type == "binary":
            return base64.b64decode(value)
    except ValueError:
        return value
    return value


class _PackageState:
    """The delivered-row counts of one load package, saved atomically after every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.offsets: dict[str, int] = orjson.loads(path.read_bytes()) if path.exists() else {}

    def get(self, key: str) -> int:
        with self.lock:
            return self.offsets.get(key, 0)

    def advance(self, key: str, count: int) -> None:
        with self.lock:
            self.offsets[key] = self.offsets.get(key, 0) + count
            temp = self.path.with_name(self.path.name + ".tmp")
            temp.write_bytes(orjson.dumps(self.offsets))
            os.replace(temp, self.path)


class SinkJobClient(JobClient):
    """Runs load jobs by calling the destination function; nothing is stored by dlt."""

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 factory: Any, call: Callable[[Any, dict[str, Any]], Any]) -> None:
        super().__init__(context, capabilities)
        self.factory = factory
        self.call = call
        self.batch_size: int = factory.batch_size
        self.skip_dlt: bool = factory.skip_dlt_columns_and_tables
        self.table_sequential = factory.loader_parallelism_strategy == "table-sequential"
        self._lock = threading.Lock()
        self._states: dict[Path, _PackageState] = {}
        self._table_locks: dict[str, threading.Lock] = {}
        self.max_attempts = _max_attempts()

    def begin_load(self, load_id: str, tables: Sequence[str] = ()) -> None:
        """Nothing to begin: a function has no transactions."""

    def complete_load(self, load_id: str, tables: list[str] | None = None) -> None:
        """Nothing to record: custom destinations keep no `_dlt_loads`."""

    def load_table(self, table_name: str) -> dict[str, Any]:
        """The table schema the function receives: name, columns (without dlt's own columns
        when they are skipped), write disposition and the other hints."""
        table = copy.deepcopy(self.schema.tables[table_name])
        table["write_disposition"] = self.schema.write_disposition(table_name)
        if self.skip_dlt:
            table["columns"] = {n: c for n, c in table.get("columns", {}).items() if not _is_dlt_name(n)}
        return table

    def run_job(self, job: Any, path: Path) -> None:
        """Deliver the job file's rows in batches (or its path with `batch_size=0`)."""
        table_name = job.table_name
        if self.skip_dlt and _is_dlt_name(table_name):
            return
        if not self.table_sequential:
            self._deliver(job, path)
            return
        with self._lock:
            table_lock = self._table_locks.setdefault(table_name, threading.Lock())
        with table_lock:
            self._deliver(job, path)

    def _package_state(self, path: Path) -> _PackageState:
        # a running job file is <package>/started_jobs/<file>
        state_path = path.parent.parent / STATE_FILE
        with self._lock:
            state = self._states.get(state_path)
            if state is None:
                state = self._states[state_path] = _PackageState(state_path)
            return state

    def _deliver(self, job: Any, path: Path) -> None:
        table = self.load_table(job.table_name)
        state = self._package_state(path)
        key = f"{job.table_name}.{job.file_id}"
        if self.batch_size == 0:
            if state.get(key) == 0:
                self._call_with_file(path, job.file_format, table)
                state.advance(key, 1)
            return
        for batch in self._batches(path, job.file_format, table, state.get(key)):
            self._call(path, batch, table)
            state.advance(key, len(batch) if isinstance(batch, list) else batch.num_rows)

    def _call_with_file(self, path: Path, file_format: str, table: dict[str, Any]) -> None:
        """Call the function with the path of the job file; as in dlt 1.31 a typed-jsonl
        file is gzipped (`<file>.gz`) unless `data_writer.disable_compression` is set."""
        if file_format == "parquet" or compression_disabled():
            self._call(path, str(path), table)
            return
        compressed = path.with_name(path.name + ".gz")
        with open(path, "rb") as plain, gzip.open(compressed, "wb", compresslevel=5) as packed:
            shutil.copyfileobj(plain, packed)
        try:
            self._call(path, str(compressed), table)
        finally:
            compressed.unlink(missing_ok=True)

    def _call(self, path: Path, items: Any, table: dict[str, Any]) -> None:
        """Call the function; a failure is retried up to `max_attempts` calls, a
        `DestinationTerminalException` fails the job at once."""
        name = self.factory.name
        attempt = 0
        while True:
            attempt += 1
            try:
                self.call(items, table)
                return
            except DestinationTerminalError as exc:
                raise LoadJobTerminalError(
                    path.name, f"the destination function of {name} refused the batch of table"
                    f" {table['name']} for good: {exc}") from exc
            except Exception as exc:
                if attempt >= self.max_attempts:
                    raise LoadJobTerminalError(
                        path.name, f"the destination function of {name} failed on a batch of table"
                        f" {table['name']} {attempt} times, last with {type(exc).__name__}: {exc}."
                        " The batches delivered before it are kept; run the pipeline again to"
                        " resume from this batch.") from exc

    def _batches(self, path: Path, file_format: str, table: dict[str, Any], offset: int) -> Iterator[Any]:
        """Batches of at most `batch_size` rows, after the first `offset` rows."""
        if file_format == "parquet":
            yield from self._parquet_batches(path, table, offset)
            return
        columns = table.get("columns", {})
        typed = file_format == "typed-jsonl"
        batch: list[dict[str, Any]] = []
        position = 0
        with open(path, "rb") as lines:
            for line in lines:
                if not line.strip():
                    continue
                position += 1
                if position <= offset:
                    continue
                row = orjson.loads(line)
                if self.skip_dlt:
                    row = {k: v for k, v in row.items() if not _is_dlt_name(k)}
                if typed:
                    row = {k: _decode(columns.get(k, {}).get("data_type"), v) for k, v in row.items()}
                batch.append(row)
                if len(batch) >= self.batch_size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def _parquet_batches(self, path: Path, table: dict[str, Any], offset: int) -> Iterator[Any]:
        import pyarrow.parquet as pq

        data = pq.read_table(path)
        if self.skip_dlt:
            data = data.select([n for n in data.column_names if not _is_dlt_name(n)])
        # one chunk, so batches hold `batch_size` rows across the file's row groups
        yield from data.slice(offset).combine_chunks().to_batches(max_chunksize=self.batch_size)


def _max_attempts() -> int:
    """`load.raise_on_max_retries` (dlt 1.31's setting), 5 by default."""
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([("load", "raise_on_max_retries")])
    try:
        value = int(found[0]) if found is not None else DEFAULT_MAX_ATTEMPTS
    except (TypeError, ValueError):
        value = DEFAULT_MAX_ATTEMPTS
    return max(1, value)
