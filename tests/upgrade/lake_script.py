"""A dlt 1.31 script for the filesystem destination (a local folder as the bucket), run
unchanged by dlt 1.31 and by this dlt in turns: the state and schema files in the bucket carry
the incremental cursor across. Environment: UPGRADE_ROWS, UPGRADE_WORKDIR (holds the bucket),
UPGRADE_PIPELINES_DIR. Prints one JSON line with what the bucket holds afterwards."""

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import dlt

ROWS = int(os.environ["UPGRADE_ROWS"])
BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)
BUCKET = Path(os.environ["UPGRADE_WORKDIR"]) / "lake"


@dlt.resource(write_disposition="append")
def events(at=dlt.sources.incremental("at", initial_value=BASE)):
    for i in range(ROWS):
        yield {"id": i, "at": BASE + timedelta(hours=i), "tags": ["a", f"t{i}"]}


pipeline = dlt.pipeline("upgrade_lake", pipelines_dir=os.environ["UPGRADE_PIPELINES_DIR"],
                        destination=dlt.destinations.filesystem(BUCKET.as_uri()),
                        dataset_name="lake_data")
assert not pipeline.run(events(), loader_file_format="jsonl").has_failed_jobs
frame = pipeline.dataset().events.df()
print(json.dumps({
    "events": [int(frame.shape[0]), int(frame["id"].nunique())],
    "schema_files": len(list((BUCKET / "lake_data" / "_dlt_version").iterdir())),
}))
