"""What `dlt init filesystem DESTINATION` writes: registered by `plugin.py` through the
`register_init_templates` hook. Plain data only; nothing here imports fsspec."""

from dlt.plugins import InitTemplate, TemplateSetting

SCRIPT = '''"""Load csv and jsonl files of a folder or bucket into $destination with the filesystem source.

Set the folder (a local path, file:// or any fsspec URL such as s3://bucket/folder) in
.dlt/secrets.toml ([sources.filesystem] bucket_url) or in the environment variable
SOURCES__FILESYSTEM__BUCKET_URL, then run `python $script`. The rows of the csv files go to
table `csv_rows`, those of the jsonl files to `jsonl_rows`; a later run reads only the files
that are new or modified since.
"""

from typing import Any, Dict, Iterator, Optional

import dlt
from dlt.sources.filesystem import filesystem, read_csv, read_jsonl


@dlt.source(section="filesystem")
def files(
    bucket_url: str = dlt.secrets.value,
    credentials: Optional[Dict[str, Any]] = None,
    csv_glob: str = "**/*.csv",
    jsonl_glob: str = "**/*.jsonl",
) -> Iterator[Any]:
    """The rows of the files under `bucket_url` matching `csv_glob` and `jsonl_glob`."""
    for glob, reader, table in ((csv_glob, read_csv, "csv_rows"),
                                (jsonl_glob, read_jsonl, "jsonl_rows")):
        listing = filesystem(bucket_url=bucket_url, credentials=credentials, file_glob=glob)
        # remember the newest modification date seen: the next run skips older files
        listing.apply_hints(incremental=dlt.sources.incremental("modification_date"))
        yield (listing | reader()).with_name(table)


def load_files() -> None:
    """Append the rows of new and modified files to `csv_rows` and `jsonl_rows`."""
    pipeline = dlt.pipeline(
        pipeline_name="$pipeline_name", destination="$destination", dataset_name="$dataset_name"
    )
    info = pipeline.run(files())
    print(info)


if __name__ == "__main__":
    load_files()
'''

TEMPLATE = InitTemplate(
    description="csv, jsonl and parquet files of a local folder or any fsspec bucket",
    script=SCRIPT,
    extras=("csv",),
    settings=(
        TemplateSetting(
            "sources.filesystem.bucket_url", '"s3://my-bucket/exports"', secret=True,
            note="required, secret: a local folder, file:// URL or fsspec URL",
        ),
        TemplateSetting(
            "sources.filesystem.credentials", '{ key = "", secret = "" }', required=False,
            secret=True, note="optional: fsspec storage options of the bucket (s3fs: key, secret)",
        ),
        TemplateSetting(
            "sources.filesystem.csv_glob", value='"**/*.csv"', required=False,
            note="the csv files below bucket_url",
        ),
        TemplateSetting(
            "sources.filesystem.jsonl_glob", value='"**/*.jsonl"', required=False,
            note="the jsonl files below bucket_url",
        ),
    ),
)
