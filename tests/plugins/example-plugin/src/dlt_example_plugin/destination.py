"""`example_files`: the filesystem destination of dlt-core under its own name."""

from __future__ import annotations

from dlt.destinations.impl.filesystem.factory import filesystem


class example_files(filesystem):  # noqa: N801 - the public name users write
    """Write each table as jsonl files under `<bucket_url>/<dataset>/<table>/`.

    `bucket_url` is given here or as `DESTINATION__EXAMPLE_FILES__BUCKET_URL`.
    """

    destination_name = "example_files"
