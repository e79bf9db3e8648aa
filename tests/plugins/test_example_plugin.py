"""The installed third-party `dlt-example-plugin` works like a built-in: listed, resolved, usable."""

from __future__ import annotations

import gzip
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dlt
import dlt_example_plugin
from dlt.plugins import get_plugin_manager
from dlt_example_plugin.destination import example_files
from dlt_example_plugin.source import example_numbers

EXPECTED_ROWS = [{"n": i, "square": i * i} for i in range(7)]


def read_jsonl_rows(folder: Path) -> list[dict[str, Any]]:
    """Every row of every jsonl file in `folder`, without dlt's own columns, sorted by `n`."""
    # the filesystem destination gzips jsonl files (`.jsonl.gz`) unless compression is disabled
    files = sorted([*folder.glob("*.jsonl"), *folder.glob("*.jsonl.gz")])
    assert files, f"no jsonl files in {folder}"
    texts = [gzip.decompress(f.read_bytes()).decode() if f.suffix == ".gz" else f.read_text() for f in files]
    rows = [json.loads(line) for text in texts for line in text.splitlines() if line]
    return sorted(
        ({k: v for k, v in row.items() if not k.startswith("_dlt")} for row in rows),
        key=lambda row: row["n"],
    )


def test_example_plugin_is_recorded_ok_with_its_distribution_and_version() -> None:
    record = get_plugin_manager().records["example"]

    assert record.status == "ok", record.error_text()
    assert record.distribution == "dlt-example-plugin"
    assert record.version == version("dlt-example-plugin") == dlt_example_plugin.__version__
    assert not record.builtin
    assert record.module == "dlt_example_plugin.plugin"
    assert record.hooks == ["register_commands", "register_destinations", "register_sources"]
    assert record.provides == {"destination": ["example_files"], "source": ["example_numbers"]}


def test_example_destination_resolves_as_attribute_and_import() -> None:
    from dlt.destinations import example_files as imported

    assert dlt.destinations.example_files is example_files
    assert imported is example_files
    assert "example_files" in dir(dlt.destinations)


def test_example_source_resolves_as_attribute() -> None:
    assert dlt.sources.example_numbers is example_numbers
    assert "example_numbers" in dir(dlt.sources)


def test_pipeline_loads_example_source_into_example_files_from_config(
    tmp_path: Path, monkeypatch: Any
) -> None:
    bucket = tmp_path / "bucket"
    monkeypatch.setenv("DESTINATION__EXAMPLE_FILES__BUCKET_URL", str(bucket))
    pipeline = dlt.pipeline(
        pipeline_name="example_by_name",
        destination="example_files",
        dataset_name="numbers_data",
        pipelines_dir=str(tmp_path / "pipelines"),
    )

    pipeline.run(dlt.sources.example_numbers(count=7))

    assert read_jsonl_rows(bucket / "numbers_data" / "numbers") == EXPECTED_ROWS


def test_pipeline_loads_example_source_into_example_files_from_argument(tmp_path: Path) -> None:
    bucket = tmp_path / "explicit_bucket"
    pipeline = dlt.pipeline(
        pipeline_name="example_by_factory",
        destination=dlt.destinations.example_files(bucket_url=str(bucket)),
        dataset_name="numbers_data",
        pipelines_dir=str(tmp_path / "pipelines"),
    )

    pipeline.run(example_numbers(count=7))

    assert read_jsonl_rows(bucket / "numbers_data" / "numbers") == EXPECTED_ROWS
