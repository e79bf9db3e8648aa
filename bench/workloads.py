"""The benchmark workloads: deterministic data, built in memory up front or lazily page by page.

The `flat`, `nested`, `merge` and `arrow` data are those of the reference benchmark, the judge
of issue #20 (`../shared/bench/workloads.py` relative to the repository, or the folder named
by the environment variable `BENCH_REFERENCE_DIR`): when that module exists it generates them,
so both benchmarks load exactly the same values. When it is absent, this module's own
generators of the same values take over (`same_as_reference()` proves them equal while the
reference is there). The `general` and `api` workloads (data shaped like real API responses)
are ours.

Every value is a pure function of the row number, so both implementations see identical data in
every run. This module imports only the standard library (and pyarrow for the Arrow workloads),
because it runs inside both the peer's and our virtual environment.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

PAGE_SIZE = 1_000
"""Rows per page of dicts handed to the pipeline."""

ARROW_PAGE_SIZE = 10_000
"""Rows per Arrow table when the Arrow data is generated lazily (1,000-row tables would
measure per-table overhead rather than throughput)."""

REFERENCE_DIR_VARIABLE = "BENCH_REFERENCE_DIR"
"""Environment variable naming the folder of the reference benchmark (bench_dlt.py, workloads.py)."""

DEFAULT_REFERENCE_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
"""`../shared/bench` relative to the repository root."""


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
        Workload("flat", 1_000_000, "flat", "1M rows x 10 columns of dicts, append (the reference's flat data)"),
        Workload("nested", 200_000, "nested",
                 "200k rows with a 3-field nested dict and a list of 5 child dicts -> parent + child table"),
        Workload("merge", 200_000, "merge_items",
                 "200k flat rows merged on primary_key=id, then 200k more of which half update existing ids"
                 " (the second run is timed)",
                 hints={"primary_key": "id", "write_disposition": "merge"}),
        Workload("arrow", 1_000_000, "flat_arrow", "a 1M-row x 10-column pyarrow Table of the flat data",
                 arrow=True),
        Workload("reference", 1_000_000, "flat_arrow",
                 "physical reference: DuckDB alone, CREATE TABLE AS SELECT from the flat Arrow table",
                 arrow=True, implementations=("duckdb",)),
        Workload("general", 50_000, "general",
                 "50k rows of every shape issue #20 names: optional keys and keys varying between pages,"
                 " columns appearing mid-stream, type conflicts (variants) in the parent and a child table,"
                 " None-heavy columns, tz-aware and naive datetimes, decimals, a 225-column parent table,"
                 " dicts and lists nested 3 levels deep -> 5 child tables"),
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


# -- the reference data (flat, nested, merge, arrow) ---------------------------------------------

def reference_dir() -> Path:
    """The folder of the reference benchmark: `$BENCH_REFERENCE_DIR`, else `../shared/bench`."""
    configured = os.environ.get(REFERENCE_DIR_VARIABLE)
    return Path(configured) if configured else DEFAULT_REFERENCE_DIR


_REFERENCE: ModuleType | None = None
_REFERENCE_LOADED = False


def reference_module() -> ModuleType | None:
    """The reference benchmark's `workloads.py`, imported as `reference_workloads`; None when absent."""
    global _REFERENCE, _REFERENCE_LOADED
    if not _REFERENCE_LOADED:
        path = reference_dir() / "workloads.py"
        if path.is_file():
            spec = importlib.util.spec_from_file_location("reference_workloads", path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            _REFERENCE = module
        _REFERENCE_LOADED = True
    return _REFERENCE


def data_source() -> str:
    """Which generators produce the flat/nested/merge/arrow data: the reference's file, or ours."""
    module = reference_module()
    return str(module.__file__) if module else "bench/workloads.py (reference benchmark not found)"


class OwnReferenceData:
    """Our own generators of the reference benchmark's flat/nested/merge/arrow values, used only
    when its workloads.py is absent. Same signatures as the reference module's functions."""

    BASE_TS = 1_704_067_200  # 2024-01-01T00:00:00Z
    BASE_DT = datetime.fromtimestamp(BASE_TS, tz=timezone.utc)
    CITIES = ("Amsterdam", "Berlin", "Copenhagen", "Dublin", "Edinburgh", "Frankfurt", "Geneva",
              "Helsinki", "Istanbul", "Johannesburg", "Krakow", "Lisbon", "Madrid", "Nairobi", "Oslo",
              "Prague", "Quito", "Reykjavik", "Stockholm", "Tallinn", "Utrecht", "Vienna", "Warsaw",
              "Xiamen", "Yokohama", "Zurich")
    CITY20 = tuple(f"{city}-{'x' * 20}"[:20] for city in CITIES)

    @staticmethod
    def mix(i: int, salt: int) -> int:
        """The 32-bit multiplicative hash every derived value comes from."""
        return ((i + salt * 1_000_003) * 2654435761) & 0xFFFFFFFF

    @classmethod
    def iso(cls, i: int) -> str:
        return (cls.BASE_DT + timedelta(seconds=i)).isoformat()

    @classmethod
    def flat_row(cls, i: int, salt: int = 0) -> dict[str, Any]:
        h = cls.mix(i, salt)
        return {
            "id": i,
            "s1": f"user_{h:08x}_{i % 10_000_000:07d}",
            "s2": cls.CITY20[h % 26],
            "s3": f"{h:08x}{(h * 31) & 0xFFFFFFFF:08x}abcd",
            "f1": (h % 1_000_000) / 1000.0,
            "f2": i * 0.5 + 0.25,
            "flag": bool(h & 1),
            "ts_iso": cls.iso(i),
            "ts_dt": cls.BASE_DT + timedelta(seconds=7 * i + salt),
            "maybe_int": None if i % 4 == 0 else h % 10_000,
        }

    @classmethod
    def nested_row(cls, i: int) -> dict[str, Any]:
        h = cls.mix(i, 7)
        return {
            "id": i,
            "name": f"item_{h:08x}_{i % 10_000_000:07d}",
            "meta": {"a": h % 100, "b": cls.CITY20[h % 26], "c": (h % 10_000) / 100.0},
            "children": [{"k": j, "label": f"child_{i}_{j}", "weight": ((h >> j) % 1000) / 10.0}
                         for j in range(5)],
        }

    @staticmethod
    def paged(rows: Iterator[dict[str, Any]], page_size: int) -> Iterator[Any]:
        if not page_size:
            yield from rows
            return
        page: list[dict[str, Any]] = []
        for row in rows:
            page.append(row)
            if len(page) == page_size:
                yield page
                page = []
        if page:
            yield page

    @classmethod
    def flat(cls, n: int, start: int = 0, salt: int = 0, page_size: int = 0) -> Iterator[Any]:
        return cls.paged((cls.flat_row(i, salt) for i in range(start, start + n)), page_size)

    @classmethod
    def nested(cls, n: int, page_size: int = 0) -> Iterator[Any]:
        return cls.paged((cls.nested_row(i) for i in range(n)), page_size)

    @classmethod
    def merge_batches(cls, n: int, page_size: int = 0) -> tuple[Iterator[Any], Iterator[Any]]:
        return cls.flat(n, 0, 0, page_size), cls.flat(n, n // 2, 1, page_size)

    @classmethod
    def flat_arrow(cls, n: int, start: int = 0, salt: int = 0) -> Any:
        import pyarrow as pa

        return pa.Table.from_pylist([cls.flat_row(i, salt) for i in range(start, start + n)],
                                    schema=flat_arrow_schema())


def flat_arrow_schema() -> Any:
    """The Arrow schema of the reference's flat Arrow table."""
    import pyarrow as pa

    return pa.schema([
        ("id", pa.int64()), ("s1", pa.string()), ("s2", pa.string()), ("s3", pa.string()),
        ("f1", pa.float64()), ("f2", pa.float64()), ("flag", pa.bool_()), ("ts_iso", pa.string()),
        ("ts_dt", pa.timestamp("us", tz="UTC")), ("maybe_int", pa.int64()),
    ])


def reference_data() -> Any:
    """The generators of the flat/nested/merge/arrow data: the reference module, else ours."""
    return reference_module() or OwnReferenceData


def same_as_reference(rows: int = 3_000) -> list[str]:
    """Compare our fallback generators with the reference's on `rows` rows of every workload
    (pages, merge batches and the Arrow table); returns the differences found (empty: equal).
    Raises FileNotFoundError when the reference benchmark is absent."""
    reference = reference_module()
    if reference is None:
        raise FileNotFoundError(f"no reference workloads.py in {reference_dir()} (set {REFERENCE_DIR_VARIABLE})")
    ours = OwnReferenceData
    differences = []
    checks: list[tuple[str, Callable[[Any], Any]]] = [
        ("flat", lambda m: list(m.flat(rows, page_size=PAGE_SIZE))),
        ("flat start=86395 salt=1", lambda m: list(m.flat(rows, 86_395, 1))),
        ("nested", lambda m: list(m.nested(rows, page_size=PAGE_SIZE))),
        ("merge first", lambda m: list(m.merge_batches(rows, page_size=PAGE_SIZE)[0])),
        ("merge second", lambda m: list(m.merge_batches(rows, page_size=PAGE_SIZE)[1])),
    ]
    for name, make in checks:
        if make(ours) != make(reference):
            differences.append(name)
    ours_table, reference_table = ours.flat_arrow(rows, 5, 1), reference.flat_arrow(rows, 5, 1)
    if not ours_table.equals(reference_table):
        differences.append(f"flat_arrow (schemas {ours_table.schema} vs {reference_table.schema})")
    return differences


def flat_pages(rows: int) -> Iterator[list[dict[str, Any]]]:
    """The flat data, lazily, as pages of `PAGE_SIZE` dicts."""
    return reference_data().flat(rows, page_size=PAGE_SIZE)


def nested_pages(rows: int) -> Iterator[list[dict[str, Any]]]:
    """The nested data, lazily, as pages of `PAGE_SIZE` dicts (child table `<table>__children`)."""
    return reference_data().nested(rows, page_size=PAGE_SIZE)


def merge_pages(rows: int, second_run: bool) -> Iterator[list[dict[str, Any]]]:
    """First run: flat ids 0..rows-1 (salt 0). Second run: ids rows/2..rows*3/2-1 with salt 1
    (changed values), so half of them update existing rows and the final table has rows*3/2 rows."""
    first, second = reference_data().merge_batches(rows, page_size=PAGE_SIZE)
    return second if second_run else first


MERGE_SECOND_RUN_WHERE = ("WHERE date_diff('second', TIMESTAMPTZ '2024-01-01 00:00:00+00', ts_dt)"
                          " = 7 * id + 1")
"""SQL condition true for exactly the rows whose values come from the merge's second run (salt 1
shifts `ts_dt` by one second)."""


def arrow_table(rows: int) -> Any:
    """The flat data as one Arrow table (the reference's `flat_arrow`)."""
    return reference_data().flat_arrow(rows)


def arrow_pages(rows: int) -> Iterator[Any]:
    """The flat data, lazily, as Arrow tables of `ARROW_PAGE_SIZE` rows."""
    data = reference_data()
    for start in range(0, rows, ARROW_PAGE_SIZE):
        yield data.flat_arrow(min(ARROW_PAGE_SIZE, rows - start), start)


# -- the general workload (every shape of issue #20, item 3) -------------------------------------

BASE_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
CITIES = ("amsterdam", "berlin", "chicago", "dublin", "edinburgh", "frankfurt", "geneva", "hamburg")
LABELS = ("bug", "feature", "docs", "question")

WIDE_COLUMNS = 200
"""Sparse `attr_NNN` columns of the general data's parent table."""
WIDE_PER_PAGE = 40
"""How many of them one page carries: page p has attr_(40p mod 200) .. +39, so the key set varies
between pages and every column has appeared after 5 pages."""


@dataclass(frozen=True)
class GeneralLayout:
    """Where, for a run of `rows` rows, the general data changes shape mid-stream."""

    rows: int

    @property
    def new_columns_at(self) -> int:
        """From this row on every row has a `reactions` dict (new columns mid-stream)."""
        return self.rows // 4

    @property
    def parent_conflict_at(self) -> int:
        """The row whose `user.plan.seats` is a string in a bigint column (a variant column)."""
        return min(self.rows - 1, self.rows // 2 + 500)

    @property
    def child_conflict_at(self) -> int:
        """The row whose first label's first rule has a string `weight` (a variant in a child table)."""
        i = (3 * self.rows) // 4
        while i % 4 == 0 or i % 3 == 0:  # a row that has labels and rules
            i += 1
        return min(i, self.rows - 1)


def wide_value(column: int, i: int) -> Any:
    """The value of sparse column `attr_<column>` in row `i`: int, float, str or bool by column."""
    kind = column % 4
    if kind == 0:
        return i * 3 + column
    if kind == 1:
        return (i % 1000) * 0.5 + column
    if kind == 2:
        return f"v{column}_{i % 97}"
    return (i + column) % 2 == 0


def general_row(i: int, layout: GeneralLayout) -> dict[str, Any]:
    """Row `i` of the general data for a run of `layout.rows` rows."""
    page = i // PAGE_SIZE
    row: dict[str, Any] = {
        "id": i,
        "title": f"record {i:09d}",
        "state": ("open", "closed", "merged")[i % 3],
        "created_at": (BASE_TIME + timedelta(seconds=i)).isoformat(),          # ISO string
        "closed_at": None if i % 3 else BASE_TIME + timedelta(seconds=i, days=1),  # tz-aware, 2/3 None
        "local_time": datetime(2024, 1, 1, 8, 0) + timedelta(seconds=i),        # naive
        "amount": Decimal(i % 100_000) / 100,                                   # decimal
        "score": i * 0.25,
        "locked": i % 7 == 0,
        "body": None if i % 4 else f"body of {i}",                              # 3/4 None
        "note": None if i % 50 else f"note {i}",                                # 98% None
        "user": {"login": f"user{i % 1000}", "site_admin": i % 97 == 0,
                 "plan": {"name": "pro" if i % 3 else "free", "seats": i % 50,
                          "limits": {"api": i % 1000, "storage_gb": (i % 64) * 0.5}}},  # 3 levels of dicts
        "labels": [{"name": LABELS[(i + j) % 4], "color": f"{(i * 7 + j) % 0xFFFFFF:06x}",
                    "rules": [{"kind": "auto", "weight": j + k,
                               "tags": [f"t{(i + j + k + m) % 10}" for m in range((i + j + k) % 3)]}
                              for k in range(i % 3)]}
                   for j in range(i % 4)],                                       # 3 levels of lists
        "assignees": [f"user{(i + j) % 1000}" for j in range(i % 3)],
        "events": [{"type": "opened", "at": BASE_TIME + timedelta(seconds=i)},
                   {"type": "commented", "at": BASE_TIME + timedelta(seconds=i + 60)}],
    }
    if page % 2 == 0:  # whole pages with and without a key
        row["milestone"] = {"title": f"m{i % 12}", "due_on": (BASE_TIME + timedelta(days=i % 365)).isoformat()}
    if i % 5 == 0:  # an optional key within a page
        row["priority"] = i % 4
    first = (page * WIDE_PER_PAGE) % WIDE_COLUMNS
    for offset in range(WIDE_PER_PAGE):
        column = (first + offset) % WIDE_COLUMNS
        row[f"attr_{column:03d}"] = wide_value(column, i)
    if i >= layout.new_columns_at:
        row["reactions"] = {"total": i % 13, "heart": i % 2}
    if i == layout.parent_conflict_at:
        row["user"]["plan"]["seats"] = "unlimited"
    if i == layout.child_conflict_at:
        row["labels"][0]["rules"][0]["weight"] = "heavy"
    return row


def general_pages(rows: int) -> Iterator[list[dict[str, Any]]]:
    """The general data, lazily, as pages of `PAGE_SIZE` dicts."""
    layout = GeneralLayout(rows)
    return _pages(lambda i: general_row(i, layout), 0, rows)


def general_child_rows(rows: int) -> dict[str, int]:
    """Rows expected in each child table of the general data."""
    tags = sum((i + j + k) % 3 for i in range(rows) for j in range(i % 4) for k in range(i % 3))
    return {"general__labels": sum(i % 4 for i in range(rows)),
            "general__labels__rules": sum((i % 4) * (i % 3) for i in range(rows)),
            "general__labels__rules__tags": tags,
            "general__assignees": sum(i % 3 for i in range(rows)),
            "general__events": 2 * rows}


# -- the api workload (the shape measured before issue #20; kept for comparisons) ----------------

API_NEW_COLUMN_AT = 50_000
"""From this row on the API rows have a `reactions` dict (columns that appear mid-stream)."""
API_CONFLICT_AT = 100_500
"""The row whose `user.plan.seats` is a string in a bigint column (one variant value)."""


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
        "labels": [{"name": LABELS[(i + j) % 4], "color": f"{(i * 7 + j) % 0xFFFFFF:06x}",
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


if __name__ == "__main__":
    found = same_as_reference()
    print("same data as the reference benchmark" if not found else f"DIFFERENT from the reference: {found}")
    raise SystemExit(1 if found else 0)
