"""Parquet and Arrow jobs of scalar columns load through Arrow-rendered CSV COPY: every value
reads back exactly as it was, whatever CSV would make of it (empty strings, quotes, newlines,
backslashes, infinities, zoned timestamps), and jobs with bytes take the binary COPY path."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from dlt_destination_postgres.arrow_copy import arrow_csv_chunks, open_arrow_job_file

TRICKY_TEXTS = ["", None, 'say "hi", then go', "line\nbreak\r\nand\ttab", "back\\slash \\N",
                "ünïcødé ✓", "NULL", ",", '"']


def job_files(root: Path, table: str) -> list[Path]:
    """The job files of `table` in the pipelines under `root`."""
    return [p for p in root.rglob(f"{table}.*") if p.suffix in (".parquet", ".arrow")]


def takes_csv_path(pipeline: Any, path: Path) -> bool:
    """True when the job file at `path` would be COPYed as Arrow-rendered CSV."""
    table = pipeline.default_schema.get_table(path.name.split(".")[0])
    job = open_arrow_job_file(path, path.suffix.lstrip("."), 1000)
    return arrow_csv_chunks(job, [table["columns"][n] for n in job.names]) is not None


@pytest.mark.parametrize("file_format", ["parquet", "arrow"])
def test_tricky_text_and_numbers_round_trip_through_csv_copy(pipeline: Any, tmp_path: Path,
                                                             file_format: str) -> None:
    rows = [{"id": i, "text": text, "f": [1.5, math.inf, -math.inf, None, 0.1 + 0.2][i % 5],
             "price": Decimal("12345678901234567890.123456789") if i % 2 else Decimal("-0.000000001"),
             "ok": [True, False, None][i % 3],
             "seen": dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone(dt.timedelta(hours=5))),
             "day": dt.date(1999, 12, 31), "at": dt.time(23, 59, 59, 999999),
             "doc": {"text": text, "n": [i]}}
            for i, text in enumerate(TRICKY_TEXTS)]
    pipeline.run(rows, table_name="tricky", loader_file_format=file_format,
                 columns={"doc": {"data_type": "json"}})
    (path,) = job_files(tmp_path, "tricky")
    assert takes_csv_path(pipeline, path)
    with pipeline.sql_client() as client:
        loaded = client.execute_sql("SELECT id, text, f, price, ok, seen, day, at, doc FROM tricky ORDER BY id")
    assert [r[1] for r in loaded] == TRICKY_TEXTS
    for row, expected in zip(loaded, rows):
        assert row[2] == expected["f"] or (row[2] is None and expected["f"] is None)
        assert (row[3], row[4], row[6], row[7]) == (expected["price"], expected["ok"], expected["day"],
                                                    expected["at"])
        assert row[5] == expected["seen"]  # the same instant, whatever the zone
        assert row[8] == expected["doc"]


def test_nan_round_trips_through_csv_copy(pipeline: Any) -> None:
    pipeline.run(pa.table({"f": pa.array([math.nan, 1.0])}), table_name="nans")
    with pipeline.sql_client() as client:
        values = [r[0] for r in client.execute_sql("SELECT f FROM nans ORDER BY f")]
    assert values[0] == 1.0 and math.isnan(values[1])


def test_zoned_arrow_timestamps_into_a_naive_column_keep_the_utc_time(pipeline: Any, tmp_path: Path) -> None:
    berlin = pa.array([dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.timezone.utc)], pa.timestamp("us", tz="Europe/Berlin"))
    pipeline.run(pa.table({"at": berlin, "at_zoned": berlin}), table_name="zones",
                 columns={"at": {"data_type": "timestamp", "timezone": False}})
    (path,) = job_files(tmp_path, "zones")
    assert takes_csv_path(pipeline, path)
    with pipeline.sql_client() as client:
        ((naive, zoned),) = client.execute_sql("SELECT at, at_zoned FROM zones")
    assert naive == dt.datetime(2024, 7, 1, 12, 0)
    assert zoned == dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_jobs_with_bytes_take_the_binary_copy_path(pipeline: Any, tmp_path: Path) -> None:
    pipeline.run([{"id": 1, "blob": b"\x00\x01,\"\n"}], table_name="blobs", loader_file_format="parquet")
    (path,) = job_files(tmp_path, "blobs")
    assert not takes_csv_path(pipeline, path)
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT blob FROM blobs")[0][0] == b"\x00\x01,\"\n"


def test_a_value_too_long_for_its_column_names_the_table(pipeline: Any) -> None:
    from dlt.pipeline.exceptions import PipelineStepFailed

    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run([{"code": "far too long"}], table_name="codes", loader_file_format="parquet",
                     columns={"code": {"data_type": "text", "precision": 3}})
    assert "codes" in str(raised.value)
    assert pipeline.has_pending_data or pipeline.list_failed_jobs_in_package
