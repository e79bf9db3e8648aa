"""Benchmark: the sql_database source with the `pyarrow` backend, a SQLite table into DuckDB,
ours against dlt 1.31.0. One command, from the repository root:

    .venv/bin/python bench/sql_database_bench.py            # 1M rows, 3 runs each

The interpreter running this script is "ours": it must import our `dlt` (dlt-core) with
dlt-source-sql-database[pyarrow] installed. The peer gets its own virtual environment,
`bench/.peer-venv-sqldb/` (created on first use with `dlt[duckdb,parquet]==1.31.0`, SQLAlchemy
and the duckdb / pyarrow / SQLAlchemy versions of ours). The SQLite table (8 columns: integer,
text, float, decimal, timestamp, bool) is built once in a cache folder outside the repository.

Each run is its own subprocess (the same child script for both sides) in a fresh temp dir:
`pipeline.run(sql_database(credentials, backend="pyarrow"))` into a new DuckDB file, timed end
to end, then the rows in DuckDB are counted. Runs alternate ours, peer, ours, peer, ...; the
medians and their ratio are printed and written as JSON to `bench/results/`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PEER_VENV = BENCH_DIR / ".peer-venv-sqldb"
RESULTS_DIR = BENCH_DIR / "results"

CHILD = r'''
import json, os, sys, time, resource
import duckdb
import dlt
from dlt.sources.sql_database import sql_database

url, chunk_size = sys.argv[1], int(sys.argv[2])
started = time.perf_counter()
pipeline = dlt.pipeline(pipeline_name="sqldb_bench", destination=dlt.destinations.duckdb("load.duckdb"),
                        dataset_name="bench", pipelines_dir=os.path.abspath("pipelines"))
source = sql_database(credentials=url, table_names=["rows"], backend="pyarrow", chunk_size=chunk_size)
pipeline.run(source)
elapsed = time.perf_counter() - started
with duckdb.connect("load.duckdb", read_only=True) as connection:
    count = connection.execute("SELECT count(*) FROM bench.rows").fetchone()[0]
    types = connection.sql("SELECT column_name, data_type FROM information_schema.columns"
                           " WHERE table_schema = 'bench' AND table_name = 'rows'"
                           " AND column_name NOT LIKE '_dlt%' ORDER BY ordinal_position").fetchall()
print(json.dumps({"seconds": elapsed, "rows": count, "columns": dict(types),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''

CREATE_TABLE = """
CREATE TABLE rows (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT,
    amount FLOAT,
    price NUMERIC(12, 2),
    quantity INTEGER,
    created_at DATETIME,
    is_active BOOLEAN
)
"""

FILL_TABLE = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO rows
SELECT i, 'customer ' || i, 'cat_' || (i % 17), i * 0.37, round((i % 10000) * 1.25, 2),
       i % 1000, strftime('%Y-%m-%d %H:%M:%f', 1700000000 + i * 7, 'unixepoch'),
       i % 3 = 0
FROM n
"""


def log(message: str) -> None:
    print(f"[sql_database_bench] {message}", file=sys.stderr, flush=True)


def sqlite_table(rows: int, cache_dir: Path) -> Path:
    """The SQLite file with `rows` rows in table `rows`, built once and reused."""
    path = cache_dir / f"sqldb-bench-{rows}.db"
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    log(f"building {path} ({rows:,} rows)")
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as connection:
        connection.execute(CREATE_TABLE)
        connection.execute(FILL_TABLE, (rows,))
    partial.rename(path)
    return path


def versions(python: str) -> dict[str, str]:
    probe = ("import json, duckdb, pyarrow, sqlalchemy; print(json.dumps({'duckdb': duckdb.__version__,"
             " 'pyarrow': pyarrow.__version__, 'sqlalchemy': sqlalchemy.__version__}))")
    completed = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"{python} cannot import duckdb, pyarrow and sqlalchemy: install"
                         " ./dlt-source-sql-database[pyarrow] next to ./dlt-core.\n" + completed.stderr)
    return json.loads(completed.stdout)


def peer_python(peer_version: str, pins: dict[str, str]) -> str:
    """The peer venv's interpreter, (re)created when its requirements changed."""
    requirements = [f"dlt[duckdb,parquet]=={peer_version}", f"duckdb=={pins['duckdb']}",
                    f"pyarrow=={pins['pyarrow']}", f"sqlalchemy=={pins['sqlalchemy']}"]
    python = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / "bench-requirements.json"
    if python.exists() and marker.exists() and json.loads(marker.read_text()) == requirements:
        return str(python)
    shutil.rmtree(PEER_VENV, ignore_errors=True)
    log(f"creating {PEER_VENV.name}: pip install {' '.join(requirements)}")
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *requirements], check=True)
    marker.write_text(json.dumps(requirements))
    return str(python)


def child_env(tmp: Path) -> dict[str, str]:
    prefixes = ("DLT_", "RUNTIME__", "NORMALIZE__", "LOAD__", "EXTRACT__", "DATA_WRITER__",
                "SOURCES__", "DESTINATION__")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update({"RUNTIME__DLTHUB_TELEMETRY": "false", "RUNTIME__LOG_LEVEL": "WARNING",
                "DLT_DATA_DIR": str(tmp / "dlt-data"), "DLT_GLOBAL_DIR": str(tmp / "dlt-global")})
    return env


def run_once(python: str, url: str, chunk_size: int, timeout: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="sqldb-bench-") as tmp:
        completed = subprocess.run([python, "-c", CHILD, url, str(chunk_size)], cwd=tmp,
                                   env=child_env(Path(tmp)), capture_output=True, text=True,
                                   timeout=timeout)
    if completed.returncode != 0:
        raise SystemExit(f"run with {python} failed:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each implementation")
    parser.add_argument("--chunk-size", type=int, default=50_000, help="sql_database chunk_size")
    parser.add_argument("--impls", default="ours,peer", help="comma-separated subset of ours,peer")
    parser.add_argument("--peer-version", default="1.31.0")
    parser.add_argument("--cache-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "dlt-bench-cache",
                        help="where the SQLite table is built once")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    impls = [impl.strip() for impl in args.impls.split(",") if impl.strip()]
    pins = versions(sys.executable)
    pythons = {"ours": sys.executable}
    if "peer" in impls:
        pythons["peer"] = peer_python(args.peer_version, pins)
    url = f"sqlite:///{sqlite_table(args.rows, args.cache_dir)}"
    runs: dict[str, list[dict[str, object]]] = {impl: [] for impl in impls}
    for attempt in range(args.repeat):
        for impl in impls:
            result = run_once(pythons[impl], url, args.chunk_size, args.timeout)
            if result["rows"] != args.rows:
                raise SystemExit(f"{impl} loaded {result['rows']} rows, expected {args.rows}")
            runs[impl].append(result)
            log(f"{impl} run {attempt + 1}: {result['seconds']:.2f} s,"
                f" peak RSS {result['peak_rss_mb']:.0f} MB")
    medians = {impl: statistics.median(r["seconds"] for r in results)
               for impl, results in runs.items()}
    print(f"sql_database pyarrow backend, SQLite -> DuckDB, {args.rows:,} rows x 8 columns,"
          f" chunk_size {args.chunk_size}, {args.repeat} runs each (alternating)")
    for impl, median in medians.items():
        times = ", ".join(f"{r['seconds']:.2f}" for r in runs[impl])
        print(f"  {impl:5} median {median:7.2f} s  ({args.rows / median:,.0f} rows/s; runs: {times})")
    if "ours" in medians and "peer" in medians:
        print(f"  peer/ours time ratio: {medians['peer'] / medians['ours']:.2f}x"
              f" ({'ours faster' if medians['ours'] < medians['peer'] else 'peer faster'})")
        for impl in ("ours", "peer"):
            print(f"  {impl} column types in DuckDB: {runs[impl][0]['columns']}")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"sql_database-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"rows": args.rows, "chunk_size": args.chunk_size, "versions": pins,
                               "medians_s": medians, "runs": runs}, indent=2))
    log(f"wrote {out.relative_to(BENCH_DIR.parent)}")


if __name__ == "__main__":
    main()
