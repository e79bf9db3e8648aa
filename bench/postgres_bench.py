"""PostgreSQL benchmark: `dlt-destination-postgres` against dlt 1.31.0's postgres destination.

    python bench/postgres_bench.py                 # 1,000,000 flat rows, 3 runs each
    python bench/postgres_bench.py --rows 100000 --repeat 1 --peer-format csv

Starts a throwaway PostgreSQL on 127.0.0.1 (`tests/support/pg_server.py`, stopped at the end),
builds the flat workload of `bench/workloads.py` (10 columns), and loads it with ours (the
interpreter running this script, which must import our `dlt` and the postgres plugin) and with
the peer (`bench/.peer-pg-venv/`, made on the first run with `dlt[postgres,parquet]==1.31.0`),
alternately: ours, peer, ours, peer, ... Every run is its own process (`postgres_child.py`) with
a fresh pipelines dir and dataset. Prints rows/s end to end (extract + normalize + load) per
run, the medians and the ratio ours/peer; exits 1 when a run loaded the wrong row count.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
PEER_VENV = BENCH_DIR / ".peer-pg-venv"


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the report."""
    print(message, file=sys.stderr, flush=True)


def peer_python(version: str) -> str:
    """The peer's interpreter, installing `dlt[postgres,parquet]==version` on first use with the
    pyarrow version of ours (so both read and write the same Arrow)."""
    python = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / f".dlt-{version}"
    if not marker.exists():
        import pyarrow

        log(f"creating {PEER_VENV} with dlt[postgres,parquet]=={version} ...")
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"dlt[postgres,parquet]=={version}",
                        f"pyarrow=={pyarrow.__version__}"], check=True)
        marker.touch()
    return str(python)


def child_env(tmp: Path) -> dict[str, str]:
    """The environment of one run: no inherited dlt settings, the peer's telemetry off."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DLT_", "RUNTIME__", "NORMALIZE__", "LOAD__", "EXTRACT__",
                                "DATA_WRITER__", "DESTINATION__"))}
    env.update({"RUNTIME__DLTHUB_TELEMETRY": "false", "RUNTIME__LOG_LEVEL": "WARNING",
                "DLT_DATA_DIR": str(tmp / "data"), "HOME": str(tmp / "home")})
    return env


def run_once(python: str, impl: str, url: str, rows: int, file_format: str) -> dict[str, Any]:
    """One load in a fresh process and temp dir; its BENCH_RESULT with `impl` added."""
    with tempfile.TemporaryDirectory(prefix=f"pgbench-{impl}-") as tmp:
        (Path(tmp) / "home").mkdir()
        dataset = f"bench_{impl}_{uuid.uuid4().hex[:8]}"
        command = [python, str(BENCH_DIR / "postgres_child.py"), "--url", url, "--rows", str(rows),
                   "--format", file_format, "--dataset", dataset, "--tmp", tmp]
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp, env=child_env(Path(tmp)))
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if not lines:
        raise RuntimeError(f"the {impl} run failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1].split(" ", 1)[1])
    result["impl"] = impl
    result["ok"] = done.returncode == 0
    return result


def main() -> int:
    """Start PostgreSQL, alternate the runs, print the table and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each implementation")
    parser.add_argument("--ours-format", default="default",
                        help="ours' loader_file_format (default: its preferred one, parquet)")
    parser.add_argument("--peer-format", default="csv",
                        help="the peer's loader_file_format (csv: its fastest here, see bench/README.md)")
    parser.add_argument("--peer-version", default="1.31.0")
    parser.add_argument("--only", choices=("ours", "peer"), help="run one implementation only")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO / "tests" / "support"))
    import pg_server  # noqa: PLC0415 - the throwaway server of the test suites

    plan: list[tuple[str, str, str]] = []
    if args.only != "peer":
        plan.append(("ours", sys.executable, args.ours_format))
    if args.only != "ours":
        plan.append(("peer", peer_python(args.peer_version), args.peer_format))
    log("starting a throwaway PostgreSQL ...")
    server = pg_server.start_stand_in(proxy=False, database="bench", user="bench")
    results: list[dict[str, Any]] = []
    try:
        for attempt in range(args.repeat):
            for impl, python, file_format in plan:
                result = run_once(python, impl, server.postgres_url, args.rows, file_format)
                results.append(result)
                t = result["timings"]
                log(f"run {attempt + 1} {impl:4} [{','.join(result['formats'])}]: extract {t['extract']:.1f} s,"
                    f" normalize {t['normalize']:.1f} s, load {t['load']:.1f} s, end to end"
                    f" {result['end_to_end']:.1f} s = {args.rows / result['end_to_end']:,.0f} rows/s"
                    + ("" if result["ok"] else f"  WRONG COUNT {result['rows']}"))
    finally:
        server.stop()

    medians: dict[str, float] = {}
    print(f"\n{args.rows:,} flat rows into PostgreSQL, {args.repeat} run(s) each, medians:")
    print(f"{'impl':6}{'format':10}{'extract':>10}{'normalize':>11}{'load':>9}{'end to end':>12}{'rows/s':>12}")
    for impl, _python, file_format in plan:
        runs = [r for r in results if r["impl"] == impl]
        stage = {k: statistics.median(r["timings"][k] for r in runs) for k in ("extract", "normalize", "load")}
        medians[impl] = statistics.median(r["end_to_end"] for r in runs)
        formats = ",".join(runs[0]["formats"]) or file_format
        print(f"{impl:6}{formats:10}{stage['extract']:>9.1f}s{stage['normalize']:>10.1f}s{stage['load']:>8.1f}s"
              f"{medians[impl]:>11.1f}s{args.rows / medians[impl]:>12,.0f}")
    if len(medians) == 2:
        print(f"ratio ours/peer (rows/s end to end): {medians['peer'] / medians['ours']:.2f}x")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
