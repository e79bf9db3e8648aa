"""A dlt 1.31 script, run unchanged by dlt 1.31 and by this dlt in turns on one dataset.

Configured by the environment: UPGRADE_ROWS (how many rows the source has now), UPGRADE_DESTINATION
(`duckdb` or `postgres`), UPGRADE_CREDENTIALS (the DuckDB file or the PostgreSQL URL) and
UPGRADE_PIPELINES_DIR (the working dirs: each run gets a new one, as on a new machine, unless the
caller passes the same) and UPGRADE_STEP (`extract`: extract only). Prints one JSON line with
what the dataset holds afterwards.
"""

import json
import os
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import dlt

ROWS = int(os.environ["UPGRADE_ROWS"])
BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)


@dlt.resource(primary_key="id", write_disposition="merge")
def events(updated=dlt.sources.incremental("updated_at", initial_value=BASE)):
    for i in range(ROWS):
        yield {"id": i, "updated_at": BASE + timedelta(hours=i), "amount": Decimal("1.25") * i,
               "tags": [f"t{i}", "all"], "meta": {"day": (BASE + timedelta(hours=i)).date()}}


@dlt.resource(write_disposition="append")
def log(seq=dlt.sources.incremental("seq")):
    for i in range(ROWS):
        yield {"seq": i, "message": f"m{i}"}


@dlt.resource(primary_key="id", write_disposition={"disposition": "merge", "strategy": "scd2"})
def customers():
    # the same customers every run: no version is retired
    for i in range(5):
        yield {"id": i, "name": f"c{i}", "since": BASE.date(), "phones": [f"+{i}1", f"+{i}2"]}


@dlt.resource(primary_key="id", write_disposition={"disposition": "merge", "strategy": "upsert"})
def products():
    # every run updates the products: their nested rows are replaced, not added
    for i in range(5):
        yield {"id": i, "price": Decimal(ROWS) + i, "sizes": [{"size": s} for s in ("S", "M")]}


if os.environ["UPGRADE_DESTINATION"] == "duckdb":
    destination = dlt.destinations.duckdb(os.environ["UPGRADE_CREDENTIALS"])
else:
    destination = dlt.destinations.postgres(os.environ["UPGRADE_CREDENTIALS"])
pipeline = dlt.pipeline("upgrade", pipelines_dir=os.environ["UPGRADE_PIPELINES_DIR"],
                        destination=destination, dataset_name="upgrade_data")
if os.environ.get("UPGRADE_STEP") == "extract":
    # leave a package pending, as a run that failed after extract does
    pipeline.extract([events(), log(), customers(), products()])
    print(json.dumps({"extracted": True}))
    raise SystemExit(0)
info = pipeline.run([events(), log(), customers(), products()])
assert not info.has_failed_jobs
with pipeline.sql_client() as client:
    def one(sql):
        return [list(row) for row in client.execute_sql(sql)]
    result = {
        "events": one("SELECT count(*), count(DISTINCT id), sum(amount) FROM events"),
        "tags": one("SELECT count(*) FROM events__tags"),
        "log": one("SELECT count(*), count(DISTINCT seq) FROM log"),
        "loads": one("SELECT count(*) FROM _dlt_loads WHERE status = 0"),
        "schema_versions": one("SELECT count(*) FROM _dlt_version"),
        "customers": one("SELECT count(*), count(_dlt_valid_to) FROM customers"),
        "phones": one("SELECT count(*) FROM customers__phones"),
        "products": one("SELECT count(*), sum(price) FROM products"),
        "sizes": one("SELECT count(*) FROM products__sizes"),
    }
cursor = pipeline.state["sources"]["upgrade"]["resources"]["events"]["incremental"]["updated_at"]
result["last_value"] = cursor["last_value"].isoformat()
log_cursor = pipeline.state["sources"]["upgrade"]["resources"]["log"]["incremental"]["seq"]
result["seq"] = log_cursor["last_value"]
print(json.dumps(result, default=str))
