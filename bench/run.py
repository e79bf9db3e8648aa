"""Benchmarks of our dlt against the peer, `dlt` from PyPI, side by side. One command:

    python bench/run.py                      # every workload, throughput + memory, scale 1.0
    python bench/run.py --scale 0.1          # a quick run at a tenth of the rows
    python bench/run.py --workloads flat,arrow --repeat 3 --mode throughput

Each measured run is a separate subprocess (`bench/child.py`) with a fresh pipelines dir and
DuckDB file in a temp dir. Runs alternate between the implementations (ours, peer, ours, peer,
...). The peer is installed in its own virtual environment, `bench/.peer-venv/`, created on the
first run and reused while its requirements are unchanged. Results are printed as tables and
written to `bench/results/<timestamp>.json`. See bench/README.md.
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

DEFAULT_WORKLOADS = ("flat", "nested", "merge", "api", "arrow", "reference")
STAGES = ("extract", "normalize", "load", "total")

# targets of issue #10, checked at the end of every run
TARGET_E2E_RATIO = {"flat": 3.0, "nested": 3.0, "merge": 3.0, "arrow": 1.0}
TARGET_REFERENCE_FACTOR = 1.5
TARGET_PEAK_RSS_MB = 300.0
TARGET_RSS_GROWTH = 0.10


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
    return env


def run_child(python: str, impl: str, workload: str, rows: int, mode: str, file_format: str,
              timeout: float, peer_load_workers: int | None) -> dict[str, Any]:
    """Run one measurement in a fresh process and temp dir; returns its result (or its error)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"dlt-bench-{impl}-{workload}-"))
    command = [python, str(BENCH_DIR / "child.py"), "--impl", impl, "--workload", workload,
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
                if impl == "ratio":
                    continue
                if not s.get("ok_runs"):
                    print(f"| {workload} | {impl} | | | FAILED: {s['errors'][:1]} | | | | | | | {s['runs']} | |")
                    continue
                print(f"| {workload} | {impl} | {s['rows']:,} | {s['file_format']} | "
                      f"{fmt_rate(s['extract_rows_per_s'])} | {fmt_rate(s['normalize_rows_per_s'])} | "
                      f"{fmt_rate(s['load_rows_per_s'])} | {fmt_rate(s['total_rows_per_s'])} | "
                      f"{s['total_s']:.2f} | {s['peak_rss_mb']:.0f} | {fmt_stage_rss(s)} | {s['ok_runs']}/{s['runs']} | "
                      f"{'ok' if s['checks_ok'] else 'WRONG COUNTS'} |")
            r = by_impl.get("ratio")
            if r:
                print(f"| {workload} | **ours/peer** | | | {fmt_ratio(r['extract'])} | {fmt_ratio(r['normalize'])} | "
                      f"{fmt_ratio(r['load'])} | **{fmt_ratio(r['total'])}** | | "
                      f"{fmt_ratio(r['peak_rss'])} | | | |")


def check_targets(summaries: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each target of issue #10 that this run measured, with the measured value and whether it is met."""
    results = []
    throughput = summaries.get("throughput", {})
    for workload, target in TARGET_E2E_RATIO.items():
        r = throughput.get(workload, {}).get("ratio")
        if r and r.get("total") is not None:
            results.append({"target": f"{workload}: end-to-end rows/s ours/peer >= {target}x",
                            "measured": f"{r['total']:.2f}x", "met": r["total"] >= target})
    ours_arrow = throughput.get("arrow", {}).get("ours", {})
    reference = throughput.get("reference", {}).get("duckdb", {})
    if ours_arrow.get("total_s") and reference.get("total_s"):
        factor = ours_arrow["total_s"] / reference["total_s"]
        results.append({"target": f"arrow: ours within {TARGET_REFERENCE_FACTOR}x of DuckDB alone",
                        "measured": f"{factor:.2f}x the reference's time", "met": factor <= TARGET_REFERENCE_FACTOR})
    memory = summaries.get("memory", {})
    for workload, by_impl in memory.items():
        ours = by_impl.get("ours", {})
        if ours.get("peak_rss_mb"):
            results.append({"target": f"memory/{workload}: ours peak RSS <= {TARGET_PEAK_RSS_MB:.0f} MB",
                            "measured": f"{ours['peak_rss_mb']:.0f} MB",
                            "met": ours["peak_rss_mb"] <= TARGET_PEAK_RSS_MB})
    small, big = memory.get("flat", {}).get("ours", {}), memory.get("flat_5x", {}).get("ours", {})
    if small.get("peak_rss_mb") and big.get("peak_rss_mb"):
        growth = big["peak_rss_mb"] / small["peak_rss_mb"] - 1
        results.append({"target": f"memory: ours peak RSS at 5x flat rows <= +{TARGET_RSS_GROWTH:.0%} of 1x",
                        "measured": f"{growth:+.1%} ({small['peak_rss_mb']:.0f} -> {big['peak_rss_mb']:.0f} MB)",
                        "met": growth <= TARGET_RSS_GROWTH})
    return results


# -- main -----------------------------------------------------------------------------------------

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark our dlt against dlt from PyPI on DuckDB.")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of each workload's rows (default 1.0)")
    parser.add_argument("--repeat", type=int, default=1, help="measured runs per implementation and workload")
    parser.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS),
                        help=f"comma-separated subset of {','.join(DEFAULT_WORKLOADS)}")
    parser.add_argument("--mode", choices=("throughput", "memory", "all"), default="all",
                        help="throughput: data in memory before timing; memory: lazy data, plus flat at 5x rows")
    parser.add_argument("--impls", default="ours,peer", help="comma-separated subset of ours,peer")
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
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before one run is abandoned")
    parser.add_argument("--output", type=Path, default=None, help="JSON results file (default bench/results/<ts>.json)")
    return parser.parse_args()


def main() -> int:
    global OURS_NORMALIZE_WORKERS
    args = parse_args()
    OURS_NORMALIZE_WORKERS = args.ours_normalize_workers
    selected = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in selected if w not in wl.WORKLOADS]
    if unknown:
        raise SystemExit(f"unknown workload(s) {unknown}; choose from {list(wl.WORKLOADS)}")
    impls = [i.strip() for i in args.impls.split(",") if i.strip()]
    modes = ("throughput", "memory") if args.mode == "all" else (args.mode,)

    ours_python, ours_how = resolve_ours(args.ours)
    pythons = {"ours": ours_python, "duckdb": ours_python}
    peer_requirements: list[str] = []
    if "peer" in impls:
        pythons["peer"], peer_requirements = resolve_peer(args.peer_version, ours_python)
    formats = {"ours": args.ours_format, "peer": args.peer_format, "duckdb": "-"}
    log(f"ours: {ours_how}")
    if "peer" in impls:
        log(f"peer: {PEER_VENV.relative_to(REPO_ROOT)} ({', '.join(peer_requirements)})")

    plan: list[tuple[str, str, list[str]]] = []  # (mode, workload, implementations in run order)
    for mode in modes:
        for name in selected:
            workload = wl.WORKLOADS[name]
            if mode == "memory" and name == "reference":
                continue  # DuckDB alone reads an in-memory Arrow table: nothing lazy to measure
            if name == "flat_5x" and mode == "throughput":
                continue
            plan.append((mode, name, [i for i in workload.implementations if i in impls or i == "duckdb"]))
        if mode == "memory" and "flat" in selected and "flat_5x" not in selected:
            plan.append((mode, "flat_5x", ["ours", "peer"] if args.peer_5x else ["ours"]))
    plan = [(m, w, [i for i in order if i in impls or i == "duckdb"]) for m, w, order in plan]

    started = datetime.now(timezone.utc)
    runs: list[dict[str, Any]] = []
    bench_started = time.perf_counter()
    for mode, name, order in plan:
        rows = wl.scaled_rows(wl.WORKLOADS[name], args.scale)
        for repetition in range(args.repeat):
            for impl in order:  # alternating: ours, peer, ours, peer, ...
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

    summaries: dict[str, dict[str, dict[str, Any]]] = {}
    for mode, name, order in plan:
        by_impl = {impl: summarize([r for r in runs if r["mode"] == mode and r["workload"] == name
                                    and r["impl"] == impl]) for impl in order}
        if "ours" in by_impl and "peer" in by_impl:
            ours, peer = by_impl["ours"], by_impl["peer"]
            by_impl["ratio"] = {stage: ratio(ours, peer, f"{stage}_rows_per_s") for stage in STAGES}
            by_impl["ratio"]["peak_rss"] = ratio(ours, peer, "peak_rss_mb")
        summaries.setdefault(mode, {})[name] = by_impl

    print_tables(summaries)
    targets = check_targets(summaries)
    if targets:
        print("\n### targets (issue #10)")
        for target in targets:
            print(f"- [{'x' if target['met'] else ' '}] {target['target']}: {target['measured']}"
                  f" -> {'met' if target['met'] else 'NOT met'}")
    elapsed = time.perf_counter() - bench_started
    print(f"\ntotal benchmark time {elapsed / 60:.1f} min (scale {args.scale}, repeat {args.repeat})")

    RESULTS_DIR.mkdir(exist_ok=True)
    output = args.output or RESULTS_DIR / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    output.write_text(json.dumps({
        "started_at": started.isoformat(), "elapsed_s": elapsed,
        "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "ours": ours_how, "peer_requirements": peer_requirements, "formats": formats,
        "summaries": summaries, "targets": targets, "runs": runs,
    }, indent=2))
    print(f"results written to {output}")
    return 0 if all("error" not in r for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
