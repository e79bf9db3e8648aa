"""One measured PostgreSQL load, in its own process: `postgres_bench.py` starts this with the
interpreter of the implementation under test (ours or the peer).

It builds the flat workload in memory (before timing), runs `pipeline.extract()`,
`pipeline.normalize()` and `pipeline.load()` into a fresh dataset of the PostgreSQL at
`--url`, times each, counts the rows loaded and prints one line `BENCH_RESULT {json}`.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import time
from pathlib import Path

import workloads as wl


def main() -> int:
    """Run one load and print its timings; exit 1 when the row count is wrong."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="postgresql://user:password@host:port/db")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--format", default="default", help="loader_file_format, or default")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--tmp", required=True, help="a fresh folder for the pipelines dir")
    args = parser.parse_args()

    import dlt

    pages = list(wl.flat_pages(args.rows))

    @dlt.resource(name="flat")
    def flat():  # type: ignore[no-untyped-def]
        yield from pages

    pipeline = dlt.pipeline(pipeline_name=args.dataset, pipelines_dir=str(Path(args.tmp) / "pipelines"),
                            destination=dlt.destinations.postgres(credentials=args.url),
                            dataset_name=args.dataset)
    chosen = {} if args.format == "default" else {"loader_file_format": args.format}
    # dlt 1.31 takes the job format in extract(), ours in normalize() (or run())
    takes_format_in_extract = "loader_file_format" in inspect.signature(pipeline.extract).parameters
    extract_kwargs = chosen if takes_format_in_extract else {}
    normalize_kwargs = {} if takes_format_in_extract else chosen
    timings: dict[str, float] = {}
    start = time.perf_counter()
    pipeline.extract(flat(), **extract_kwargs)
    timings["extract"] = time.perf_counter() - start
    start = time.perf_counter()
    pipeline.normalize(**normalize_kwargs)
    timings["normalize"] = time.perf_counter() - start
    start = time.perf_counter()
    info = pipeline.load()
    timings["load"] = time.perf_counter() - start
    formats = sorted({job.file_path.removesuffix(".gz").rsplit(".", 1)[-1]
                      for package in info.load_packages for job in package.jobs["completed_jobs"]})
    with pipeline.sql_client() as client:
        count = client.execute_sql(f"SELECT count(*) FROM {client.make_qualified_table_name('flat')}")[0][0]
        client.drop_dataset()
    result = {"timings": timings, "end_to_end": sum(timings.values()), "rows": count,
              "expected_rows": args.rows, "formats": formats}
    print("BENCH_RESULT " + json.dumps(result), flush=True)
    return 0 if count == args.rows else 1


if __name__ == "__main__":
    sys.exit(main())
