"""The benchmark workloads: deterministic data, built in memory up front or lazily page by page.

Every value is a pure function of the row number, so both implementations see identical data in
every run. This module imports only the standard library (and pyarrow for the Arrow workloads),
because it runs inside both the peer's and our virtual environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable

PAGE_SIZE = 1_000
"""Rows per page of dicts handed to the pipeline."""

ARROW_PAGE_SIZE = 10_000
"""Rows per Arrow table when the Arrow data is generated lazily (1,000-row tables would
measure per-table overhead rather than throughput)."""

BASE_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
CITIES = ("amsterdam", "berlin", "chicago", "dublin", "edinburgh", "frankfurt", "geneva", "hamburg")


@dataclass(frozen=True)
class Workload:
    """One benchmark workload: how many rows, the table it loads, and the resource hints."""

    name: str
    rows: int  # rows at scale 1.0
    table: str
    description: str
    hints: dict[str, Any] = field(default_factory=dict)
    arrow: bool = False
    implementations: tuple[str, ...] = ("ours", "peer")


WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload("flat", 1_000_000, "flat", "1M rows x 10 columns of dicts, append"),
        Workload("nested", 200_000, "nested",
                 "200k rows with a 3-field nested dict and a list of 5 child dicts -> parent + child table"),
        Workload("merge", 200_000, "merge_items",
                 "200k rows merged on primary_key=id, then 200k more of which half update existing ids"
                 " (the second run is timed)",
                 hints={"primary_key": "id", "write_disposition": "merge"}),
        Workload("arrow", 1_000_000, "flat_arrow", "a 1M-row x 10-column pyarrow Table of the flat data",
                 arrow=True),
        Workload("reference", 1_000_000, "flat_arrow",
                 "physical reference: DuckDB alone, CREATE TABLE AS SELECT from the flat Arrow table",
                 arrow=True, implementations=("duckdb",)),
        Workload("api", 200_000, "issues",
                 "200k rows shaped like a REST API's: optional keys, a column that appears"
                 " mid-stream, a type conflict, None-heavy columns, tz-aware and naive datetimes,"
                 " decimals, dicts and lists nested 3 levels deep -> 4 child tables"),
        Workload("flat_5x", 5_000_000, "flat",
                 "the flat workload at 5x the rows, memory mode only: peak RSS must not grow with data"),
    )
}


def scaled_rows(workload: Workload, scale: float) -> int:
    """Rows of `workload` at `scale`, a whole number of pages and at least one page."""
    rows = int(workload.rows * scale)
    return max(PAGE_SIZE, rows - rows % PAGE_SIZE)


# -- rows -----------------------------------------------------------------------------------------

def flat_row(i: int) -> dict[str, Any]:
    """Row `i` of the flat data: 10 columns of the common scalar types."""
    return {
        "id": i,
        "name": f"customer_{i:011d}",                                     # 20 chars
        "city": f"{CITIES[i % 8]}_{(i * 7919) % 100_000_000:08d}"[:20],   # ~17-19 chars
        "code": f"{(i * 2654435761) % 4294967296:010x}-{i % 997:09d}",    # 20 chars
        "amount": i * 0.25,
        "score": ((i * 7919) % 10007) / 7.0,
        "active": i % 3 != 0,
        "created_at": (BASE_TIME + timedelta(seconds=i)).isoformat(),     # ISO-8601 string
        "updated_at": BASE_TIME + timedelta(seconds=i, microseconds=i % 1_000_000),  # tz-aware
        "maybe": None if i % 4 == 0 else i * 3,                           # None every 4th row
    }


def nested_row(i: int) -> dict[str, Any]:
    """Row `i` of the nested data: a 3-field nested dict and a list of 5 child dicts."""
    return {
        "id": i,
        "name": f"order_{i:010d}",
        "meta": {"source": CITIES[i % 8], "priority": i % 5, "weight": i * 0.1},
        "items": [
            {"sku": f"sku_{i * 5 + j:010d}", "qty": j + 1, "price": (i % 100) + j * 0.5}
            for j in range(5)
        ],
    }


def merge_row(i: int, version: int) -> dict[str, Any]:
    """Row `i` of the merge data in its `version` (1 for the first run, 2 for the second)."""
    return {
        "id": i,
        "version": version,
        "value": f"value_{i:09d}_v{version}",
        "amount": i * 0.5 + version,
        "updated_at": BASE_TIME + timedelta(seconds=i, days=version),
    }


API_LABELS = ("bug", "feature", "docs", "question")


def api_row(i: int) -> dict[str, Any]:
    """Row `i` of the API-shaped data (an issue tracker's issues). Children per row: 0-3
    labels, each with 0-2 rules; 0-2 assignees (a list of strings); 2 events."""
    row: dict[str, Any] = {
        "id": i,
        "title": f"issue {i:09d}",
        "state": "open" if i % 3 else "closed",
        "created_at": (BASE_TIME + timedelta(seconds=i)).isoformat(),
        "closed_at": None if i % 3 else BASE_TIME + timedelta(seconds=i, days=1),
        "local_time": datetime(2024, 1, 1, 8, 0) + timedelta(seconds=i),  # naive
        "amount": Decimal(i % 100_000) / 100,
        "score": i * 0.25,
        "locked": i % 7 == 0,
        "body": None if i % 4 else f"body of {i}",
        "user": {"login": f"user{i % 1000}", "site_admin": i % 97 == 0,
                 "plan": {"name": "pro" if i % 3 else "free", "seats": i % 50}},
        "labels": [{"name": API_LABELS[(i + j) % 4], "color": f"{(i * 7 + j) % 0xFFFFFF:06x}",
                    "rules": [{"kind": "auto", "weight": j + k} for k in range(i % 3)]}
                   for j in range(i % 4)],
        "assignees": [f"user{(i + j) % 1000}" for j in range(i % 3)],
        "events": [{"type": "opened", "at": BASE_TIME + timedelta(seconds=i)},
                   {"type": "commented", "at": BASE_TIME + timedelta(seconds=i + 60)}],
    }
    if i % 5 == 0:
        row["milestone"] = {"title": f"m{i % 12}", "due_on": (BASE_TIME + timedelta(days=i % 365)).isoformat()}
    if i >= API_NEW_COLUMN_AT:
        row["reactions"] = {"total": i % 13, "heart": i % 2}
    if i == API_CONFLICT_AT:
        row["user"]["plan"]["seats"] = "unlimited"  # a variant column
    return row


API_NEW_COLUMN_AT = 50_000
"""From this row on the API rows have a `reactions` dict (columns that appear mid-stream)."""
API_CONFLICT_AT = 100_500
"""The row whose `user.plan.seats` is a string in a bigint column (one variant value)."""


def api_child_rows(rows: int) -> dict[str, int]:
    """Rows expected in each child table of the API data."""
    labels = sum(i % 4 for i in range(rows))
    rules = sum((i % 4) * (i % 3) for i in range(rows))
    return {"issues__labels": labels, "issues__labels__rules": rules,
            "issues__assignees": sum(i % 3 for i in range(rows)), "issues__events": 2 * rows}


def api_pages(rows: int) -> Iterator[list[dict[str, Any]]]:
    """The API-shaped data, lazily, as pages of `PAGE_SIZE` dicts."""
    return _pages(api_row, 0, rows)


def _pages(make_row: Callable[[int], dict[str, Any]], start: int, rows: int) -> Iterator[list[dict[str, Any]]]:
    for page_start in range(start, start + rows, PAGE_SIZE):
        yield [make_row(i) for i in range(page_start, min(page_start + PAGE_SIZE, start + rows))]


def flat_pages(rows: int) -> Iterator[list[dict[str, Any]]]:
    """The flat data, lazily, as pages of `PAGE_SIZE` dicts."""
    return _pages(flat_row, 0, rows)


def nested_pages(rows: int) -> Iterator[list[dict[str, Any]]]:
    """The nested data, lazily, as pages of `PAGE_SIZE` dicts."""
    return _pages(nested_row, 0, rows)


def merge_pages(rows: int, second_run: bool) -> Iterator[list[dict[str, Any]]]:
    """First run: ids 0..rows-1 (version 1). Second run: ids rows/2..rows*3/2-1 (version 2),
    so half of them update existing rows and the final table has rows*3/2 rows."""
    if not second_run:
        return _pages(lambda i: merge_row(i, 1), 0, rows)
    return _pages(lambda i: merge_row(i, 2), rows // 2, rows)


# -- Arrow ----------------------------------------------------------------------------------------

def arrow_schema() -> Any:
    """The explicit Arrow schema of the flat data, so both sides get identical column types."""
    import pyarrow as pa

    return pa.schema([
        ("id", pa.int64()), ("name", pa.string()), ("city", pa.string()), ("code", pa.string()),
        ("amount", pa.float64()), ("score", pa.float64()), ("active", pa.bool_()),
        ("created_at", pa.string()), ("updated_at", pa.timestamp("us", tz="UTC")),
        ("maybe", pa.int64()),
    ])


def arrow_chunk(start: int, rows: int) -> Any:
    """Rows `start`..`start+rows-1` of the flat data as one Arrow table."""
    import pyarrow as pa

    return pa.Table.from_pylist([flat_row(i) for i in range(start, start + rows)], schema=arrow_schema())


def arrow_table(rows: int) -> Any:
    """The flat data as one Arrow table, built in 100k-row chunks to bound the builder's memory."""
    import pyarrow as pa

    step = 100_000
    chunks = [arrow_chunk(s, min(step, rows - s)) for s in range(0, rows, step)]
    return pa.concat_tables(chunks).combine_chunks()


def arrow_pages(rows: int) -> Iterator[Any]:
    """The flat data, lazily, as Arrow tables of `ARROW_PAGE_SIZE` rows."""
    for start in range(0, rows, ARROW_PAGE_SIZE):
        yield arrow_chunk(start, min(ARROW_PAGE_SIZE, rows - start))
