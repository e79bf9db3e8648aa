"""The benchmark tooling's own logic: py-spy raw parsing into stages, the issue #20 target
checks, the run plan, and the workloads' data (bench/ is tooling, not a distribution; these
tests import it from the repository)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH_DIR))

import run  # noqa: E402
import stage_profile as sp  # noqa: E402
import workloads as wl  # noqa: E402

MAIN = 'process 100:"python bench/child.py --impl ours --workload flat"'
WORKER = ('process 101:"python -B -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=6,'
          ' pipe_handle=13) --multiprocessing-fork"')
TRACKER = 'process 102:"python -B -c from multiprocessing.resource_tracker import main;main(5)"'
PIPE = "<module> (child.py:300);main (child.py:290);run_pipeline (child.py:200);run_stages (child.py:150)"
RAW = "\n".join([
    f"{MAIN};{PIPE};Pipeline.extract (dlt/pipeline/pipeline.py:600);append_pickled (dlt/storage/item_files.py:40) 30",
    f"{MAIN};{PIPE};Pipeline.extract (dlt/pipeline/pipeline.py:600);encode_page (dlt/storage/item_files.py:80) 10",
    f"{MAIN};{PIPE};Pipeline.normalize (dlt/pipeline/pipeline.py:737);write (dlt/normalize/writers.py:10);"
    "ParquetWriter.write_table (pyarrow/parquet/core.py:1100) 20",
    f"{MAIN};{PIPE};Pipeline.normalize (dlt/pipeline/pipeline.py:737);write (dlt/normalize/writers.py:12);"
    "ParquetWriter.write_table (pyarrow/parquet/core.py:1105) 20",
    f"{MAIN};{WORKER};<module> (<string>:1);spawn_main (multiprocessing/spawn.py:122);"
    "normalize_file (dlt/normalize/worker.py:50);rows_to_arrow (dlt/normalize/columnar.py:90) 59",
    f"{MAIN};{WORKER};<module> (<string>:1);tiny (dlt/normalize/worker.py:70) 1",
    f"{MAIN};{TRACKER};<module> (<string>:1);main (multiprocessing/resource_tracker.py:200) 5",
    f"{MAIN};{PIPE};Pipeline.load (dlt/pipeline/pipeline.py:800);"
    "DuckDBSqlClient.execute_query (dlt/destinations/impl/duckdb/client.py:120) 40",
    f"{MAIN};Thread._bootstrap (threading.py:995);Thread.run (threading.py:975);"
    "run_job (dlt/destinations/job.py:30);copy (dlt/destinations/impl/duckdb/copy.py:9) 8",
    f"{MAIN};Thread._bootstrap (threading.py:995);TreeRssSampler._run (child.py:80);_children (child.py:45) 6",
    f"{MAIN};<module> (child.py:300);<module> (dlt/normalize/writers.py:1);"
    "_call_with_frames_removed (<frozen importlib._bootstrap>:241) 12",
    "",
])


def test_parse_raw_splits_process_frames_whose_command_lines_contain_semicolons() -> None:
    samples = sp.parse_raw(RAW.splitlines())
    assert len(samples) == 11
    worker = samples[4]
    assert [pid for pid, _ in worker.processes] == [100, 101]
    assert "spawn_main(tracker_fd=6" in worker.processes[1][1]
    assert worker.frames[0] == "<module> (<string>:1)"
    assert worker.frames[-1] == "rows_to_arrow (dlt/normalize/columnar.py:90)"
    assert worker.count == 59
    assert sum(s.count for s in samples) == 211


def test_parse_raw_rejects_a_line_without_a_count() -> None:
    with pytest.raises(ValueError, match="not a py-spy raw line"):
        sp.parse_raw(["a (x.py:1);b (y.py:2)"])


def test_samples_are_grouped_by_stage_and_worker_processes_count_for_normalize() -> None:
    stages = sp.profile_by_stage(sp.parse_raw(RAW.splitlines()))
    assert stages["extract"].main_samples == 40
    assert (stages["normalize"].main_samples, stages["normalize"].worker_samples) == (40, 60)
    # the main process's DuckDB call plus a job thread's samples (found by its dlt/destinations frame)
    assert stages["load"].main_samples == 48
    assert stages[sp.OTHER_PROCESSES].samples == 5
    assert stages[sp.HARNESS].samples == 6
    # an import at module level outside any stage is not charged to normalize
    assert stages[sp.OUTSIDE].samples == 12
    # the two lines of write_table add up; the caller is the innermost dlt frame
    assert stages["normalize"].self_samples["ParquetWriter.write_table (pyarrow/parquet/core.py)"] == 40
    callers = stages["normalize"].callers["ParquetWriter.write_table (pyarrow/parquet/core.py)"]
    assert callers.most_common(1)[0] == ("write (dlt/normalize/writers.py)", 40)


def test_markdown_report_shows_seconds_and_only_functions_above_the_share() -> None:
    stages = sp.profile_by_stage(sp.parse_raw(RAW.splitlines()))
    wall = {"extract": 0.25, "normalize": 0.6, "load": 0.3, "total": 1.15}
    report = sp.markdown_report(stages, rate=200, wall=wall, min_share=0.02)
    assert "| extract | 0.25 | 0.20 | 0.00 |" in report
    assert "| normalize | 0.60 | 0.20 | 0.30 |" in report
    assert "| end to end | 1.15 |" in report
    assert "| `append_pickled (dlt/storage/item_files.py)` | 0.15 | 75.0% |" in report
    assert "`rows_to_arrow (dlt/normalize/columnar.py)` | 0.29 | 59.0%" in report
    # 1 sample of 100 in normalize is 1%: below the 2% floor
    assert "tiny (dlt/normalize/worker.py)" not in report


def _summary(total_rows_per_s: float, total_s: float = 1.0, peak: float = 100.0, rows: int = 1000) -> dict:
    return {"ok_runs": 3, "total_rows_per_s": total_rows_per_s, "total_s": total_s, "peak_rss_mb": peak,
            "rows": rows}


def _ratio(total: float) -> dict:
    return {"total": total}


def test_check_targets_reports_each_issue_20_target_met_or_not() -> None:
    summaries = {
        "throughput": {
            "flat": {"ratio": _ratio(11.0), "ratio_w1": _ratio(4.0)},
            "nested": {"ratio": _ratio(9.5), "ratio_w1": _ratio(5.5)},
            "merge": {"ratio": _ratio(10.0)},
            "general": {"ratio": _ratio(5.4)},
            "arrow": {"ours": _summary(1e6, total_s=1.10), "ratio": _ratio(2.0)},
            "reference": {"duckdb": _summary(1e6, total_s=1.0)},
        },
        "memory": {
            "flat": {"ours": _summary(1e5, peak=200.0, rows=1_000_000)},
            "nested": {"ours": _summary(1e5, peak=260.0)},
            "flat_5x": {"ours": _summary(1e5, peak=212.0, rows=5_000_000)},
        },
    }
    by_name = {t["target"]: t for t in run.check_targets(summaries)}
    assert by_name["flat: end-to-end rows/s ours/peer >= 10x"]["met"] is True
    assert by_name["nested: end-to-end rows/s ours/peer >= 10x"]["met"] is False
    assert by_name["merge: end-to-end rows/s ours/peer >= 10x"]["met"] is True
    assert by_name["arrow: end-to-end rows/s ours/peer >= 1x"]["met"] is True
    reference = by_name["arrow: ours within 1.15x of DuckDB ingesting the Arrow table alone"]
    assert reference["met"] is True and reference["measured"].startswith("1.10x")
    assert by_name["flat: one normalize worker, end-to-end ours/peer >= 5x"]["met"] is False
    assert by_name["nested: one normalize worker, end-to-end ours/peer >= 5x"]["met"] is True
    general = by_name["general: ours/peer >= 0.5 x the flat ratio"]
    assert general["met"] is False and "against 5.50x" in general["measured"]
    assert by_name["memory/flat: ours peak RSS (with child processes) <= 250 MB"]["met"] is True
    assert by_name["memory/nested: ours peak RSS (with child processes) <= 250 MB"]["met"] is False
    growth = by_name["memory: ours peak RSS at 5x flat rows <= +5% of 1x"]
    assert growth["met"] is False and growth["measured"].startswith("+6.0%")
    assert len(by_name) == 12


def test_plan_alternates_ours_peer_and_one_worker_runs_and_memory_mode_runs_ours() -> None:
    plan = run.build_plan(("throughput", "memory"), ["flat", "merge", "arrow", "reference"], ["ours", "peer"],
                          ["ours"], one_worker=True, peer_5x=False)
    assert plan == [
        ("throughput", "flat", ["ours", "peer", run.ONE_WORKER]),
        ("throughput", "merge", ["ours", "peer"]),
        ("throughput", "arrow", ["ours", "peer"]),
        ("throughput", "reference", ["duckdb"]),
        ("memory", "flat", ["ours"]),
        ("memory", "merge", ["ours"]),
        ("memory", "arrow", ["ours"]),
        ("memory", "flat_5x", ["ours"]),
    ]


def test_one_worker_runs_get_normalize_workers_1(tmp_path: Path) -> None:
    env = run.child_env(run.ONE_WORKER, tmp_path, None)
    assert env["NORMALIZE__WORKERS"] == "1"
    assert "NORMALIZE__WORKERS" not in run.child_env("peer", tmp_path, None)


@pytest.mark.skipif(wl.reference_module() is None,
                    reason=f"the reference benchmark's workloads.py is not at {wl.reference_dir()}")
def test_fallback_generators_produce_the_reference_benchmarks_data() -> None:
    assert wl.same_as_reference(rows=1_200) == []
    # and the harness uses the reference module itself while it is there
    assert wl.reference_data() is wl.reference_module()


def test_general_data_has_every_shape_and_the_expected_child_rows() -> None:
    rows = 6_000
    pages = list(wl.general_pages(rows))
    assert [len(p) for p in pages] == [1_000] * 6
    layout = wl.GeneralLayout(rows)
    keys_per_page = [set().union(*(r.keys() for r in page)) for page in pages]
    assert keys_per_page[0] != keys_per_page[1]                    # keys vary between pages
    assert len(set().union(*keys_per_page)) >= 200                 # a wide table
    assert "reactions" not in keys_per_page[0] and "reactions" in keys_per_page[-1]  # new columns mid-stream
    flat_rows = [r for page in pages for r in page]
    assert flat_rows[layout.parent_conflict_at]["user"]["plan"]["seats"] == "unlimited"
    assert flat_rows[layout.child_conflict_at]["labels"][0]["rules"][0]["weight"] == "heavy"
    assert sum(r["body"] is None for r in flat_rows) == rows * 3 // 4   # None-heavy
    counted = {
        "general__labels": sum(len(r["labels"]) for r in flat_rows),
        "general__labels__rules": sum(len(label["rules"]) for r in flat_rows for label in r["labels"]),
        "general__labels__rules__tags": sum(len(rule["tags"]) for r in flat_rows for label in r["labels"]
                                            for rule in label["rules"]),
        "general__assignees": sum(len(r["assignees"]) for r in flat_rows),
        "general__events": sum(len(r["events"]) for r in flat_rows),
    }
    assert wl.general_child_rows(rows) == counted
    assert all(v > 0 for v in counted.values())
