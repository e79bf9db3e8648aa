"""Where our dlt spends its time: cProfile of extract, normalize and load on one workload.

    python bench/profile_ours.py --workload flat --scale 0.2
    python bench/profile_ours.py --workload nested --scale 0.5 --top 15

Run with an interpreter that imports our dlt (the dev venv, or bench/.ours-venv/bin/python).
The data is built in memory before profiling starts, exactly as in the throughput benchmark.
Prints, as Markdown: the wall time of each stage (without the profiler), then, under the
profiler, the top functions of dlt-core by cumulative time with their share of the profiled
end-to-end time, and the top functions of any code by self time. cProfile adds a roughly
constant cost per Python call, so shares of call-heavy Python functions are overstated a little
against C code (pyarrow, orjson, duckdb).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import child  # noqa: E402
import workloads as wl  # noqa: E402


def fresh_pipeline(dlt: Any, tmp: Path) -> Any:
    return dlt.pipeline(pipeline_name="bench", pipelines_dir=str(tmp / "pipelines"),
                        destination=dlt.destinations.duckdb(credentials=str(tmp / "target.duckdb")),
                        dataset_name="bench")


def short_location(filename: str, line: int, function: str, core_root: str) -> str:
    if filename.startswith(core_root):
        return f"dlt/{os.path.relpath(filename, core_root)}:{line} `{function}`"
    if filename == "~":
        return f"`{function}` (built-in)"
    parts = Path(filename).parts
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1:]
    return f"{'/'.join(parts[-2:])}:{line} `{function}`"


def stage_wall_times(dlt: Any, workload: wl.Workload, rows: int, file_format: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = fresh_pipeline(dlt, Path(tmp))
        make = child.data_factory(workload, rows, "throughput")
        return child.run_stages("ours", dlt, pipeline, workload, make, file_format)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workload", choices=("flat", "nested", "general", "api", "arrow"), default="flat")
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--format", default="parquet")
    parser.add_argument("--save", type=Path, default=None, help="also write the raw pstats file here")
    args = parser.parse_args()
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")

    import dlt

    core_root = str(Path(dlt.__file__).resolve().parent)
    workload = wl.WORKLOADS[args.workload]
    rows = wl.scaled_rows(workload, args.scale)
    if workload.name == "merge":
        raise SystemExit("profile merge through the benchmark; this script profiles one batch")

    unprofiled = stage_wall_times(dlt, workload, rows, args.format)

    with tempfile.TemporaryDirectory() as tmp:
        pipeline = fresh_pipeline(dlt, Path(tmp))
        make = child.data_factory(workload, rows, "throughput")
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        profiled = child.run_stages("ours", dlt, pipeline, workload, make, args.format)
        profiler.disable()
        total = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    if args.save:
        stats.dump_stats(str(args.save))

    print(f"## our dlt, workload `{workload.name}`, {rows:,} rows, {args.format}\n")
    print("| stage | wall s (no profiler) | share | rows/s | wall s (profiled) |")
    print("|---|---|---|---|---|")
    for stage in ("extract", "normalize", "load"):
        seconds = unprofiled[f"{stage}_s"]
        print(f"| {stage} | {seconds:.2f} | {seconds / unprofiled['total_s']:.0%} | {rows / seconds:,.0f} |"
              f" {profiled[f'{stage}_s']:.2f} |")
    print(f"| end to end | {unprofiled['total_s']:.2f} | 100% | {rows / unprofiled['total_s']:,.0f} |"
          f" {profiled['total_s']:.2f} |\n")

    entries = stats.stats  # type: ignore[attr-defined]  # {(file, line, func): (cc, nc, tt, ct, callers)}
    core = [(key, value) for key, value in entries.items() if key[0].startswith(core_root)]
    core.sort(key=lambda item: item[1][3], reverse=True)
    print(f"### top {args.top} dlt-core functions by cumulative time (share of {total:.2f} s profiled)\n")
    print("| # | function | calls | cumulative s | cumulative share | self s |")
    print("|---|---|---|---|---|---|")
    for rank, ((filename, line, function), (_, calls, self_s, cum_s, _)) in enumerate(core[:args.top], 1):
        print(f"| {rank} | {short_location(filename, line, function, core_root)} | {calls:,} | {cum_s:.2f} |"
              f" {cum_s / total:.1%} | {self_s:.2f} |")

    everything = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)
    print(f"\n### top {args.top} functions of any code by self time\n")
    print("| # | function | calls | self s | self share |")
    print("|---|---|---|---|---|")
    for rank, ((filename, line, function), (_, calls, self_s, _, _)) in enumerate(everything[:args.top], 1):
        print(f"| {rank} | {short_location(filename, line, function, core_root)} | {calls:,} | {self_s:.2f} |"
              f" {self_s / total:.1%} |")


if __name__ == "__main__":
    main()
