"""The columnar fast path and the row path load identical tables for data shaped like real API
responses: optional keys, new columns mid-stream, type conflicts, None-heavy columns, tz-aware
and naive datetimes, decimals, wide rows, dicts and lists nested three levels deep with several
child tables. Every case runs twice, once as normalize does by default and once with the fast
path switched off, and the destination tables (with row ids, which both paths give alike) must
match; the default run must also have taken most pages on the fast path."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import dlt
import pytest
from dlt.normalize import normalizer as normalizer_module
from dlt.normalize.arrow_walk import BatchWalk
from dlt.normalize.columnar import page_tables

UTC = timezone.utc
BASE = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
ID_LENGTH_OF_PREFIX = 10
"""`_dlt_id` values start with a random per-run prefix of 10 hex characters; the rest (a row
counter and list indexes) is the same on both paths."""


def api_item(i: int) -> dict[str, Any]:
    """One item of a paginated API: some keys optional, nesting three levels deep."""
    item: dict[str, Any] = {
        "id": i,
        "title": f"issue {i}",
        "created_at": (BASE + timedelta(minutes=i)).isoformat(),
        "closed_at": None if i % 5 else BASE + timedelta(hours=i),
        "local_time": datetime(2024, 1, 1, 8, 0) + timedelta(seconds=i),  # naive
        "amount": Decimal(f"{i}.{i % 100:02d}"),
        "score": i * 0.25,
        "draft": i % 2 == 0,
        "user": {"login": f"user{i % 7}", "site_admin": i % 11 == 0,
                 "plan": {"name": "pro" if i % 3 else "free", "seats": i % 9}},
        "labels": [{"name": f"l{j}", "color": f"{j:06x}",
                    "rules": [{"kind": "auto", "weight": j + k} for k in range(i % 3)]}
                   for j in range(i % 4)],
        "assignees": [f"user{(i + j) % 7}" for j in range(i % 3)],
        "due": date(2024, 5, 1) + timedelta(days=i % 30),
    }
    if i % 3 == 0:
        item["milestone"] = {"title": f"m{i % 4}", "open": i % 2 == 1}
    if i % 4 == 1:
        item["body"] = None  # a None-heavy column that never gets a value
    return item


def pages_of(items: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


PAGE = 20


def stream_with_surprises() -> list[list[dict[str, Any]]]:
    """Pages of API items, with a page now and then that changes something."""
    items = [api_item(i) for i in range(400)]
    # a new column appears mid-stream, and stays
    for item in items[120:]:
        item["reactions"] = {"total": item["id"] % 13, "heart": item["id"] % 2}
    # a type conflict: a string in the bigint column goes to a variant column
    items[205]["user"]["plan"]["seats"] = "unlimited"
    # an int where the double column is, coerced by the row path
    items[250]["score"] = 7
    # a key that is missing from one whole page
    for item in items[300:320]:
        del item["labels"]
    return pages_of(items, PAGE)


def wide_stream() -> list[list[dict[str, Any]]]:
    items = [{"id": i, **{f"c{c:03d}": (i * c if c % 3 else f"v{i}-{c}") for c in range(220)}}
             for i in range(300)]
    for item in items[::7]:
        item["c010"] = None
    return pages_of(items, PAGE)


def merge_streams() -> list[list[list[dict[str, Any]]]]:
    first = [api_item(i) for i in range(120)]
    second = [api_item(i) for i in range(60, 180)]
    for item in second:
        item["title"] = f"changed {item['id']}"
    return [pages_of(first, PAGE), pages_of(second, PAGE)]


def _tables(pipeline: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every data table of the dataset: sorted rows with the run-specific id prefix and load id
    taken out, plus each table's column types from the schema."""
    out: dict[str, Any] = {}
    schema = pipeline.default_schema
    with pipeline.sql_client() as client:
        for table in schema.data_tables():
            name = table["name"]
            columns = sorted(c for c in table["columns"] if table["columns"][c].get("data_type"))
            qualified = client.make_qualified_table_name(name)
            with client.execute_query(f"SELECT * FROM {qualified}") as cursor:
                described = [d[0] for d in cursor.description]
                rows = cursor.fetchall()
            assert sorted(described) == columns, name
            keep = [c for c in columns if c != "_dlt_load_id"]
            canonical = []
            for row in rows:
                values = dict(zip(described, row))
                canonical.append(tuple(
                    values[c][ID_LENGTH_OF_PREFIX:] if c in ("_dlt_id", "_dlt_parent_id", "_dlt_root_id")
                    and values[c] is not None else values[c]
                    for c in keep))
            out[name] = {
                "types": {c: table["columns"][c]["data_type"] for c in columns},
                "rows": sorted(canonical, key=repr),
            }
    return out


def _run(runs: list[list[list[dict[str, Any]]]], fast: bool, monkeypatch: Any,
         **resource_args: Any) -> tuple[dict[str, Any], int, int]:
    # every page of the resource is one page of the package
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", str(PAGE))
    taken = {"fast": 0, "row": 0}
    real, real_walk = normalizer_module.page_tables, normalizer_module.walk_batch

    def counting(rows, table, page, *args):
        tables = real(rows, table, page, *args) if fast else None
        taken["fast" if tables is not None else "row"] += 1
        return tables

    def counting_walk(rows, table, batch, *args):
        # pages stored by Arrow: a page counts as fast when the walk took most of its items
        walked = real_walk(rows, table, batch, *args) if fast else BatchWalk(None, None)
        if walked.tables is not None and batch.num_rows > PAGE // 2:
            taken["fast"] += 1
        return walked

    with monkeypatch.context() as patch:
        patch.setattr(normalizer_module, "page_tables", counting)
        patch.setattr(normalizer_module, "walk_batch", counting_walk)
        # a page the fast path refuses goes row by row for one slice, then tries again
        patch.setattr(normalizer_module, "ROW_SLICE_ITEMS", 5)
        pipeline = dlt.pipeline(pipeline_name=f"equivalence_{'fast' if fast else 'rows'}",
                                destination="duckdb", dataset_name="data")
        for pages in runs:
            pipeline.run(dlt.resource(pages, name="issues", **resource_args))
        return _tables(pipeline), taken["fast"], taken["row"]


CASES = {
    "api_stream": ([stream_with_surprises()], {}),
    "wide_rows": ([wide_stream()], {}),
    "merge_twice": (merge_streams(), {"primary_key": "id", "write_disposition": "merge"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fast_path_loads_the_same_tables_as_the_row_path(case, monkeypatch):
    runs, resource_args = CASES[case]
    fast_tables, fast_pages, _ = _run(runs, True, monkeypatch, **resource_args)
    row_tables, _, _ = _run(runs, False, monkeypatch, **resource_args)
    assert sorted(fast_tables) == sorted(row_tables)
    for name in row_tables:
        assert fast_tables[name]["types"] == row_tables[name]["types"], name
        assert fast_tables[name]["rows"] == row_tables[name]["rows"], name
    total_pages = sum(len(pages) for pages in runs)
    # only the first page of each run and the pages that change something take the row path
    assert fast_pages >= total_pages * 0.6, (fast_pages, total_pages)


def test_api_stream_fills_child_tables_three_levels_deep(monkeypatch):
    tables, _, _ = _run([stream_with_surprises()], True, monkeypatch)
    assert {"issues", "issues__labels", "issues__labels__rules", "issues__assignees"} <= set(tables)
    expected_rules = sum(((i % 3) * (i % 4)) for i in range(400) if not 300 <= i < 320)
    assert len(tables["issues__labels__rules"]["rows"]) == expected_rules
    types = tables["issues"]["types"]
    assert types["user__plan__seats"] == "bigint" and types["user__plan__seats__v_text"] == "text"
    assert types["amount"] == "decimal" and types["local_time"] == "timestamp"
    assert types["closed_at"] == "timestamp" and types["due"] == "date"
    assert "body" not in types


def test_a_page_the_fast_path_refuses_keeps_its_row_ids(monkeypatch):
    """A page that gives up half way (its last item has a new key) gets the ids the row path
    would have given it: the ids the fast path took are handed back."""
    from dlt.normalize.relational import RowNormalizer
    from dlt.schema import Schema

    rows = RowNormalizer(Schema("ids"), "1.0")
    first = rows.normalize_item_typed("items", {"id": 0, "tags": [{"k": 1}]})
    page = [{"id": 1, "tags": [{"k": 2}]}, {"id": 2, "tags": [{"k": 3, "new": True}]}]
    mark = rows.id_mark()
    assert page_tables(rows, "items", page, None) is None
    assert rows.id_mark() == mark
    tables = page_tables(rows, "items", page[:1], None)
    assert tables is not None
    root_id = dict(first)["items"]["_dlt_id"]
    assert [t for t, _, _ in tables] == ["items", "items__tags"]
    assert tables[0][1]["_dlt_id"] == [root_id[:-1] + "2"]
    assert tables[1][1]["_dlt_id"] == [root_id[:-1] + "2_0"]
