"""Normalize in worker processes: the item files of a big package split across processes.

The main process normalizes one share itself and fresh interpreters take the others. Each
worker normalizes its files against a copy of the schema and writes its own job files.
The main process then merges what the workers added to the schema. When two workers disagree
(the same new column inferred with different types, or a key mapped to different names), the
workers' jobs are thrown away and the package is normalized again in one process, so the
result is always the same as a single-process run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson

from dlt.schema import Schema


def _normalize_worker(schema_document: dict[str, Any], load_id: str, files: list[str],
                      jobs_folder: str, file_format: str, buffer_rows: int, index: int,
                      counter: Any = None, arrow_file_format: str = "parquet") -> dict[str, Any]:
    """Worker body: normalize `files`, return schema changes, name maps, counts and job files.

    `counter` (a `dlt.collectors.rows.RowCounter`) counts the rows as they are written."""
    from dlt.normalize.normalizer import normalize_row_files
    from dlt.normalize.relational import RowNormalizer
    from dlt.destinations.base import arrow_file_format_for
    from dlt.normalize.writers import TableJobWriter, table_file_format_hint, table_job_format

    schema = Schema.from_dict(schema_document)
    rows = RowNormalizer(schema, load_id)
    writers: dict[str, TableJobWriter] = {}

    def writer_for(table: str) -> TableJobWriter:
        writer = writers.get(table)
        if writer is None:
            hinted = table_job_format(table_file_format_hint(schema.tables, table), file_format)
            writer = writers[table] = TableJobWriter(
                Path(jobs_folder), table, hinted or file_format, f"w{index}_", buffer_rows=buffer_rows,
                arrow_file_format=arrow_file_format_for(hinted) if hinted else arrow_file_format)
        return writer

    def write(table: str, table_rows: list[dict[str, Any]]) -> None:
        writer_for(table).write(table_rows, schema.tables[table]["columns"])

    def write_columns(table: str, values: dict[str, list[Any]], count: int) -> None:
        writer_for(table).write_columns(values, count, schema.tables[table]["columns"])

    if counter is not None:
        write, write_columns = counter.wrap_rows(write), counter.wrap_columns(write_columns)
    normalize_row_files(schema, rows, [Path(f) for f in files], write, False, write_columns)
    job_files: list[str] = []
    counts: dict[str, int] = {}
    for table, writer in writers.items():
        job_files += [str(p) for p in writer.close(schema.tables[table]["columns"])]
        counts[table] = writer.row_count
    return {
        "tables": schema.tables,
        "names": rows.name_maps(),
        "row_counts": counts,
        "changed": sorted(rows.changed_tables),
        "files": job_files,
    }


def normalize_files_in_pool(schema: Schema, load_id: str, files: list[Path], jobs_folder: Path,
                            file_format: str, buffer_rows: int, workers: int,
                            counter: Any = None, arrow_file_format: str = "parquet") -> list[dict[str, Any]]:
    """Split `files` over `workers` processes (balanced by size) and run them.

    With `counter` (a `dlt.collectors.rows.CollectorRowCounter`) the workers report their row
    counts through their stdout while they run, and `counter` reports them with its own.

    Workers are fresh interpreters (`python -m dlt.normalize.workers`) that import only dlt,
    never the user's script, so scripts need no `if __name__ == "__main__"` guard. Raises
    `WorkerFailed` when a worker does not finish cleanly.
    """
    shares: list[list[str]] = [[] for _ in range(min(workers, len(files)))]
    sizes = [0] * len(shares)
    for file in sorted(files, key=lambda f: f.stat().st_size, reverse=True):
        smallest = sizes.index(min(sizes))
        shares[smallest].append(str(file))
        sizes[smallest] += file.stat().st_size
    document = schema.to_dict()
    processes = []
    # the first share is normalized right here while the other processes work: one
    # interpreter fewer to start and to hold in memory
    for index, share in enumerate(shares[1:], start=1):
        task = jobs_folder.parent / f"worker_{index}.task.json"
        result = jobs_folder.parent / f"worker_{index}.result.json"
        task.write_bytes(orjson.dumps({
            "schema": document, "load_id": load_id, "files": share, "jobs_folder": str(jobs_folder),
            "file_format": file_format, "arrow_file_format": arrow_file_format,
            "buffer_rows": buffer_rows, "index": index,
            "result": str(result), "report_progress": counter.period if counter is not None else None,
        }))
        process = subprocess.Popen([sys.executable, "-m", "dlt.normalize.workers", str(task)],
                                   stdout=subprocess.DEVNULL if counter is None else subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        processes.append((process, task, result))
    readers = [] if counter is None else _start_progress_readers(counter, processes)
    results = []
    failures = []
    try:
        results.append(_normalize_worker(document, load_id, shares[0], str(jobs_folder), file_format,
                                         buffer_rows, 0, counter, arrow_file_format))
    except Exception as exc:  # the same fallback as a failed process
        failures.append([f"{type(exc).__name__}: {exc}"])
    for position, (process, task, result) in enumerate(processes):
        if counter is None:
            _, stderr = process.communicate()
        else:
            stderr = _wait_reporting(process, readers[position], counter)
        task.unlink(missing_ok=True)
        if process.returncode != 0 or not result.exists():
            failures.append(stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"])
            continue
        results.append(orjson.loads(result.read_bytes()))
        result.unlink(missing_ok=True)
    if failures:
        for partial in results:
            for job in partial["files"]:
                Path(job).unlink(missing_ok=True)
        raise WorkerFailed(f"a normalize worker failed: {failures[0][0]}")
    return results


class WorkerFailed(Exception):
    """A normalize worker process did not finish; the caller normalizes in one process."""


def _start_progress_readers(counter: Any, processes: list[Any]) -> list[tuple[Any, list[bytes]]]:
    """A thread per worker reading its stdout (progress lines) and one collecting its stderr."""
    import threading

    readers = []
    for index, (process, _, _) in enumerate(processes, start=1):
        errors: list[bytes] = []
        stdout = threading.Thread(target=counter.read_worker_stream, args=(index, process.stdout),
                                  daemon=True)
        stderr = threading.Thread(target=lambda p=process, e=errors: e.append(p.stderr.read()),
                                  daemon=True)
        stdout.start()
        stderr.start()
        readers.append(((stdout, stderr), errors))
    return readers


def _wait_reporting(process: Any, reader: tuple[Any, list[bytes]], counter: Any) -> bytes:
    """Wait for a worker while passing the row counts on; returns what it wrote to stderr."""
    threads, errors = reader
    while True:
        try:
            process.wait(timeout=counter.period)
            break
        except subprocess.TimeoutExpired:
            counter.report()
    for thread in threads:
        thread.join()
    counter.report()
    return b"".join(errors)


def main(task_path: str) -> None:
    """Entry point of a worker process: run one task file, write its result file."""
    task = orjson.loads(Path(task_path).read_bytes())
    counter = None
    if task.get("report_progress"):
        from dlt.collectors.rows import StreamRowCounter

        counter = StreamRowCounter(sys.stdout.buffer, period=task["report_progress"])
    result = _normalize_worker(task["schema"], task["load_id"], task["files"], task["jobs_folder"],
                               task["file_format"], task["buffer_rows"], task["index"], counter,
                               task.get("arrow_file_format", "parquet"))
    Path(task["result"]).write_bytes(orjson.dumps(result, default=str))


def reconcile(schema: Schema, results: list[dict[str, Any]]) -> set[str] | None:
    """Merge the workers' schema changes into `schema`; None (schema untouched) on a conflict."""
    names: dict[str, dict[str, str]] = {}
    for result in results:
        for scope, mapping in result["names"].items():
            known = names.setdefault(scope, {})
            for key, name in mapping.items():
                if known.setdefault(key, name) != name:
                    return None
    merged: dict[str, dict[str, Any]] = {}
    for result in results:
        for table_name, table in result["tables"].items():
            target = merged.setdefault(table_name, {"table": table, "columns": {}})
            for column_name, column in table["columns"].items():
                seen = target["columns"].get(column_name)
                if seen is None or not seen.get("data_type"):
                    target["columns"][column_name] = column
                elif column.get("data_type") and column["data_type"] != seen["data_type"]:
                    return None
    changed: set[str] = set()
    for table_name, entry in merged.items():
        existing = schema.tables.get(table_name, {}).get("columns", {})
        for column_name, column in entry["columns"].items():
            old_type = existing.get(column_name, {}).get("data_type")
            if old_type and column.get("data_type") and old_type != column["data_type"]:
                return None
    for table_name, entry in merged.items():
        partial = {k: v for k, v in entry["table"].items() if k != "columns"}
        partial["columns"] = entry["columns"]
        before = schema.tables.get(table_name)
        snapshot = repr(before)
        schema.update_table(partial)
        if repr(schema.tables.get(table_name)) != snapshot:
            changed.add(table_name)
    for result in results:
        changed |= set(result["changed"])
    return changed


if __name__ == "__main__":
    main(sys.argv[1])
