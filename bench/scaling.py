"""How ours' throughput scales with normalize worker processes and with rows.

    python bench/scaling.py                                   # flat: 250k / 1M / 2M rows x 1 and 2 workers
    python bench/scaling.py --rows 50000,100000 --workers 1,2 --repeat 1     # a quick look
    python bench/scaling.py --workload nested --rows 100000,200000

Every run is `bench/child.py` in its own process and temp dir (the same measured run as in
`run.py`, data built in memory first unless `--mode memory`), with `NORMALIZE__WORKERS` set to
each worker count; for every row count the worker counts alternate (1, 2, 1, 2, ...). Prints,
as Markdown, the medians per (rows, workers): rows/s per stage and end to end, seconds, peak RSS
(with child processes) and the most child processes seen at once (normalize workers, plus
multiprocessing's helper process when workers are started), then the end-to-end speed-up of
each worker count over the first. Ours decides by itself to normalize a small package in one
process (`normalize.parallel_min_bytes`), so the child-process column shows whether workers ran.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import run  # noqa: E402
import workloads as wl  # noqa: E402


def _ints(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def median_table(results: dict[tuple[int, int], list[dict[str, Any]]], rows_list: list[int],
                 workers_list: list[int]) -> str:
    """The Markdown table of medians per (rows, workers) and the speed-ups over the first worker count."""
    lines = ["| rows | normalize workers | extract rows/s | normalize rows/s | load rows/s | end-to-end rows/s |"
             " e2e s | peak RSS MB | child processes seen | runs |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    medians: dict[tuple[int, int], float] = {}
    for rows in rows_list:
        for workers in workers_list:
            ok = [r for r in results.get((rows, workers), []) if "error" not in r]
            if not ok:
                errors = [r.get("error", "") for r in results.get((rows, workers), [])]
                lines.append(f"| {rows:,} | {workers} | FAILED: {errors[:1]} | | | | | | | 0 |")
                continue
            seconds = {stage: statistics.median(r[f"{stage}_s"] for r in ok)
                       for stage in ("extract", "normalize", "load", "total")}
            medians[(rows, workers)] = rows / seconds["total"]
            peak = statistics.median(r["peak_rss_mb"] for r in ok)
            children = max(r.get("child_processes_seen", 0) for r in ok)
            checks = "" if all(r["checks"]["ok"] for r in ok) else " WRONG COUNTS"
            lines.append(f"| {rows:,} | {workers} | {run.fmt_rate(rows / seconds['extract'])} |"
                         f" {run.fmt_rate(rows / seconds['normalize'])} | {run.fmt_rate(rows / seconds['load'])} |"
                         f" **{run.fmt_rate(medians[(rows, workers)])}** | {seconds['total']:.2f} | {peak:.0f} |"
                         f" {children} | {len(ok)}{checks} |")
    base = workers_list[0]
    speedups = [f"{rows:,} rows: " + ", ".join(
        f"{w} workers {medians[(rows, w)] / medians[(rows, base)]:.2f}x" for w in workers_list[1:]
        if (rows, w) in medians and (rows, base) in medians) for rows in rows_list]
    if len(workers_list) > 1:
        lines.append(f"\nend-to-end speed-up over {base} worker(s): " + "; ".join(speedups))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the grid, print the table, write the JSON; 0 when every run succeeded."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", default="flat", choices=[w for w, s in wl.WORKLOADS.items()
                                                                if "ours" in s.implementations and w != "merge"])
    parser.add_argument("--rows", default="250000,1000000,2000000", help="comma-separated row counts")
    parser.add_argument("--workers", default="1,2", help="comma-separated NORMALIZE__WORKERS values")
    parser.add_argument("--repeat", type=int, default=1, help="runs per (rows, workers); the table shows medians")
    parser.add_argument("--mode", choices=("throughput", "memory"), default="throughput")
    parser.add_argument("--format", default="default", help="our loader file format, or default")
    parser.add_argument("--python", default=None, help="interpreter with our dlt (default: as run.py chooses)")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args(argv)
    rows_list, workers_list = _ints(args.rows), _ints(args.workers)
    python = args.python or run.resolve_ours("auto")[0]

    started, clock = datetime.now(timezone.utc), time.perf_counter()
    results: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for rows in rows_list:
        for repetition in range(args.repeat):
            for workers in workers_list:  # alternating worker counts
                run.OURS_NORMALIZE_WORKERS = workers
                run.log(f"[{time.perf_counter() - clock:7.1f}s] {args.workload} {rows:,} rows, {workers} workers,"
                        f" run {repetition + 1}/{args.repeat} ...")
                result = run.run_child(python, "ours", args.workload, rows, args.mode, args.format, args.timeout, None)
                run.log(f"    FAILED: {result['error']}" if "error" in result
                        else f"    {result['total_s']:.2f} s ({rows / result['total_s']:,.0f} rows/s),"
                             f" {result.get('child_processes_seen', 0)} child processes seen")
                result["normalize_workers"] = workers
                results.setdefault((rows, workers), []).append(result)
    elapsed = time.perf_counter() - clock
    print(f"\n### ours on `{args.workload}`, {args.mode} mode: normalize workers x rows"
          f" (medians of {args.repeat}; data: {wl.data_source()})\n")
    print(median_table(results, rows_list, workers_list))
    print(f"\nscaling took {elapsed / 60:.1f} min")
    run.RESULTS_DIR.mkdir(exist_ok=True)
    output = run.RESULTS_DIR / f"scaling-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    output.write_text(json.dumps({"started_at": started.isoformat(), "elapsed_s": elapsed, "arguments": vars(args),
                                  "runs": [r for runs in results.values() for r in runs]}, indent=2))
    print(f"results written to {output}")
    return 0 if all("error" not in r for runs in results.values() for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
