"""Pages of dicts stored as Arrow record batches at extract (`dlt.storage.arrow_pages`): which
pages qualify, that their items read back equal, and that normalize's Arrow walk loads the same
tables as the row path, nested three levels deep, merge tables included."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import dlt
import pyarrow as pa
import pytest
from dlt.normalize import normalizer as normalizer_module
from dlt.normalize.arrow_walk import BatchWalk
from dlt.storage.arrow_pages import encode_arrow_page
from dlt.storage.item_files import read_item_pages

UTC = timezone.utc


def api_items(count: int) -> list[dict[str, Any]]:
    items = []
    for i in range(count):
        item: dict[str, Any] = {
            "id": i,
            "name": f"n{i}",
            "score": i / 4,
            "ok": i % 2 == 0,
            "at": datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
            "local": datetime(2024, 1, 1, 8) + timedelta(seconds=i),
            "iso": f"2024-02-01T00:00:{i % 60:02d}+00:00",
            "day": date(2024, 3, 1) + timedelta(days=i % 9),
            "price": Decimal(f"{i}.{i % 10}"),
            "blob": bytes([i % 256]),
            "maybe": None if i % 3 else i,
            "user": {"login": f"u{i % 5}", "plan": {"seats": i % 7, "tier": None if i % 2 else "pro"}},
            "labels": [{"name": f"l{j}", "rules": [{"w": j + k} for k in range(i % 3)]} for j in range(i % 4)],
            "tags": [f"t{j}" for j in range(i % 3)],
        }
        if i % 4 == 0:
            item["optional"] = {"note": f"o{i}"}
        items.append(item)
    return items


def test_a_page_of_exact_values_reads_back_equal_with_missing_keys_as_none():
    items = api_items(30)
    batch = encode_arrow_page(items)
    assert batch is not None
    assert batch.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert batch.schema.field("local").type == pa.timestamp("us")
    assert pa.types.is_struct(batch.schema.field("user").type)
    assert pa.types.is_list(batch.schema.field("labels").type)
    back = batch.to_pylist()
    for original, restored in zip(items, back, strict=True):
        expected = {**original, "optional": original.get("optional")}
        assert restored == expected


class Color(enum.Enum):
    RED = "red"


class Text(str):
    pass


@pytest.mark.parametrize("values", [
    pytest.param([1, 2.5], id="ints and floats"),
    pytest.param([1, 2 ** 63], id="int over 64 bits"),
    pytest.param([datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=2))), None], id="offset zone"),
    pytest.param([datetime(2024, 1, 1), datetime(2024, 1, 1, tzinfo=UTC)], id="naive and aware"),
    pytest.param([(1, 2), (3,)], id="tuples"),
    pytest.param([Decimal("NaN"), Decimal("1")], id="decimal nan"),
    pytest.param([Color.RED, Color.RED], id="enum"),
    pytest.param([Text("a"), "b"], id="str subclass"),
    pytest.param([bytearray(b"a"), bytearray(b"b")], id="bytearray"),
    pytest.param([{"a": 1}, {"a": "x"}], id="nested field of two types"),
    pytest.param([[1, "a"], [2]], id="list of two types"),
    pytest.param([{1: "a"}, {2: "b"}], id="non-string keys"),
])
def test_a_value_arrow_would_not_keep_exactly_keeps_the_page_pickled(values):
    assert encode_arrow_page([{"id": i, "v": v} for i, v in enumerate(values)]) is None


def _run(pages: list[list[dict[str, Any]]], fast: bool, monkeypatch: Any, runs: int = 1,
         run_per_page: bool = False, **resource_args: Any) -> tuple[Any, dict[str, int]]:
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", str(len(pages[0])))
    kinds = {"other": 0, "walked_items": 0}
    real, real_walk = normalizer_module.page_tables, normalizer_module.walk_batch

    def spy(rows, table, page, *args):
        if table == "issues":
            kinds["other"] += 1
        return real(rows, table, page, *args) if fast else None

    def walk_spy(rows, table, batch, *args):
        walked = real_walk(rows, table, batch, *args) if fast else BatchWalk(None, None)
        if table == "issues" and walked.tables is not None:
            kinds["walked_items"] += batch.num_rows
        return walked

    monkeypatch.setattr(normalizer_module, "page_tables", spy)
    monkeypatch.setattr(normalizer_module, "walk_batch", walk_spy)
    pipeline = dlt.pipeline(pipeline_name=f"arrow_pages_{'fast' if fast else 'rows'}",
                            destination="duckdb", dataset_name="data", dev_mode=True)
    for _ in range(runs):
        for load in ([[p] for p in pages] if run_per_page else [pages]):
            pipeline.run(dlt.resource(load, name="issues", **resource_args))
    return pipeline, kinds


def _tables(pipeline: Any) -> dict[str, Any]:
    """Each table's column types and its rows without the run's random id prefix and load id."""
    out = {}
    with pipeline.sql_client() as client:
        for table in pipeline.default_schema.data_tables():
            name = table["name"]
            columns = sorted(c for c, col in table["columns"].items() if col.get("data_type") and c != "_dlt_load_id")
            qualified = client.make_qualified_table_name(name)
            rows = client.execute_sql(f"SELECT {', '.join(chr(34) + c + chr(34) for c in columns)} FROM {qualified}")
            strip = [c in ("_dlt_id", "_dlt_parent_id", "_dlt_root_id") for c in columns]
            canonical = sorted((tuple(v[10:] if s and v is not None else v for v, s in zip(row, strip, strict=True))
                                for row in rows), key=repr)
            out[name] = {"types": {c: table["columns"][c]["data_type"] for c in columns}, "rows": canonical}
    return out


@pytest.mark.parametrize("resource_args", [
    pytest.param({}, id="append"),
    pytest.param({"primary_key": "id", "write_disposition": "merge"}, id="merge"),
])
def test_arrow_pages_load_the_same_tables_as_the_row_path(monkeypatch, resource_args):
    items = api_items(200)
    items[130]["user"]["plan"]["seats"] = "many"  # a variant: that page is pickled
    pages = [items[i:i + 20] for i in range(0, len(items), 20)]
    fast, kinds = _run(pages, True, monkeypatch, runs=2, **resource_args)
    rows, _ = _run(pages, False, monkeypatch, runs=2, **resource_args)
    # all pages but the one with the variant were stored by Arrow (twice 180 items), and the
    # Arrow walk took all of them but the (small) pages that brought new columns
    assert kinds["other"] == 2
    assert 300 <= kinds["walked_items"] <= 360, kinds
    fast_tables, row_tables = _tables(fast), _tables(rows)
    assert sorted(fast_tables) == sorted(row_tables)
    assert {"issues", "issues__labels", "issues__labels__rules", "issues__tags"} <= set(fast_tables)
    for name in row_tables:
        assert fast_tables[name] == row_tables[name], name
    types = fast_tables["issues"]["types"]
    assert types["iso"] == "timestamp" and types["price"] == "decimal" and types["blob"] == "binary"
    assert types["user__plan__seats__v_text"] == "text"
    expected_rules = sum((i % 3) * (i % 4) for i in range(200))
    runs = 1 if resource_args else 2
    assert len(fast_tables["issues__labels__rules"]["rows"]) == expected_rules * runs


def test_pages_stored_by_arrow_read_back_as_items_for_every_other_reader(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", "10")
    pipeline = dlt.pipeline(pipeline_name="arrow_pages_read", destination="duckdb",
                            pipelines_dir=str(tmp_path))
    items = [{"id": i, "at": datetime(2024, 1, 1, tzinfo=UTC), "tags": ["a"] * (i % 3)} for i in range(10)]
    pipeline.extract(dlt.resource([items], name="things"))
    [item_file] = [p for p in tmp_path.rglob("things.*.pkl")]
    assert [type(p) for p in read_item_pages(item_file, columns=True)] == [pa.RecordBatch]
    assert list(read_item_pages(item_file)) == [items]
    pipeline.normalize()
    info = pipeline.load()
    assert info.has_failed_jobs is False
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM things__tags")[0][0] == sum(i % 3 for i in range(10))


def test_a_big_page_with_one_odd_value_is_stored_by_arrow_but_for_its_part(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", "1200")
    items = api_items(1200)
    items[700]["score"] = 7  # an int among floats: Arrow would make it 7.0
    pipeline = dlt.pipeline(pipeline_name="arrow_pages_split", destination="duckdb",
                            pipelines_dir=str(tmp_path))
    pipeline.extract(dlt.resource([items], name="issues"))
    [item_file] = [p for p in tmp_path.rglob("issues.*.pkl")]
    pages = list(read_item_pages(item_file, columns=True))
    # parts of 100 items: only the odd one's part is pickled, every other part is Arrow
    pickled, offset = [], 0
    for page in pages:
        if type(page) is not pa.RecordBatch:
            pickled.append((offset, len(page)))
        offset += len(page)
    assert pickled == [(700, 100)] and offset == 1200
    assert [item for page in read_item_pages(item_file) for item in page][700]["score"] == 7
    pipeline.normalize()
    assert pipeline.load().has_failed_jobs is False
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM issues")[0][0] == 1200
        # the row path coerced the int into the double column, as for any page
        assert client.execute_sql("SELECT score FROM issues WHERE id = 700")[0][0] == 7.0


def test_pages_of_other_keys_are_stored_apart_and_pages_of_one_shape_together(tmp_path, monkeypatch):
    """Extract encodes the resource's pages one by one (small pages together, up to 500 items),
    so a page does not carry the columns of other pages as nulls, and joins consecutive
    batches of one schema."""
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", "5000")
    pages = [[{"id": i, "a": i} for i in range(1000)],
             [{"id": i, "b": f"b{i}"} for i in range(1000, 2000)],
             [{"id": i, "b": f"b{i}"} for i in range(2000, 3000)]]
    pages += [[{"id": i, "c": i * 0.5} for i in range(start, start + 100)] for start in range(3000, 4000, 100)]
    pipeline = dlt.pipeline(pipeline_name="arrow_pages_apart", destination="duckdb",
                            pipelines_dir=str(tmp_path))
    pipeline.extract(dlt.resource(pages, name="things"))
    [item_file] = [p for p in tmp_path.rglob("things.*.pkl")]
    stored = list(read_item_pages(item_file, columns=True))
    assert [(type(p), p.schema.names, len(p)) for p in stored] == [
        (pa.RecordBatch, ["id", "a"], 1000), (pa.RecordBatch, ["id", "b"], 2000),
        (pa.RecordBatch, ["id", "c"], 1000)]
    assert [item for page in read_item_pages(item_file) for item in page] == [
        item for page in pages for item in page]
    pipeline.normalize()
    assert pipeline.load().has_failed_jobs is False
    with pipeline.sql_client() as client:
        assert client.execute_sql(
            "SELECT count(*), count(a), count(b), count(c), count(DISTINCT id) FROM things")[0] == (
            4000, 1000, 2000, 1000, 4000)
        assert client.execute_sql("SELECT a, b, c FROM things WHERE id IN (5, 1500, 3050) ORDER BY id") == [
            (5, None, None), (None, "b1500", None), (None, None, 1525.0)]


def test_a_page_the_walk_takes_is_spread_over_files_of_file_max_items(tmp_path, monkeypatch):
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", "2000")
    monkeypatch.setenv("DATA_WRITER__FILE_MAX_ITEMS", "500")
    pipeline = dlt.pipeline(pipeline_name="arrow_pages_files", destination="duckdb",
                            pipelines_dir=str(tmp_path))
    pipeline.run([{"id": i, "v": f"row {i}"} for i in range(10)], table_name="big")
    pipeline.extract([{"id": i, "v": f"row {i}"} for i in range(10, 2010)], table_name="big")
    pipeline.normalize()
    jobs = [p for p in tmp_path.rglob("big.*") if p.parent.name == "new_jobs"]
    assert sorted(p.suffix for p in jobs) == [".arrow"] * 4
    assert pipeline.load().has_failed_jobs is False
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*), count(DISTINCT id) FROM big")[0] == (2010, 2010)


def test_keys_named_alike_and_new_columns_over_several_loads_match_the_row_path(monkeypatch):
    """Keys that normalize to one name get the same suffixes, and columns that appear on a
    later load mid-page land in the same columns, whether the Arrow walk names them (it meets
    them in a new normalize, for columns of earlier loads) or the row path does."""
    def page(start: int, extra: bool) -> list[dict[str, Any]]:
        items = []
        for i in range(start, start + 600):
            item = {"id": i, "Name": f"n{i}", "name": None if i % 2 else f"m{i}",
                    "meta": {"Kind": "a", "kind": i % 3}, "tags": [{"T": "x", "t": i}]}
            if extra and i >= start + 550:
                item["late"] = i * 0.5
                item["meta"]["Late"] = True
            items.append(item)
        return items

    pages = [page(0, False), page(600, True), page(1200, True)]
    fast, kinds = _run(pages, True, monkeypatch, run_per_page=True)
    rows, _ = _run(pages, False, monkeypatch, run_per_page=True)
    # the walk took the later loads' pages but for the items from the first new column on
    assert kinds["walked_items"] >= 1100, kinds
    fast_tables, row_tables = _tables(fast), _tables(rows)
    assert sorted(fast_tables) == sorted(row_tables) == ["issues", "issues__tags"]
    for name in row_tables:
        assert fast_tables[name] == row_tables[name], name
    columns = set(fast_tables["issues"]["types"])
    assert {"name", "late", "meta__late"} <= columns
    assert len([c for c in columns if c.startswith("name")]) == 2


def test_a_buffer_of_a_few_hundred_items_with_one_odd_value_pickles_only_its_part(tmp_path, monkeypatch):
    """A chunk of fewer than 500 items that Arrow cannot hold whole is split into parts of 100
    as a big one is: the parts around the odd value stay on the Arrow path (joined again)."""
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", "300")
    items = api_items(300)
    items[150]["score"] = 7  # an int among floats
    pipeline = dlt.pipeline(pipeline_name="arrow_pages_small_split", destination="duckdb",
                            pipelines_dir=str(tmp_path))
    pipeline.extract(dlt.resource([items], name="issues"))
    [item_file] = [p for p in tmp_path.rglob("issues.*.pkl")]
    stored = [(type(page) is pa.RecordBatch, len(page)) for page in read_item_pages(item_file, columns=True)]
    assert stored == [(True, 100), (False, 100), (True, 100)]
    read_back = [item for page in read_item_pages(item_file) for item in page]
    # a key an item lacks reads back as None from Arrow; every present value is the same
    assert [{k: v for k, v in item.items() if v is not None} for item in read_back] == [
        {k: v for k, v in item.items() if v is not None} for item in items]
    pipeline.normalize()
    assert pipeline.load().has_failed_jobs is False
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*), count(DISTINCT id) FROM issues")[0] == (300, 300)
        assert client.execute_sql("SELECT score FROM issues WHERE id = 150")[0][0] == 7.0


def test_json_exact_pages_keep_nested_dicts_key_for_key():
    differing = [{"id": 1, "meta": {"a": 1, "b": [1, 2]}}, {"id": 2, "meta": {"a": 2}}]
    reordered = [{"id": 1, "meta": {"a": 1, "b": 2}}, {"id": 2, "meta": {"b": 3, "a": 4}}]
    empty = [{"id": 1, "meta": {"a": {}}}, {"id": 2, "meta": {"a": {}}}]
    in_lists = [{"id": 1, "rows": [{"a": 1}, {"a": 2, "b": 3}]}, {"id": 2, "rows": []}]
    for items in (differing, reordered, empty, in_lists):
        assert encode_arrow_page(items) is not None  # for plain nested data they read back alike
        assert encode_arrow_page(items, json_exact=True) is None
    same = [{"id": 1, "meta": {"a": 1, "b": None}}, {"id": 2, "meta": None}, {"id": 3, "meta": {"a": 3, "b": 4}}]
    batch = encode_arrow_page(same, json_exact=True)
    assert batch is not None and batch.to_pylist() == same


@pytest.mark.parametrize("how", ["json hint", "nesting limit"])
def test_json_values_load_as_they_were_given(tmp_path, how):
    import json

    # Arrow holds each of these values; only the keys differ from dict to dict
    meta = [{"a": 1, "b": [1, 2]}, {"a": 2}, {"b": [3], "a": 5}, {"a": None, "b": [], "c": {}}]
    hints: dict[str, Any] = ({"columns": {"meta": {"data_type": "json"}}} if how == "json hint"
                             else {"max_table_nesting": 0})

    @dlt.resource(name="docs", **hints)
    def docs():
        yield [{"id": i, "meta": m} for i, m in enumerate(meta)]

    pipeline = dlt.pipeline("json_exact", pipelines_dir=str(tmp_path / "p"),
                            destination=dlt.destinations.duckdb(str(tmp_path / "j.duckdb")),
                            dataset_name="j")
    pipeline.run(docs())
    assert pipeline.default_schema.tables["docs"]["columns"]["meta"]["data_type"] == "json"
    with pipeline.sql_client() as client:
        texts = [text for (text,) in client.execute_sql("SELECT meta::VARCHAR FROM docs ORDER BY id")]
    assert [json.loads(text) for text in texts] == meta
    assert [list(json.loads(text)) for text in texts] == [list(m) for m in meta]  # key order too
