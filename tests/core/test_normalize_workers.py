"""Normalize in worker processes gives the same result as one process, and falls back to one
process when workers disagree."""

from __future__ import annotations

import dlt
from core_helpers import rows_of


def job_files(pipeline, load_id):
    names = [job.job_file for job in pipeline.get_load_package_info(load_id).jobs["completed_jobs"]]
    assert names
    return names


def test_big_packages_are_normalized_by_worker_processes(monkeypatch):
    monkeypatch.setenv("NORMALIZE__WORKERS", "2")
    monkeypatch.setenv("NORMALIZE__PARALLEL_MIN_BYTES", "1")
    monkeypatch.setenv("EXTRACT__ITEMS_PER_FILE", "500")
    pipeline = dlt.pipeline(pipeline_name="workers", destination="duckdb")
    # tuples keep the pages pickled (pages stored by Arrow go in one process: see below)
    data = [{"id": i, "name": f"n{i}", "tags": (i, i + 1), "meta": {"even": i % 2 == 0}} for i in range(3000)]
    pages = [data[i:i + 100] for i in range(0, len(data), 100)]
    info = pipeline.run(dlt.resource(pages, name="items"))
    assert info.row_counts == {"items": 3000, "items__tags": 6000}
    names = job_files(pipeline, info.loads_ids[0])
    assert any(n.split(".")[1].startswith("w0_") for n in names)
    assert any(n.split(".")[1].startswith("w1_") for n in names)
    rows = rows_of(pipeline, "items")
    assert sorted(r["id"] for r in rows) == list(range(3000))
    assert len({r["_dlt_id"] for r in rows}) == 3000
    columns = pipeline.default_schema.tables["items"]["columns"]
    assert columns["meta__even"]["data_type"] == "bool"
    tags = rows_of(pipeline, "items__tags")
    by_id = {r["_dlt_id"]: r["id"] for r in rows}
    assert all(t["value"] in (by_id[t["_dlt_parent_id"]], by_id[t["_dlt_parent_id"]] + 1) for t in tags)


def test_packages_of_pages_stored_by_arrow_are_normalized_in_one_process(monkeypatch):
    monkeypatch.setenv("NORMALIZE__WORKERS", "2")
    monkeypatch.setenv("NORMALIZE__PARALLEL_MIN_BYTES", "1")
    monkeypatch.setenv("EXTRACT__ITEMS_PER_FILE", "500")
    pipeline = dlt.pipeline(pipeline_name="workers_arrow", destination="duckdb")
    data = [{"id": i, "name": f"n{i}", "tags": [i, i + 1], "meta": {"even": i % 2 == 0}} for i in range(3000)]
    info = pipeline.run(dlt.resource([data[i:i + 100] for i in range(0, 3000, 100)], name="items"))
    assert info.row_counts == {"items": 3000, "items__tags": 6000}
    names = job_files(pipeline, info.loads_ids[0])
    assert not any(n.split(".")[1].startswith("w") for n in names)
    assert sorted(r["id"] for r in rows_of(pipeline, "items")) == list(range(3000))


def test_workers_that_infer_different_types_fall_back_to_one_process(monkeypatch):
    monkeypatch.setenv("NORMALIZE__WORKERS", "2")
    monkeypatch.setenv("NORMALIZE__PARALLEL_MIN_BYTES", "1")
    monkeypatch.setenv("EXTRACT__ITEMS_PER_FILE", "100")
    pipeline = dlt.pipeline(pipeline_name="workers_conflict", destination="duckdb")
    # the first file sees `v` as text, the second as bigint: one process makes bigint values a variant
    # (padded, so the two item files are the biggest of the package and go to different workers)
    data = [{"id": i, "v": "text", "pad": f"{i:0200d}"} for i in range(100)]
    data += [{"id": i, "v": i, "pad": f"{i:0200d}"} for i in range(100, 200)]
    pages = [data[i:i + 50] for i in range(0, len(data), 50)]
    info = pipeline.run(dlt.resource(pages, name="mixed"))
    names = job_files(pipeline, info.loads_ids[0])
    assert not any(n.split(".")[1].startswith("w") for n in names)
    columns = pipeline.default_schema.tables["mixed"]["columns"]
    assert columns["v"]["data_type"] == "text"
    assert sorted(r["id"] for r in rows_of(pipeline, "mixed")) == list(range(200))


def test_merge_keeps_the_last_item_per_key_across_extracted_files(monkeypatch):
    monkeypatch.setenv("EXTRACT__ITEMS_PER_FILE", "10")
    pipeline = dlt.pipeline(pipeline_name="merge_files", destination="duckdb")
    # 60 items in pages of 5 over several files; every key appears three times, in order
    data = [{"Id": i % 20, "Version": i // 20, "Parts": [i, i]} for i in range(60)]
    pages = [data[i:i + 5] for i in range(0, 60, 5)]
    pipeline.run(dlt.resource(pages, name="things", primary_key="id", write_disposition="merge"))
    rows = rows_of(pipeline, "things")
    assert sorted((r["id"], r["version"]) for r in rows) == [(i, 2) for i in range(20)]
    parts = rows_of(pipeline, "things__parts")
    assert len(parts) == 40 and {p["value"] for p in parts} == set(range(40, 60))
