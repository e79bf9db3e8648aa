"""The exact measurement issue #20 names: the reference benchmark itself, ours against the peer.

    python bench/reference_pairs.py                    # flat 1M, nested 200k, merge 200k, arrow 1M; 3 pairs
    python bench/reference_pairs.py --scale 0.05 --repeat 1 --workloads flat,nested

For every workload it runs `bench_dlt.py WORKLOAD ROWS --page-size 1000 --materialize` of the
reference benchmark (`../shared/bench/`, or `$BENCH_REFERENCE_DIR`), unchanged, alternately with
our interpreter and with the peer's (dlt 1.31.0, plus `--loader-file-format parquet`): ours,
peer, ours, peer, ... each its own process in a fresh temp dir with nothing dlt-related in its
environment. It prints, as Markdown, the median end-to-end rows/s of each side and their ratio,
each run's rows/s, the medians of the stages, and whether the destination row counts of the two
sides agree; then the speed targets of issue #20 that this measures. The raw JSON lines go to
`bench/results/reference-pairs-<timestamp>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import run  # noqa: E402
import workloads as wl  # noqa: E402

ROWS = {"flat": 1_000_000, "nested": 200_000, "merge": 200_000, "arrow": 1_000_000}
"""Rows of each reference workload at scale 1 (the sizes issue #20 names)."""

TARGETS = {"flat": 10.0, "nested": 10.0, "merge": 10.0, "arrow": 1.0}
"""End-to-end ratio ours/peer each workload must reach."""


def reference_command(python: str, script: Path, workload: str, rows: int, peer: bool) -> list[str]:
    """The reference benchmark's command line for one run (the peer with parquet, its fastest format)."""
    command = [python, str(script), workload, str(rows), "--page-size", "1000", "--materialize"]
    if peer:
        command += ["--loader-file-format", "parquet"]
    return command


def run_once(python: str, script: Path, workload: str, rows: int, impl: str, normalize_workers: int | None,
             timeout: float) -> dict[str, Any]:
    """One run of the reference benchmark in a fresh process and temp dir; its JSON line or an error."""
    tmp = Path(tempfile.mkdtemp(prefix=f"dlt-refbench-{impl}-{workload}-"))
    env = run.child_env(impl, tmp, None)
    env.pop("NORMALIZE__WORKERS", None)
    if impl == "ours" and normalize_workers:
        env["NORMALIZE__WORKERS"] = str(normalize_workers)
    env["TMPDIR"] = str(tmp)  # bench_dlt.py makes its pipelines dir and DuckDB file with mkdtemp
    command = reference_command(python, script, workload, rows, peer=impl == "peer")
    try:
        completed = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"impl": impl, "workload": workload, "error": f"timed out after {timeout:.0f} s"}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            result["impl_label"] = impl
            return result
    tail = "\n".join((completed.stderr or completed.stdout).splitlines()[-15:])
    return {"impl": impl, "workload": workload, "error": f"exit code {completed.returncode}:\n{tail}"}


def median_of(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if "error" not in r and r.get(key) is not None]
    return statistics.median(values) if values else None


def summarize(by_impl: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Medians of each side (rows/s end to end, seconds per stage), their ratio, counts agreement."""
    summary: dict[str, Any] = {}
    for impl, runs in by_impl.items():
        summary[impl] = {"rows_per_s": median_of(runs, "rows_per_s"),
                         "runs_rows_per_s": [r.get("rows_per_s") for r in runs],
                         **{f"{stage}_s": median_of(runs, f"{stage}_s")
                            for stage in ("extract", "normalize", "load", "total")},
                         "errors": [r["error"] for r in runs if "error" in r],
                         "dest_counts": next((r.get("dest_counts") for r in runs if "error" not in r), None),
                         "peak_rss_mb": median_of(runs, "peak_rss_mb")}
    ours, peer = summary.get("ours", {}), summary.get("peer", {})
    summary["ratio"] = (ours["rows_per_s"] / peer["rows_per_s"]
                        if ours.get("rows_per_s") and peer.get("rows_per_s") else None)
    summary["counts_agree"] = (ours.get("dest_counts") == peer.get("dest_counts")
                               if ours.get("dest_counts") and peer.get("dest_counts") else None)
    return summary


def print_report(summaries: dict[str, dict[str, Any]], rows: dict[str, int], repeat: int) -> list[dict[str, Any]]:
    """The Markdown table of the pairs and the targets; returns the targets with met or not."""
    print(f"\n### reference benchmark, ours vs dlt 1.31.0 (parquet), medians of {repeat}\n")
    print("| workload | rows | ours rows/s | peer rows/s | ratio | ours runs | peer runs |"
          " ours E/N/L s | peer E/N/L s | counts |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    targets = []
    for workload, s in summaries.items():
        ours, peer = s.get("ours", {}), s.get("peer", {})

        def stages(side: dict[str, Any]) -> str:
            values = [side.get(f"{stage}_s") for stage in ("extract", "normalize", "load")]
            return "/".join("-" if v is None else f"{v:.2f}" for v in values)

        def runs(side: dict[str, Any]) -> str:
            return ", ".join(run.fmt_rate(v) for v in side.get("runs_rows_per_s", [])) or "-"

        counts = {True: "agree", False: "DIFFER", None: "-"}[s["counts_agree"]]
        print(f"| {workload} | {rows[workload]:,} | {run.fmt_rate(ours.get('rows_per_s'))} |"
              f" {run.fmt_rate(peer.get('rows_per_s'))} | **{run.fmt_ratio(s['ratio'])}** | {runs(ours)} |"
              f" {runs(peer)} | {stages(ours)} | {stages(peer)} | {counts} |")
        for side in ("ours", "peer"):
            for error in s.get(side, {}).get("errors", []):
                print(f"\n{workload} {side} FAILED: {error}")
        if s["ratio"] is not None and workload in TARGETS:
            targets.append({"target": f"reference {workload}: ours/peer >= {TARGETS[workload]:g}x",
                            "measured": f"{s['ratio']:.2f}x", "met": s["ratio"] >= TARGETS[workload]})
    if targets:
        print("\n| target | measured | met? |\n|---|---|---|")
        for t in targets:
            print(f"| {t['target']} | {t['measured']} | {'met' if t['met'] else '**NOT met**'} |")
    return targets


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default="flat,nested,merge,arrow", help="subset of flat,nested,merge,arrow")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of each workload's rows")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of runs per workload (default 3)")
    parser.add_argument("--ours-python", default=None,
                        help="interpreter with our dlt (default: this one if it imports dlt-core, else bench/.ours-venv)")
    parser.add_argument("--peer-python", default=None,
                        help="interpreter with dlt 1.31.0 (default: bench/.peer-venv, built like run.py does)")
    parser.add_argument("--ours-normalize-workers", type=int, default=None,
                        help="NORMALIZE__WORKERS for ours (e.g. 1 for the one-worker target)")
    parser.add_argument("--timeout", type=float, default=3600)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the pairs, print the report, write the JSON; 0 when every run succeeded."""
    args = parse_args(argv)
    script = wl.reference_dir() / "bench_dlt.py"
    if not script.is_file():
        raise SystemExit(f"the reference benchmark is not at {script}; set {wl.REFERENCE_DIR_VARIABLE}")
    # absolute, not resolved: each run's working directory is a temp dir, and resolving a
    # venv's python symlink would leave the venv
    ours_python = os.path.abspath(args.ours_python or run.resolve_ours("auto")[0])
    peer_python = os.path.abspath(args.peer_python or run.resolve_peer("1.31.0", ours_python)[0])
    selected = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in selected if w not in ROWS]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; the reference benchmark has {list(ROWS)}")
    rows = {w: max(1_000, int(ROWS[w] * args.scale) // 1_000 * 1_000) for w in selected}
    pythons = {"ours": ours_python, "peer": peer_python}
    run.log(f"reference benchmark {script}; ours {ours_python}; peer {peer_python}")
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    all_runs: list[dict[str, Any]] = []
    summaries = {}
    for workload in selected:
        by_impl: dict[str, list[dict[str, Any]]] = {"ours": [], "peer": []}
        for repetition in range(args.repeat):
            for impl in ("ours", "peer"):
                run.log(f"[{time.perf_counter() - clock:7.1f}s] {workload} {impl} run {repetition + 1}/{args.repeat}"
                        f" ({rows[workload]:,} rows) ...")
                result = run_once(pythons[impl], script, workload, rows[workload], impl,
                                  args.ours_normalize_workers, args.timeout)
                run.log(f"    FAILED: {result['error']}" if "error" in result
                        else f"    {result['total_s']:.2f} s, {result['rows_per_s']:,} rows/s")
                by_impl[impl].append(result)
                all_runs.append(result)
        summaries[workload] = summarize(by_impl)
    targets = print_report(summaries, rows, args.repeat)
    elapsed = time.perf_counter() - clock
    print(f"\nreference pairs took {elapsed / 60:.1f} min (scale {args.scale}, repeat {args.repeat})")
    run.RESULTS_DIR.mkdir(exist_ok=True)
    output = run.RESULTS_DIR / f"reference-pairs-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    output.write_text(json.dumps({"started_at": started.isoformat(), "elapsed_s": elapsed, "arguments": vars(args),
                                  "summaries": summaries, "targets": targets, "runs": all_runs}, indent=2))
    print(f"results written to {output}")
    return 0 if all("error" not in r for r in all_runs) else 1


if __name__ == "__main__":
    sys.exit(main())
