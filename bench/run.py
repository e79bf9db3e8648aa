"""Benchmarks of our dlt against the peer, `dlt` from PyPI, side by side, checking the targets
of issue #20. One command:

    python bench/run.py --repeat 3           # the report: every workload and mode, medians of 3
    python bench/run.py --scale 0.05 --repeat 1   # a quick run at a twentieth of the rows
    python bench/run.py --workloads flat,arrow --mode throughput

Each measured run is a separate subprocess (`bench/child.py`) with a fresh pipelines dir and
DuckDB file in a temp dir. Runs alternate between the implementations (ours, peer, ours with one
normalize worker, ours, peer, ...). The peer is installed in its own virtual environment,
`bench/.peer-venv/`, created on the first run and reused while its requirements are unchanged.
The flat/nested/merge/arrow data come from the reference benchmark's workloads.py (see
bench/workloads.py). Results are printed as tables with the targets met or not, and written to
`bench/results/<timestamp>.json`. See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
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
REPO_ROOT = BENCH_DIR.parent
CORE_DIR = REPO_ROOT / "dlt-core"
PEER_VENV = BENCH_DIR / ".peer-venv"
OURS_VENV = BENCH_DIR / ".ours-venv"
RESULTS_DIR = BENCH_DIR / "results"

sys.path.insert(0, str(BENCH_DIR))
import workloads as wl  # noqa: E402

DEFAULT_WORKLOADS = ("flat", "nested", "merge", "general", "arrow", "reference")
STAGES = ("extract", "normalize", "load", "total")

# targets of issue #20, checked at the end of every run (see check_targets)
TARGET_E2E_RATIO = {"flat": 10.0, "nested": 10.0, "merge": 10.0, "arrow": 1.0}
"""End-to-end rows/s ours/peer in throughput mode."""
TARGET_REFERENCE_FACTOR = 1.15
"""Ours' end-to-end time on `arrow` at most this times DuckDB's alone (`reference`)."""
TARGET_PEAK_RSS_MB = 250.0
"""Ours' peak RSS (with child processes) in memory mode, every workload."""
TARGET_RSS_GROWTH = 0.05
"""Ours' peak RSS at 5x the flat rows at most this much above 1x, memory mode."""
TARGET_ONE_WORKER_RATIO = {"flat": 5.0, "nested": 5.0}
"""End-to-end rows/s ours with NORMALIZE__WORKERS=1 over the peer, throughput mode."""
TARGET_GENERAL_SHARE = 0.5
"""The general workload's ratio at least this share of the flat ratio of the same run."""

ONE_WORKER = "ours-w1"
"""The implementation label of our runs with one normalize worker (`NORMALIZE__WORKERS=1`)."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- environments ---------------------------------------------------------------------------------

def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def interpreter_has_our_dlt(python: str) -> bool:
    """True when `python` imports `dlt` from our dlt-core distribution (not the peer's `dlt`)."""
    probe = ("import importlib.metadata as m, dlt, pyarrow, duckdb; "
             "print(m.version('dlt-core'))")
    completed = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    return completed.returncode == 0


def pinned_versions(python: str) -> dict[str, str]:
    """The duckdb and pyarrow versions of the interpreter running ours, so the peer gets the same engine."""
    probe = "import duckdb, pyarrow, json; print(json.dumps({'duckdb': duckdb.__version__, 'pyarrow': pyarrow.__version__}))"
    completed = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


def ensure_venv(venv: Path, requirements: list[str], fingerprint: str) -> Path:
    """Create (or reuse) `venv` with `requirements` installed; rebuilt when `fingerprint` changes."""
    marker = venv / "bench-requirements.json"
    wanted = {"requirements": requirements, "fingerprint": fingerprint}
    if marker.exists() and venv_python(venv).exists():
        if json.loads(marker.read_text()) == wanted:
            return venv_python(venv)
    if venv.exists():
        shutil.rmtree(venv)
    log(f"creating {venv.relative_to(REPO_ROOT)}: pip install {' '.join(requirements)}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *requirements], check=True)
    marker.write_text(json.dumps(wanted))
    return venv_python(venv)


def core_fingerprint() -> str:
    """A hash of dlt-core's sources, so `.ours-venv` is rebuilt when the code changes."""
    digest = hashlib.sha256()
    for path in sorted(CORE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".toml", ".typed"):
            digest.update(str(path.relative_to(CORE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def resolve_ours(choice: str) -> tuple[str, str]:
    """The interpreter that runs our dlt and how it was chosen."""
    if choice in ("auto", "current") and interpreter_has_our_dlt(sys.executable):
        return sys.executable, f"current interpreter ({sys.executable}, dlt-core importable)"
    if choice == "current":
        raise SystemExit(f"{sys.executable} cannot import our dlt (dlt-core); use --ours venv")
    python = ensure_venv(OURS_VENV, [str(CORE_DIR)], core_fingerprint())
    return str(python), f"{OURS_VENV.relative_to(REPO_ROOT)} (pip install ./dlt-core, non-editable)"


def resolve_peer(peer_version: str, ours_python: str) -> tuple[str, list[str]]:
    pins = pinned_versions(ours_python)
    requirements = [f"dlt[duckdb,parquet]=={peer_version}", f"duckdb=={pins['duckdb']}",
                    f"pyarrow=={pins['pyarrow']}"]
    return str(ensure_venv(PEER_VENV, requirements, "peer")), requirements


# -- one run --------------------------------------------------------------------------------------

#: `--ours-normalize-workers`: NORMALIZE__WORKERS for our runs (None: our default)
OURS_NORMALIZE_WORKERS: int | None = None


def child_env(impl: str, tmp: Path, peer_load_workers: int | None) -> dict[str, str]:
    """The environment of one measured run: nothing dlt-related inherited, telemetry off, the
    dlt dirs inside `tmp`, and the normalize workers of `impl` (`ours-w1`: one)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DLT_", "RUNTIME__", "NORMALIZE__", "LOAD__", "EXTRACT__", "DATA_WRITER__",
                                "DESTINATION__"))}
    env.update({
        "RUNTIME__DLTHUB_TELEMETRY": "false",   # the peer would otherwise try to send telemetry
        "RUNTIME__LOG_LEVEL": "WARNING",
        "DLT_DATA_DIR": str(tmp / "dlt-data"),  # the peer's global dir (telemetry id, ...)
        "DLT_PIPELINES_DIR": str(tmp / "pipelines"),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    if impl == "peer" and peer_load_workers:
        env["LOAD__WORKERS"] = str(peer_load_workers)
    if impl == "ours" and OURS_NORMALIZE_WORKERS:
        env["NORMALIZE__WORKERS"] = str(OURS_NORMALIZE_WORKERS)
    if impl == ONE_WORKER:
        env["NORMALIZE__WORKERS"] = "1"
    return env


def run_child(python: str, impl: str, workload: str, rows: int, mode: str, file_format: str,
              timeout: float, peer_load_workers: int | None) -> dict[str, Any]:
    """Run one measurement in a fresh process and temp dir; returns its result (or its error)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"dlt-bench-{impl}-{workload}-"))
    child_impl = "ours" if impl == ONE_WORKER else impl
    command = [python, str(BENCH_DIR / "child.py"), "--impl", child_impl, "--workload", workload,
               "--rows", str(rows), "--mode", mode, "--format", file_format, "--tmp", str(tmp)]
    started = time.perf_counter()
    try:
        completed = subprocess.run(command, cwd=tmp, env=child_env(impl, tmp, peer_load_workers),
                                   capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"impl": impl, "workload": workload, "rows": rows, "mode": mode,
                "error": f"timed out after {timeout:.0f} s"}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    wall = time.perf_counter() - started
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line[len("BENCH_RESULT "):])
            result["process_wall_s"] = wall
            result["impl"] = impl
            return result
    tail = "\n".join((completed.stderr or completed.stdout).splitlines()[-15:])
    return {"impl": impl, "workload": workload, "rows": rows, "mode": mode,
            "error": f"exit code {completed.returncode}:\n{tail}"}


# -- summaries ------------------------------------------------------------------------------------

def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the successful runs of one (mode, workload, implementation)."""
    ok = [r for r in runs if "error" not in r]
    summary: dict[str, Any] = {"runs": len(runs), "ok_runs": len(ok),
                               "errors": [r["error"] for r in runs if "error" in r]}
    if not ok:
        return summary
    rows = ok[0]["rows"]
    for stage in STAGES:
        seconds = statistics.median(r[f"{stage}_s"] for r in ok)
        summary[f"{stage}_s"] = seconds
        summary[f"{stage}_rows_per_s"] = rows / seconds if seconds > 0 else None
    summary["peak_rss_mb"] = statistics.median(r["peak_rss_mb"] for r in ok)
    summary["rss_before_mb"] = statistics.median(r["rss_before_mb"] for r in ok)
    staged = [r["stage_peak_rss_mb"] for r in ok if r.get("stage_peak_rss_mb")]
    summary["stage_peak_rss_mb"] = ({stage: statistics.median(s[stage] for s in staged)
                                     for stage in ("extract", "normalize", "load")} if staged else None)
    summary["rows"] = rows
    summary["file_format"] = ok[0].get("file_format")
    summary["checks_ok"] = all(r.get("checks", {}).get("ok") for r in ok)
    summary["columns"] = ok[0].get("columns")
    return summary


def ratio(ours: dict[str, Any], peer: dict[str, Any], key: str) -> float | None:
    a, b = ours.get(key), peer.get(key)
    return a / b if a and b else None


def fmt_rate(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}"


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def fmt_stage_rss(summary: dict[str, Any]) -> str:
    stages = summary.get("stage_peak_rss_mb")
    if not stages:
        return "-"
    return "/".join(f"{stages[stage]:.0f}" for stage in ("extract", "normalize", "load"))


def print_tables(summaries: dict[str, dict[str, dict[str, Any]]]) -> None:
    header = ("| workload | impl | rows | format | extract rows/s | normalize rows/s | load rows/s |"
              " end-to-end rows/s | e2e s | peak RSS MB | peak MB in E/N/L | runs | checks |")
    for mode, by_workload in summaries.items():
        print(f"\n### {mode} mode"
              + (" (data built in memory before timing)" if mode == "throughput"
                 else " (data generated lazily page by page; rows/s include generation)"))
        print(header)
        print("|" + "---|" * (header.count("|") - 1))
        for workload, by_impl in by_workload.items():
            for impl, s in by_impl.items():
                if impl.startswith("ratio"):
                    continue
                if not s.get("ok_runs"):
                    print(f"| {workload} | {impl} | | | FAILED: {s['errors'][:1]} | | | | | | | {s['runs']} | |")
                    continue
                print(f"| {workload} | {impl} | {s['rows']:,} | {s['file_format']} | "
                      f"{fmt_rate(s['extract_rows_per_s'])} | {fmt_rate(s['normalize_rows_per_s'])} | "
                      f"{fmt_rate(s['load_rows_per_s'])} | {fmt_rate(s['total_rows_per_s'])} | "
                      f"{s['total_s']:.2f} | {s['peak_rss_mb']:.0f} | {fmt_stage_rss(s)} | {s['ok_runs']}/{s['runs']} | "
                      f"{'ok' if s['checks_ok'] else 'WRONG COUNTS'} |")
            for key, label in (("ratio", "ours/peer"), ("ratio_w1", f"{ONE_WORKER}/peer")):
                r = by_impl.get(key)
                if r:
                    print(f"| {workload} | **{label}** | | | {fmt_ratio(r['extract'])} | {fmt_ratio(r['normalize'])} | "
                          f"{fmt_ratio(r['load'])} | **{fmt_ratio(r['total'])}** | | "
                          f"{fmt_ratio(r['peak_rss'])} | | | |")
        for workload, by_impl in by_workload.items():
            layouts = {impl: s.get("columns") for impl, s in by_impl.items()
                       if not impl.startswith("ratio") and s.get("columns")}
            if len({json.dumps(v, sort_keys=True) for v in layouts.values()}) > 1:
                print(f"\nNOTE {mode}/{workload}: the tables' column counts differ between implementations: {layouts}")


def _target(target: str, measured: str, met: bool) -> dict[str, Any]:
    return {"target": target, "measured": measured, "met": met}


def check_targets(summaries: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each target of issue #20 that this run measured, with the measured value and whether it
    is met. `summaries` is {mode: {workload: {impl or "ratio"/"ratio_w1": summary}}}, where a
    ratio summary holds ours/peer of the median rows/s per stage ("total": end to end)."""
    results = []
    throughput = summaries.get("throughput", {})
    for workload, target in TARGET_E2E_RATIO.items():
        r = throughput.get(workload, {}).get("ratio")
        if r and r.get("total") is not None:
            results.append(_target(f"{workload}: end-to-end rows/s ours/peer >= {target:g}x",
                                   f"{r['total']:.2f}x", r["total"] >= target))
    ours_arrow = throughput.get("arrow", {}).get("ours", {})
    reference = throughput.get("reference", {}).get("duckdb", {})
    if ours_arrow.get("total_s") and reference.get("total_s"):
        factor = ours_arrow["total_s"] / reference["total_s"]
        results.append(_target(f"arrow: ours within {TARGET_REFERENCE_FACTOR}x of DuckDB ingesting the Arrow table alone",
                               f"{factor:.2f}x the reference's time ({ours_arrow['total_s']:.2f} s vs"
                               f" {reference['total_s']:.2f} s)", factor <= TARGET_REFERENCE_FACTOR))
    for workload, target in TARGET_ONE_WORKER_RATIO.items():
        r = throughput.get(workload, {}).get("ratio_w1")
        if r and r.get("total") is not None:
            results.append(_target(f"{workload}: one normalize worker, end-to-end ours/peer >= {target:g}x",
                                   f"{r['total']:.2f}x", r["total"] >= target))
    flat, general = throughput.get("flat", {}).get("ratio"), throughput.get("general", {}).get("ratio")
    if flat and general and flat.get("total") and general.get("total") is not None:
        wanted = TARGET_GENERAL_SHARE * flat["total"]
        results.append(_target(f"general: ours/peer >= {TARGET_GENERAL_SHARE:g} x the flat ratio",
                               f"{general['total']:.2f}x against {wanted:.2f}x ({TARGET_GENERAL_SHARE:g} x"
                               f" {flat['total']:.2f}x)", general["total"] >= wanted))
    memory = summaries.get("memory", {})
    for workload, by_impl in memory.items():
        ours = by_impl.get("ours", {})
        if ours.get("peak_rss_mb"):
            results.append(_target(f"memory/{workload}: ours peak RSS (with child processes) <= {TARGET_PEAK_RSS_MB:.0f} MB",
                                   f"{ours['peak_rss_mb']:.0f} MB", ours["peak_rss_mb"] <= TARGET_PEAK_RSS_MB))
    small, big = memory.get("flat", {}).get("ours", {}), memory.get("flat_5x", {}).get("ours", {})
    if small.get("peak_rss_mb") and big.get("peak_rss_mb"):
        growth = big["peak_rss_mb"] / small["peak_rss_mb"] - 1
        results.append(_target(f"memory: ours peak RSS at 5x flat rows <= +{TARGET_RSS_GROWTH:.0%} of 1x",
                               f"{growth:+.1%} ({small['peak_rss_mb']:.0f} -> {big['peak_rss_mb']:.0f} MB,"
                               f" {small['rows']:,} -> {big['rows']:,} rows)", growth <= TARGET_RSS_GROWTH))
    return results


def print_targets(targets: list[dict[str, Any]]) -> None:
    """The targets as a Markdown table: target, measured value, met or NOT met."""
    print("\n### targets (issue #20)\n")
    print("| target | measured (medians) | met? |")
    print("|---|---|---|")
    for target in targets:
        print(f"| {target['target']} | {target['measured']} | {'met' if target['met'] else '**NOT met**'} |")
    missed = sum(not t["met"] for t in targets)
    print(f"\n{len(targets) - missed} of {len(targets)} targets met.")


# -- main -----------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of `run.py`."""
    parser = argparse.ArgumentParser(description="Benchmark our dlt against dlt from PyPI on DuckDB"
                                                 " and check the targets of issue #20.")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of each workload's rows (default 1.0)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="measured runs per implementation and workload (default 3: medians of three)")
    parser.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS),
                        help=f"comma-separated subset of {','.join(wl.WORKLOADS)} (default {','.join(DEFAULT_WORKLOADS)})")
    parser.add_argument("--mode", choices=("throughput", "memory", "all"), default="all",
                        help="throughput: data in memory before timing; memory: lazy data, plus flat at 5x rows")
    parser.add_argument("--impls", default="ours,peer", help="comma-separated subset of ours,peer")
    parser.add_argument("--memory-impls", default="ours",
                        help="implementations run in memory mode (default ours: the memory targets are ours';"
                             " ours,peer adds the peer, several minutes more)")
    parser.add_argument("--no-one-worker", action="store_true",
                        help=f"skip the runs of ours with one normalize worker ({ONE_WORKER}) on flat and nested")
    parser.add_argument("--ours", choices=("auto", "current", "venv"), default="auto",
                        help="auto: the current interpreter if it imports our dlt, else bench/.ours-venv")
    parser.add_argument("--peer-version", default="1.31.0")
    parser.add_argument("--ours-format", default="default",
                        help="our loader file format (parquet, jsonl, arrow), or default: the"
                             " destination's preferred one for each kind of data")
    parser.add_argument("--peer-format", default="parquet",
                        help="the peer's loader file format (parquet, jsonl, insert_values)")
    parser.add_argument("--ours-normalize-workers", type=int, default=None,
                        help="normalize worker processes for our runs (default: ours' own default, the CPU count)")
    parser.add_argument("--peer-load-workers", type=int, default=None,
                        help="LOAD__WORKERS for the peer (default: the peer's own default)")
    parser.add_argument("--peer-5x", action="store_true",
                        help="also run the peer on flat at 5x rows in memory mode (slow: minutes)")
    parser.add_argument("--reference-bench", action="store_true",
                        help="afterwards run bench/reference_pairs.py (the reference benchmark itself, ours"
                             " and the peer alternately) on flat, nested, merge, arrow at the same scale and repeat")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before one run is abandoned")
    parser.add_argument("--output", type=Path, default=None, help="JSON results file (default bench/results/<ts>.json)")
    return parser.parse_args(argv)


def build_plan(modes: tuple[str, ...], selected: list[str], impls: list[str], memory_impls: list[str],
               one_worker: bool, peer_5x: bool) -> list[tuple[str, str, list[str]]]:
    """The runs to make: (mode, workload, implementations in the order they alternate)."""
    plan: list[tuple[str, str, list[str]]] = []
    for mode in modes:
        wanted = impls if mode == "throughput" else [i for i in impls if i in memory_impls]
        for name in selected:
            workload = wl.WORKLOADS[name]
            if mode == "memory" and name == "reference":
                continue  # DuckDB alone reads an in-memory Arrow table: nothing lazy to measure
            if name == "flat_5x" and mode == "throughput":
                continue
            order = [i for i in workload.implementations if i in wanted or i == "duckdb"]
            if mode == "throughput" and one_worker and name in TARGET_ONE_WORKER_RATIO and "ours" in impls:
                order.append(ONE_WORKER)
            if order:
                plan.append((mode, name, order))
        if mode == "memory" and "flat" in selected and "flat_5x" not in selected and "ours" in impls:
            plan.append((mode, "flat_5x", ["ours", "peer"] if peer_5x and "peer" in impls else ["ours"]))
    return plan


def summarize_plan(plan: list[tuple[str, str, list[str]]], runs: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Medians per (mode, workload, implementation) and the ratios ours/peer and ours-w1/peer."""
    summaries: dict[str, dict[str, dict[str, Any]]] = {}
    for mode, name, order in plan:
        by_impl = {impl: summarize([r for r in runs if r["mode"] == mode and r["workload"] == name
                                    and r["impl"] == impl]) for impl in order}
        for ours_impl, key in (("ours", "ratio"), (ONE_WORKER, "ratio_w1")):
            if ours_impl in by_impl and "peer" in by_impl:
                ours, peer = by_impl[ours_impl], by_impl["peer"]
                by_impl[key] = {stage: ratio(ours, peer, f"{stage}_rows_per_s") for stage in STAGES}
                by_impl[key]["peak_rss"] = ratio(ours, peer, "peak_rss_mb")
        summaries.setdefault(mode, {})[name] = by_impl
    return summaries


def check_same_data(python: str) -> str:
    """Make sure the harness's flat/nested/merge/arrow data are the reference benchmark's; returns
    where they come from. Exits when our fallback generators disagree with the reference."""
    completed = subprocess.run([python, str(BENCH_DIR / "workloads.py")], capture_output=True, text=True,
                               env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    source = wl.data_source()
    if wl.reference_module() is None:
        log(f"data: {source}: our own generators of the reference's values")
    elif completed.returncode != 0:
        raise SystemExit(f"bench/workloads.py's generators differ from {source}:\n{completed.stdout}{completed.stderr}")
    else:
        log(f"data: {source} (our fallback generators checked equal to it)")
    return source


def main() -> int:
    """Run the plan, print the tables and the targets, write the JSON results."""
    global OURS_NORMALIZE_WORKERS
    args = parse_args()
    OURS_NORMALIZE_WORKERS = args.ours_normalize_workers
    selected = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in selected if w not in wl.WORKLOADS]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; choose from {list(wl.WORKLOADS)}")
    impls = [i.strip() for i in args.impls.split(",") if i.strip()]
    memory_impls = [i.strip() for i in args.memory_impls.split(",") if i.strip()]
    modes = ("throughput", "memory") if args.mode == "all" else (args.mode,)

    ours_python, ours_how = resolve_ours(args.ours)
    data_source = check_same_data(ours_python)
    pythons = {"ours": ours_python, ONE_WORKER: ours_python, "duckdb": ours_python}
    peer_requirements: list[str] = []
    if "peer" in impls:
        pythons["peer"], peer_requirements = resolve_peer(args.peer_version, ours_python)
    formats = {"ours": args.ours_format, ONE_WORKER: args.ours_format, "peer": args.peer_format, "duckdb": "-"}
    log(f"ours: {ours_how}")
    if "peer" in impls:
        log(f"peer: {PEER_VENV.relative_to(REPO_ROOT)} ({', '.join(peer_requirements)})")

    plan = build_plan(modes, selected, impls, memory_impls, not args.no_one_worker, args.peer_5x)
    started = datetime.now(timezone.utc)
    runs: list[dict[str, Any]] = []
    bench_started = time.perf_counter()
    for mode, name, order in plan:
        rows = wl.scaled_rows(wl.WORKLOADS[name], args.scale)
        for repetition in range(args.repeat):
            for impl in order:  # alternating: ours, peer, ours-w1, ours, peer, ours-w1, ...
                log(f"[{time.perf_counter() - bench_started:7.1f}s] {mode}/{name} {impl} "
                    f"run {repetition + 1}/{args.repeat} ({rows:,} rows) ...")
                result = run_child(pythons[impl], impl, name, rows, mode, formats[impl], args.timeout,
                                   args.peer_load_workers)
                if "error" in result:
                    log(f"    FAILED: {result['error']}")
                else:
                    log(f"    end-to-end {result['total_s']:.2f} s ({rows / result['total_s']:,.0f} rows/s), "
                        f"peak RSS {result['peak_rss_mb']:.0f} MB, checks {'ok' if result['checks']['ok'] else 'WRONG'}")
                runs.append(result)

    summaries = summarize_plan(plan, runs)
    print(f"\ndata: {data_source}; runs per implementation: {args.repeat} (tables show medians);"
          f" scale {args.scale}")
    print_tables(summaries)
    targets = check_targets(summaries)
    if targets:
        print_targets(targets)
    elapsed = time.perf_counter() - bench_started
    print(f"\ntotal benchmark time {elapsed / 60:.1f} min (scale {args.scale}, repeat {args.repeat})")

    RESULTS_DIR.mkdir(exist_ok=True)
    output = args.output or RESULTS_DIR / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    output.write_text(json.dumps({
        "started_at": started.isoformat(), "elapsed_s": elapsed,
        "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "ours": ours_how, "peer_requirements": peer_requirements, "formats": formats, "data": data_source,
        "summaries": summaries, "targets": targets, "runs": runs,
    }, indent=2))
    print(f"results written to {output}")
    status = 0 if all("error" not in r for r in runs) else 1
    if args.reference_bench:
        import reference_pairs

        status = max(status, reference_pairs.main(["--scale", str(args.scale), "--repeat", str(args.repeat),
                                                   "--ours-python", ours_python, "--peer-python", pythons.get(
                                                       "peer") or str(resolve_peer(args.peer_version, ours_python)[0])]))
    return status


if __name__ == "__main__":
    sys.exit(main())
