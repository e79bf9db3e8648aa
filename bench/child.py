"""One measured benchmark run, in its own process: `run.py` starts this with the interpreter of
the implementation under test (ours, the peer, or plain DuckDB for the reference).

It builds the workload's data (in memory before timing in `throughput` mode; lazily, page by
page, inside the pipeline in `memory` mode), times `pipeline.extract()`, `pipeline.normalize()`
and `pipeline.load()` separately against a fresh pipelines dir and DuckDB file under `--tmp`,
checks the row counts in the database, and prints one line `BENCH_RESULT {json}` with the
timings and the peak RSS: the larger of the process's own high-water mark
(`getrusage(RUSAGE_SELF).ru_maxrss`) and the sampled RSS of the process with all its children
(normalize worker processes included).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any, Callable

import workloads as wl

SAMPLER: "TreeRssSampler"


def current_rss_mb() -> float:
    """The process's resident set size now, in MB (Linux /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(c) for c in children.read().split()]
    except OSError:
        return []


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeRssSampler:
    """Samples the RSS of this process plus all its descendants (e.g. normalize worker
    processes) every 20 ms; `peak_mb` is the largest sum seen. The peak RSS reported for a run
    is the larger of this and the process's own high-water mark, so work done in child
    processes is not hidden."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self.max_descendants = 0  # the most child processes (all generations) seen at once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        root = os.getpid()
        while not self._stop.wait(0.02):
            pids, frontier = [root], [root]
            while frontier:
                found = [c for p in frontier for c in _children(p)]
                pids += found
                frontier = found
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in pids))
            self.max_descendants = max(self.max_descendants, len(pids) - 1)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process's RSS (VmHWM); False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def stage_peak_rss_mb() -> float | None:
    """VmHWM: the peak RSS since the last `reset_peak_rss()` (or since start), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def data_factory(workload: wl.Workload, rows: int, mode: str, second_run: bool = False) -> Callable[[], Any]:
    """A zero-argument callable returning a fresh generator of the workload's pages.

    In `throughput` mode the pages are materialized now (untimed) and the generator replays
    them; in `memory` mode each page is built when the pipeline asks for it.
    """
    if workload.arrow:
        if mode == "throughput":
            table = wl.arrow_table(rows)
            return lambda: iter([table])
        return lambda: wl.arrow_pages(rows)
    if workload.name in ("flat", "flat_5x"):
        make = lambda: wl.flat_pages(rows)  # noqa: E731
    elif workload.name == "nested":
        make = lambda: wl.nested_pages(rows)  # noqa: E731
    elif workload.name == "merge":
        make = lambda: wl.merge_pages(rows, second_run)  # noqa: E731
    elif workload.name == "api":
        make = lambda: wl.api_pages(rows)  # noqa: E731
    elif workload.name == "general":
        make = lambda: wl.general_pages(rows)  # noqa: E731
    else:
        raise SystemExit(f"no data for workload {workload.name}")
    if mode == "throughput":
        pages = list(make())
        return lambda: iter(pages)
    return make


def run_stages(impl: str, dlt: Any, pipeline: Any, workload: wl.Workload, make_pages: Callable[[], Any],
               file_format: str | None) -> dict[str, float]:
    """Extract, normalize and load one batch of data, timing each stage (`file_format` None:
    the implementation's default)."""
    resource_ = dlt.resource(make_pages(), name=workload.table, **workload.hints)
    stage_rss: dict[str, float | None] = {}
    can_reset = reset_peak_rss()
    started = time.perf_counter()
    if impl == "peer":
        # dlt 1.x takes the loader file format on extract (it is stored in the package)
        pipeline.extract(resource_, loader_file_format=file_format)
    else:
        pipeline.extract(resource_)
    extracted = time.perf_counter()
    stage_rss["extract"] = stage_peak_rss_mb()
    reset_peak_rss()
    normalized_started = time.perf_counter()
    if impl == "peer":
        pipeline.normalize()
    else:
        pipeline.normalize(loader_file_format=file_format)
    normalized = time.perf_counter()
    stage_rss["normalize"] = stage_peak_rss_mb()
    reset_peak_rss()
    load_started = time.perf_counter()
    pipeline.load()
    loaded = time.perf_counter()
    stage_rss["load"] = stage_peak_rss_mb()
    # the /proc reads between stages are not counted in any stage
    extract_s, normalize_s, load_s = extracted - started, normalized - normalized_started, loaded - load_started
    return {"extract_s": extract_s, "normalize_s": normalize_s, "load_s": load_s,
            "total_s": extract_s + normalize_s + load_s,
            "stage_peak_rss_mb": stage_rss if can_reset else None}


def count(db_path: Path, dataset: str, table: str, where: str = "") -> int:
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(f'SELECT count(*) FROM "{dataset}"."{table}" {where}').fetchone()[0]


def column_counts(db_path: Path, dataset: str) -> dict[str, int]:
    """Columns of every data table of `dataset` (dlt's own `_dlt_*` tables left out), so the two
    implementations' table layouts can be compared."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        found = con.execute("SELECT table_name, count(*) FROM information_schema.columns"
                            " WHERE table_schema = ? AND NOT starts_with(table_name, '_dlt')"
                            " GROUP BY table_name ORDER BY table_name", [dataset]).fetchall()
    return dict(found)


def job_formats(pipeline: Any, impl: str, asked: str) -> str:
    """The file formats of the data jobs ours loaded last (read from its load package), or the
    format the peer was asked for."""
    if impl != "ours":
        return asked
    load_id = pipeline.list_completed_load_packages()[-1]
    # dlt 1.31's LoadPackageInfo: jobs by state, each a LoadJobInfo with job_file_info
    jobs = pipeline.get_load_package_info(load_id).jobs.get("completed_jobs", [])
    formats = sorted({job.file_path.rsplit(".", 1)[1] for job in jobs
                      if not job.table_name.startswith("_dlt")})
    return "+".join(formats) + (" (its default)" if asked == "default" else "")


def run_pipeline(args: argparse.Namespace, workload: wl.Workload, rows: int) -> dict[str, Any]:
    import dlt

    tmp = Path(args.tmp)
    db_path = tmp / "target.duckdb"
    pipeline = dlt.pipeline(pipeline_name="bench", pipelines_dir=str(tmp / "pipelines"),
                            destination=dlt.destinations.duckdb(credentials=str(db_path)),
                            dataset_name="bench")
    result: dict[str, Any] = {"dlt_version": getattr(dlt, "__version__", "?"), "file_format": args.format}
    file_format = None if args.format == "default" else args.format
    if workload.name == "merge":
        first = data_factory(workload, rows, args.mode, second_run=False)
        second = data_factory(workload, rows, args.mode, second_run=True)
        result["rss_before_mb"] = current_rss_mb()
        first_run = run_stages(args.impl, dlt, pipeline, workload, first, file_format)
        result["first_run"] = first_run
        result.update(run_stages(args.impl, dlt, pipeline, workload, second, file_format))
        result["file_format"] = job_formats(pipeline, args.impl, args.format)
        expected = rows + rows // 2
        final = count(db_path, "bench", workload.table)
        updated = count(db_path, "bench", workload.table, wl.MERGE_SECOND_RUN_WHERE)
        result["checks"] = {"final_rows": final, "expected_rows": expected, "rows_with_second_run_values": updated,
                            "ok": final == expected and updated == rows}
        result["columns"] = column_counts(db_path, "bench")
        return result
    make = data_factory(workload, rows, args.mode)
    result["rss_before_mb"] = current_rss_mb()
    result.update(run_stages(args.impl, dlt, pipeline, workload, make, file_format))
    result["file_format"] = job_formats(pipeline, args.impl, args.format)
    loaded = count(db_path, "bench", workload.table)
    checks: dict[str, Any] = {"rows": loaded, "expected_rows": rows, "ok": loaded == rows}
    if workload.name == "nested":
        children = count(db_path, "bench", f"{workload.table}__children")
        checks.update(child_rows=children, expected_child_rows=rows * 5, ok=checks["ok"] and children == rows * 5)
    if workload.name == "api":
        expected = wl.api_child_rows(rows)
        found = {table: count(db_path, "bench", table) for table in expected}
        checks.update(child_rows=found, expected_child_rows=expected, ok=checks["ok"] and found == expected)
    if workload.name == "general":
        expected = wl.general_child_rows(rows)
        found = {table: count(db_path, "bench", table) for table in expected}
        checks.update(child_rows=found, expected_child_rows=expected, ok=checks["ok"] and found == expected)
    result["checks"] = checks
    result["columns"] = column_counts(db_path, "bench")
    return result


def run_reference(args: argparse.Namespace, workload: wl.Workload, rows: int) -> dict[str, Any]:
    """DuckDB alone: create the table from the in-memory Arrow table in a fresh database file."""
    import duckdb

    table = wl.arrow_table(rows)  # noqa: F841 - read by DuckDB's replacement scan below
    db_path = Path(args.tmp) / "target.duckdb"
    result: dict[str, Any] = {"duckdb_only": True, "file_format": "arrow (in memory)",
                              "rss_before_mb": current_rss_mb()}
    started = time.perf_counter()
    con = duckdb.connect(str(db_path))
    con.execute("CREATE SCHEMA bench")
    con.register("source_table", table)
    con.execute(f"CREATE TABLE bench.{workload.table} AS SELECT * FROM source_table")
    con.close()
    elapsed = time.perf_counter() - started
    result.update(extract_s=0.0, normalize_s=0.0, load_s=elapsed, total_s=elapsed)
    loaded = count(db_path, "bench", workload.table)
    result["checks"] = {"rows": loaded, "expected_rows": rows, "ok": loaded == rows}
    return result


def main() -> None:
    global SAMPLER
    SAMPLER = TreeRssSampler()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--impl", choices=("ours", "peer", "duckdb"), required=True)
    parser.add_argument("--workload", choices=tuple(wl.WORKLOADS), required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--mode", choices=("throughput", "memory"), required=True)
    parser.add_argument("--format", default="parquet", help="a loader file format, or default")
    parser.add_argument("--tmp", required=True)
    args = parser.parse_args()
    workload = wl.WORKLOADS[args.workload]
    import duckdb
    import pyarrow

    versions = {"python": sys.version.split()[0], "duckdb": duckdb.__version__, "pyarrow": pyarrow.__version__}
    if args.impl == "duckdb":
        result = run_reference(args, workload, args.rows)
    else:
        result = run_pipeline(args, workload, args.rows)
    result.update(versions)
    result.update(impl=args.impl, workload=args.workload, rows=args.rows, mode=args.mode,
                  peak_rss_mb=max(peak_rss_mb(), tree_peak := SAMPLER.stop()),
                  self_peak_rss_mb=peak_rss_mb(), tree_peak_rss_mb=tree_peak, pid=os.getpid(),
                  child_processes_seen=SAMPLER.max_descendants)
    print("BENCH_RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
