"""How many job files a table gets, and how many statements load them.

A page stored by Arrow whose walk refuses a few items (an unseen key, a value of another type)
sends just those items to the row path. Their rows used to end the table's open Arrow file and
start a parquet one, and the next Arrow arrays a new Arrow file again: on the general benchmark
17 job files for one table where 3 do, each loaded by its own INSERT. Now the walk's arrays go
to a writer of their own, and the loader runs a table's jobs of one format together.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import dlt
from dlt.destinations.impl.duckdb.client import DuckDBJobClient
from dlt.load.loader import ordered_jobs
from dlt.schema import Schema

PAGE = 200


def _items() -> list[list[dict[str, Any]]]:
    """Pages of one shape, with a new key at one item in every page from the third on (each
    such item takes the row path), and children in a list."""
    pages = []
    for page in range(10):
        items = [{"id": page * PAGE + i, "name": f"n{i}", "tags": [{"t": i % 5}, {"t": i % 7}]}
                 for i in range(PAGE)]
        if page >= 2:
            items[PAGE // 2][f"extra_{page}"] = page
        pages.append(items)
    return pages


def _completed_files(info: Any) -> list[Path]:
    return [Path(job.file_path) for job in info.load_packages[0].jobs["completed_jobs"]]


def test_row_path_items_do_not_cut_the_arrow_files_short(monkeypatch):
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", str(PAGE))
    calls: Counter[str] = Counter()
    real_run_jobs = DuckDBJobClient.run_jobs

    def counting_run_jobs(self, jobs, paths):
        calls[jobs[0].table_name] += 1
        return real_run_jobs(self, jobs, paths)

    monkeypatch.setattr(DuckDBJobClient, "run_jobs", counting_run_jobs)
    pipeline = dlt.pipeline(pipeline_name="job_files_per_table", destination="duckdb", dataset_name="data")
    info = pipeline.run(dlt.resource(_items(), name="items"))

    formats = Counter((path.name.split(".")[0], path.suffix) for path in _completed_files(info))
    # the first page and the eight new-key items take the row path: the first page's rows are
    # written before the Arrow arrays (so they load first), the new-key items go to one more file
    assert formats[("items", ".parquet")] == 2
    assert formats[("items__tags", ".parquet")] == 1
    # every new column starts an Arrow file (its columns changed); the row path cuts none
    assert formats[("items", ".arrow")] <= 9
    assert formats[("items__tags", ".arrow")] == 1
    # the jobs of one table and format load in one statement
    assert calls["items"] <= 2 and calls["items__tags"] <= 2
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM items")[0][0] == 10 * PAGE
        assert client.execute_sql("SELECT count(*) FROM items__tags")[0][0] == 20 * PAGE
        extras = client.execute_sql(
            "SELECT " + " + ".join(f"count(extra_{page})" for page in range(2, 10)) + " FROM items")
        assert extras[0][0] == 8


def test_the_loader_orders_a_tables_jobs_by_format_then_as_written():
    schema = Schema("order")
    schema.update_table({"name": "items", "columns": {}})
    schema.update_table({"name": "items__tags", "parent": "items", "columns": {}})
    names = ["items__tags.1.0.arrow", "items.3.0.parquet", "items.1.0.arrow", "_dlt_loads.0.0.jsonl",
             "items.2.0.arrow", "items.10.0.parquet", "items__tags.0.0.parquet", "items.0.0.arrow"]
    ordered = [p.name for p in ordered_jobs(schema, (Path(n) for n in names))]
    # the format of a table's first file first, files in the order they were written
    assert ordered == ["items.0.0.arrow", "items.1.0.arrow", "items.2.0.arrow", "items.3.0.parquet",
                       "items.10.0.parquet", "items__tags.0.0.parquet", "items__tags.1.0.arrow",
                       "_dlt_loads.0.0.jsonl"]
