"""A dlt 1.31 script with verified sources, run unchanged by dlt 1.31 and by this dlt in turns:
a SQLite table read by `sql_database` / `sql_table` with incremental cursors, CSV files read by
`filesystem` with an incremental on their modification date, and a REST API read by `rest_api`
with an incremental query parameter.

Environment: UPGRADE_ROWS (rows in the table, files in the folder and items the API serves now),
UPGRADE_WORKDIR (holds the SQLite file, the CSV folder and the DuckDB dataset), UPGRADE_API_URL
(the local API; it serves UPGRADE_ROWS items, read from `<workdir>/api_rows`),
UPGRADE_PIPELINES_DIR. Prints one JSON line with the row counts afterwards.
"""

import json
import os
import sqlite3
from pathlib import Path

import dlt
from dlt.sources.filesystem import filesystem, read_csv
from dlt.sources.rest_api import rest_api_source
from dlt.sources.sql_database import sql_database, sql_table

ROWS = int(os.environ["UPGRADE_ROWS"])
WORKDIR = Path(os.environ["UPGRADE_WORKDIR"])
DATABASE = WORKDIR / "source.sqlite"
FILES = WORKDIR / "files"

with sqlite3.connect(DATABASE) as connection:
    connection.execute("CREATE TABLE IF NOT EXISTS items"
                       " (id INTEGER PRIMARY KEY, updated_at TIMESTAMP, name TEXT)")
    connection.executemany(
        "INSERT OR REPLACE INTO items VALUES (?, ?, ?)",
        [(i, f"2024-01-01 {i // 60:02d}:{i % 60:02d}:00", f"item {i}") for i in range(ROWS)])
FILES.mkdir(exist_ok=True)
for i in range(ROWS):
    path = FILES / f"part_{i:04d}.csv"
    if not path.exists():
        path.write_text(f"id,value\n{i},{i * 2}\n")
        os.utime(path, (1_700_000_000 + i * 60,) * 2)

(WORKDIR / "api_rows").write_text(str(ROWS))
api = rest_api_source({
    "client": {"base_url": os.environ["UPGRADE_API_URL"]},
    "resources": [{
        "name": "api_items", "primary_key": "id", "write_disposition": "append",
        "endpoint": {"path": "items", "paginator": "single_page", "data_selector": "data",
                     "params": {"since": {"type": "incremental", "cursor_path": "updated_at",
                                          "initial_value": "2024-01-01T00:00:00Z"}}},
    }],
})

url = f"sqlite:///{DATABASE}"
tables = sql_database(url, table_names=["items"])
tables.items.apply_hints(incremental=dlt.sources.incremental("updated_at"), primary_key="id",
                         write_disposition="merge")
files = filesystem(bucket_url=FILES.as_uri(), file_glob="*.csv")
files.apply_hints(incremental=dlt.sources.incremental("modification_date"))

pipeline = dlt.pipeline("upgrade_sources", pipelines_dir=os.environ["UPGRADE_PIPELINES_DIR"],
                        destination=dlt.destinations.duckdb(str(WORKDIR / "sources.duckdb")),
                        dataset_name="sources_data")
for data in (tables, sql_table(url, table="items", incremental=dlt.sources.incremental("id"),
                               write_disposition="append").with_name("items_log"),
             (files | read_csv()).with_name("file_rows"), api):
    assert not pipeline.run(data).has_failed_jobs
with pipeline.sql_client() as client:
    def one(sql):
        return [list(row) for row in client.execute_sql(sql)]
    print(json.dumps({
        "items": one("SELECT count(*), count(DISTINCT id) FROM items"),
        "items_log": one("SELECT count(*), count(DISTINCT id) FROM items_log"),
        "file_rows": one("SELECT count(*), count(DISTINCT id) FROM file_rows"),
        "api_items": one("SELECT count(*), count(DISTINCT id) FROM api_items"),
    }))
