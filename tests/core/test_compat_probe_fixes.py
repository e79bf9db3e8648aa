"""Behaviours where side-by-side runs of the same script on dlt 1.31.0 and on this dlt
differed, now as in 1.31 (expected values marked "as 1.31" came from 1.31.0)."""

from __future__ import annotations

import time

import pydantic
import pytest

import dlt
from dlt.common.configuration.specs import ConnectionStringCredentials, GcpServiceAccountCredentials
from dlt.pipeline.exceptions import PipelineStepFailed


def _rows(pipeline, sql: str):
    with pipeline.sql_client() as client:
        return client.execute_sql(sql)


def test_a_dropped_pipeline_instance_runs_again_as_a_first_run():
    pipeline = dlt.pipeline(pipeline_name="dropped", destination="duckdb", dataset_name="ds")
    pipeline.run([{"id": 1}], table_name="t")
    pipeline.drop()
    assert pipeline.schema_names == [] and pipeline.default_schema_name is None and pipeline.first_run
    info = pipeline.run([{"id": 2}], table_name="t")
    assert not info.has_failed_jobs
    assert sorted(_rows(pipeline, "SELECT id FROM t")) == [(1,), (2,)]  # as 1.31


class User(pydantic.BaseModel):
    id: int
    name: str


def test_run_columns_with_a_pydantic_model_validates_the_items():
    pipeline = dlt.pipeline(pipeline_name="model_run", destination="duckdb")
    pipeline.run([{"id": 1, "name": "a"}], table_name="users", columns=User)
    assert _rows(pipeline, "SELECT id, name FROM users") == [(1, "a")]
    with pytest.raises(PipelineStepFailed, match="validation error"):
        pipeline.run([{"id": "x", "name": 1}], table_name="users", columns=User)


def test_rows_loaded_leaves_out_a_table_whose_job_failed(monkeypatch):
    monkeypatch.setenv("LOAD__RAISE_ON_FAILED_JOBS", "false")
    pipeline = dlt.pipeline(pipeline_name="failed_rows", destination="duckdb")
    pipeline.run([{"id": 1, "v": "ok"}], table_name="t")
    with pipeline.sql_client() as client:
        client.execute_sql("ALTER TABLE t ALTER COLUMN v SET NOT NULL")
    info = pipeline.run([{"id": 2, "v": None}], table_name="t")
    assert info.has_failed_jobs
    assert "t" not in info.row_counts
    assert "Rows loaded: none" in str(info)


def test_a_bool_column_takes_numbers_and_yes_no_texts():
    pipeline = dlt.pipeline(pipeline_name="bools", destination="duckdb")
    data = [{"i": i, "flag": value} for i, value in enumerate([1, 0, "yes", "n", "T", 2.5, True])]
    pipeline.run(data, table_name="t", columns={"flag": {"data_type": "bool"}})
    assert [r[0] for r in _rows(pipeline, "SELECT flag FROM t ORDER BY i")] == [
        True, False, True, False, True, True, True]  # as 1.31
    assert "flag__v_bigint" not in pipeline.default_schema.tables["t"]["columns"]


def test_a_deferred_transformer_runs_in_the_pool_and_loads_its_results():
    @dlt.resource
    def ids():
        yield from [{"id": i} for i in range(6)]

    @dlt.transformer
    @dlt.defer
    def detail(item):
        time.sleep(0.2)
        return {"id": item["id"], "sq": item["id"] ** 2}

    started = time.perf_counter()
    assert sorted(list(ids | detail), key=lambda r: r["id"]) == [{"id": i, "sq": i * i} for i in range(6)]
    assert time.perf_counter() - started < 1.0  # six 0.2 s calls at once, not one after another
    pipeline = dlt.pipeline(pipeline_name="deferred", destination="duckdb")
    pipeline.run(ids | detail)
    assert _rows(pipeline, "SELECT count(*), sum(sq) FROM detail") == [(6, 55)]


def test_none_from_a_map_or_a_yield_is_dropped():
    @dlt.resource
    def numbers():
        yield {"n": 0}
        yield None
        yield {"n": 1}
        yield {"n": 2}

    mapped = numbers().add_map(lambda row: row if row["n"] != 1 else None)
    assert list(mapped) == [{"n": 0}, {"n": 2}]  # as 1.31
    paged = dlt.resource([[{"n": 0}, {"n": 1}]], name="paged").add_map(lambda row: None if row["n"] else row)
    # 1.31 leaves the None inside a page of items ([{"n": 0}, None]); here it is dropped there too
    assert list(paged) == [{"n": 0}]


def test_changes_to_one_source_do_not_leak_into_the_next():
    @dlt.resource(selected=False)
    def hidden():
        yield {"h": 1}

    @dlt.resource
    def shown():
        yield {"s": 1}

    @dlt.transformer(data_from=shown)
    def doubled(item):
        yield {"s2": item["s"] * 2}

    @dlt.source
    def src():
        return hidden, shown, doubled

    first = src()
    first.hidden.selected = True
    first.shown.add_limit(0)
    assert sorted(first.selected_resources) == ["doubled", "hidden", "shown"]
    second = src()
    assert sorted(second.selected_resources) == ["doubled", "shown"]
    assert sorted(map(str, second)) == ["{'s': 1}", "{'s2': 2}"]  # as 1.31: hidden stays out
    assert not hidden.selected


def test_resource_and_source_state_outside_a_run_read_the_pipelines():
    @dlt.resource
    def counter():
        state = dlt.current.resource_state()
        state["runs"] = state.get("runs", 0) + 1
        yield {"run": state["runs"]}

    @dlt.source
    def src():
        return counter

    pipeline = dlt.pipeline(pipeline_name="state_outside", destination="duckdb")
    pipeline.run(src())
    pipeline.run(src())
    source = src()
    # as 1.31
    assert source.counter.state == {"runs": 2}
    assert source.state == {"resources": {"counter": {"runs": 2}}}
    assert list(counter()) == [{"run": 3}]
    assert pipeline.state["sources"]["src"]["resources"]["counter"] == {"runs": 2}  # a copy was changed


def test_explicit_args_bind_and_cleared_keys():
    @dlt.resource
    def issues(repo, page_size=10):
        yield {"repo": repo, "page_size": page_size}

    called = issues("y", page_size=3)
    assert called.explicit_args == {"repo": "y", "page_size": 3}  # as 1.31
    unbound = issues
    bound = unbound._clone().bind("z")
    assert list(bound) == [{"repo": "z", "page_size": 10}]
    assert bound.explicit_args == {"repo": "z"}

    keyed = dlt.resource([{"id": 1}], name="keyed", primary_key="id")
    keyed.apply_hints(primary_key="", additional_table_hints={"x-owner": "sales"})
    table = keyed.compute_table_schema()
    assert table["columns"] == {} and table["x-owner"] == "sales"
    pipeline = dlt.pipeline(pipeline_name="extra_hints", destination="duckdb")
    pipeline.run(keyed)
    assert pipeline.default_schema.tables["keyed"]["x-owner"] == "sales"
    assert "primary_key" not in pipeline.default_schema.tables["keyed"]["columns"]["id"]


def test_source_clone_setattr_and_pipeline_has_data_and_local_state():
    @dlt.source
    def shop():
        return dlt.resource([{"id": 1}], name="customers")

    source = shop()
    copy_ = source.clone(with_name="shop_copy")
    assert copy_.name == "shop_copy" and source.name == "shop"
    copy_.customers.add_limit(0)
    assert list(source) == [{"id": 1}]
    source.orders = dlt.resource([{"o": 1}], name="orders")
    assert sorted(source.resources) == ["customers", "orders"]

    pipeline = dlt.pipeline(pipeline_name="has_data", destination="duckdb")
    assert not pipeline.has_data
    pipeline.set_local_state_val("checkpoint", 7)
    assert pipeline.get_local_state_val("checkpoint") == 7
    with pytest.raises(KeyError):
        pipeline.get_local_state_val("missing")
    pipeline.run(source)
    assert pipeline.has_data
    assert dlt.attach(pipeline_name="has_data").get_local_state_val("checkpoint") == 7
    renamed = pipeline.default_schema.clone(with_name="other")
    assert renamed.name == "other" and pipeline.default_schema.name == "shop"
    assert sorted(_rows(pipeline, "SELECT count(*) FROM orders")) == [(1,)]


def test_a_named_destination_takes_its_type_and_settings_from_config(monkeypatch, tmp_path):
    import duckdb

    from dlt.destinations import resolve_destination
    from dlt.plugins.errors import UnknownProvisionError

    monkeypatch.setenv("DESTINATION__WAREHOUSE__DESTINATION_TYPE", "duckdb")
    monkeypatch.setenv("DESTINATION__WAREHOUSE__CREDENTIALS", str(tmp_path / "named.duckdb"))
    pipeline = dlt.pipeline(pipeline_name="named_dest", destination="warehouse", dataset_name="n")
    info = pipeline.run([{"a": 1}], table_name="t")
    assert info.destination_name == "warehouse"  # as 1.31
    with duckdb.connect(str(tmp_path / "named.duckdb"), read_only=True) as con:
        assert con.execute("SELECT a FROM n.t").fetchall() == [(1,)]
    # restored by name from the pipeline's state
    assert dlt.attach(pipeline_name="named_dest").destination.name == "warehouse"
    monkeypatch.setenv("DESTINATION__OTHER__DESTINATION_TYPE", "dlt.destinations.duckdb")
    assert resolve_destination("other").destination_type == "dlt.destinations.duckdb"
    with pytest.raises(UnknownProvisionError):
        dlt.pipeline(pipeline_name="unnamed_dest", destination="nowhere")


def test_sql_client_dataset_switching_and_fully_qualified_names():
    pipeline = dlt.pipeline(pipeline_name="sql_names", destination="duckdb", dataset_name="ds")
    pipeline.run(dlt.resource([{"id": 1, "v": "a"}], name="people", primary_key="id",
                              write_disposition="merge"))
    with pipeline.sql_client() as client:
        assert client.fully_qualified_dataset_name(quote=False) == "ds"
        assert client.fully_qualified_dataset_name().endswith('"ds"')
        assert client.fully_qualified_dataset_name(staging=True).endswith('"ds_staging"')
        assert not client.is_staging_dataset_active
        with client.with_staging_dataset():
            assert client.is_staging_dataset_active
            staging_table = client.make_qualified_table_name("people")
            assert '"ds_staging"' in staging_table
            client.execute_sql(f"SELECT count(*) FROM {staging_table}")  # the staging table exists
        assert not client.is_staging_dataset_active
        with client.with_alternative_dataset_name("other"):
            assert client.make_qualified_table_name("t").endswith('"other"."t"')
        assert client.execute_sql(f"SELECT v FROM {client.make_qualified_table_name('people')}") == [("a",)]


def test_hints_that_are_functions_of_the_item():
    @dlt.resource(
        table_name=lambda item: f"t_{item['k']}",
        columns=lambda item: {"v": {"data_type": "text" if item["k"] == "a" else "bigint"}},
        primary_key=lambda item: "id",
        write_disposition=lambda item: "merge" if item["k"] == "a" else "append",
    )
    def dynamic():
        yield [{"k": "a", "id": 1, "v": 1}, {"k": "b", "id": 2, "v": 2}, {"k": "a", "id": 1, "v": 3}]

    pipeline = dlt.pipeline(pipeline_name="dynamic_hints", destination="duckdb")
    pipeline.run(dynamic())
    tables = pipeline.default_schema.tables
    # as 1.31
    assert tables["t_a"]["columns"]["v"]["data_type"] == "text"
    assert tables["t_b"]["columns"]["v"]["data_type"] == "bigint"
    assert tables["t_a"]["write_disposition"] == "merge" and tables["t_b"]["write_disposition"] == "append"
    assert tables["t_a"]["columns"]["id"]["primary_key"] is True
    assert _rows(pipeline, "SELECT id, v FROM t_a") == [(1, "3")]  # merged on the dynamic key
    assert _rows(pipeline, "SELECT id, v FROM t_b") == [(2, 2)]
    from dlt.extract.exceptions import DataItemRequiredForDynamicTableHints

    with pytest.raises(DataItemRequiredForDynamicTableHints, match="table_name function"):
        dynamic().compute_table_schema()
    keyed = dlt.resource([{"id": 1}], name="keyed", primary_key=lambda item: "id")
    with pytest.raises(DataItemRequiredForDynamicTableHints, match=r"functions of the item \(primary_key\)"):
        keyed.compute_table_schema()
    assert keyed.compute_table_schema({"id": 1})["columns"]["id"]["primary_key"] is True


def test_dlt_columns_of_nested_tables_come_in_1_31_order():
    pipeline = dlt.pipeline(pipeline_name="column_order", destination="duckdb")
    data = [{"id": i, "tags": [{"t": j, "sub": [j]} for j in range(2)]} for i in range(3)]
    pipeline.run(dlt.resource(data, name="r", primary_key="id", write_disposition="merge"))

    def columns(table):
        return [row[0] for row in _rows(pipeline, "SELECT column_name FROM information_schema.columns WHERE"
                                        f" table_name = '{table}' AND table_schema = 'column_order_dataset'"
                                        " ORDER BY ordinal_position")]

    # as 1.31
    assert columns("r") == ["id", "_dlt_load_id", "_dlt_id"]
    assert columns("r__tags") == ["t", "_dlt_root_id", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"]
    assert columns("r__tags__sub") == ["value", "_dlt_root_id", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"]


def test_references_reach_the_stored_schema_and_an_unbound_transformer_says_so():
    from dlt.extract.exceptions import PipeNotBoundToData

    reference = {"referenced_table": "parent", "columns": ["parent_id"], "referenced_columns": ["id"]}

    @dlt.resource(references=[reference])
    def child():
        yield {"parent_id": 1}

    assert child().compute_table_schema()["references"] == [reference]  # as 1.31
    pipeline = dlt.pipeline(pipeline_name="references", destination="duckdb")
    pipeline.run(child())
    assert pipeline.default_schema.tables["child"]["references"] == [reference]

    @dlt.transformer
    def enrich(item):
        yield {"id": item["id"]}

    with pytest.raises(PipeNotBoundToData, match=r"pipe one into it \(resource \| enrich\)"):
        list(enrich)


def test_nan_of_rows_loads_as_null_but_arrow_tables_keep_theirs():
    import pyarrow as pa

    pipeline = dlt.pipeline(pipeline_name="nans", destination="duckdb")
    rows = [{"i": 1, "x": 1.5}, {"i": 2, "x": float("nan")}, {"i": 3, "x": float("-inf")}, {"i": 4, "x": None}]
    pipeline.run(rows, table_name="t")
    # NaN as 1.31 (its extract writes rows as JSON, where NaN is null); the infinity is kept
    # (1.31 makes it null too)
    assert _rows(pipeline, "SELECT i, x FROM t ORDER BY i") == [(1, 1.5), (2, None), (3, float("-inf")), (4, None)]
    mixed = [{"i": 5, "x": 1}, {"i": 6, "x": float("nan")}]  # ints and floats: the row path
    pipeline.run(mixed, table_name="t")
    assert _rows(pipeline, "SELECT x IS NULL FROM t WHERE i = 6") == [(True,)]
    pipeline.run(pa.table({"i": [7], "x": [float("nan")]}), table_name="arrow_t")
    assert _rows(pipeline, "SELECT isnan(x) FROM arrow_t") == [(True,)]


@pytest.mark.parametrize("shape", ["page", "mixed_page", "single_items"])
def test_a_column_of_only_nan_is_not_created_as_in_1_31(shape):
    nan = float("nan")
    rows = [{"i": 1, "x": nan, "y": nan}, {"i": 2, "x": None, "y": 2.5}, {"i": 3, "x": nan, "y": nan}]
    if shape == "mixed_page":
        rows[1]["z"] = "text"  # ints and strings in one column: the page takes the row path
        rows[2]["z"] = 3
    data = [rows] if shape != "single_items" else rows
    pipeline = dlt.pipeline(pipeline_name=f"nan_only_{shape}", destination="duckdb", dataset_name="ds")
    pipeline.run(dlt.resource(iter(data), name="t"))
    columns = pipeline.default_schema.get_table("t")["columns"]
    # as 1.31: NaN loads as NULL, so `x` got no value and has no column; `y` has one of its
    # values and its NaN are NULL
    assert "x" not in columns and columns["y"]["data_type"] == "double"
    assert _rows(pipeline, "SELECT i, y FROM t ORDER BY i") == [(1, None), (2, 2.5), (3, None)]
    pipeline.run(dlt.resource([[{"i": 4, "x": 0.5}]], name="t"))
    assert pipeline.default_schema.get_table("t")["columns"]["x"]["data_type"] == "double"
    assert _rows(pipeline, "SELECT i, x FROM t WHERE x IS NOT NULL") == [(4, 0.5)]


@pytest.mark.parametrize("file_format", [None, "jsonl", "parquet"])
def test_a_naive_timestamp_column_is_a_duckdb_timestamp_of_its_precision(file_format):
    import datetime as dt

    rows = [{"id": 1, "ts": dt.datetime(2024, 1, 1, 10, 0, 0, 123456)},
            {"id": 2, "ts": dt.datetime(2024, 1, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))},
            {"id": 3, "ts": "2024-05-01T08:30:00+01:00"}]
    naive = {"data_type": "timestamp", "timezone": False}

    @dlt.resource(columns={"ts": naive, "ms": dict(naive, precision=3), "aware": {"data_type": "timestamp"}})
    def r():
        for row in rows:
            yield dict(row, ms=row["ts"], aware=row["ts"])

    pipeline = dlt.pipeline(pipeline_name=f"naive_ts_{file_format}", destination="duckdb", dataset_name="ds")
    info = pipeline.run(r(), **({"loader_file_format": file_format} if file_format else {}))
    assert not info.has_failed_jobs
    types = _rows(pipeline, "SELECT column_name, data_type FROM information_schema.columns"
                            " WHERE table_name = 'r' AND column_name IN ('ts', 'ms', 'aware') ORDER BY 1")
    assert types == [("aware", "TIMESTAMP WITH TIME ZONE"), ("ms", "TIMESTAMP_MS"), ("ts", "TIMESTAMP")]  # as 1.31
    # an offset becomes UTC wall clock in the naive columns (as 1.31, whose session is UTC too)
    assert _rows(pipeline, "SELECT ts, ms FROM r ORDER BY id") == [
        (dt.datetime(2024, 1, 1, 10, 0, 0, 123456), dt.datetime(2024, 1, 1, 10, 0, 0, 123000)),
        (dt.datetime(2024, 1, 1, 8, 0), dt.datetime(2024, 1, 1, 8, 0)),
        (dt.datetime(2024, 5, 1, 7, 30), dt.datetime(2024, 5, 1, 7, 30))]
    assert _rows(pipeline, "SELECT current_setting('TimeZone')") == [("UTC",)]


def test_a_naive_timestamp_precision_beyond_nanoseconds_is_refused():
    pipeline = dlt.pipeline(pipeline_name="naive_ts_p12", destination="duckdb")
    columns = {"ts": {"data_type": "timestamp", "timezone": False, "precision": 12}}
    with pytest.raises(PipelineStepFailed, match="at most 9 fractional digits"):
        pipeline.run([{"ts": "2024-01-01T00:00:00"}], table_name="t", columns=columns)


def test_apply_hints_merges_columns_into_the_resource_columns():
    @dlt.resource(columns={"a": {"data_type": "bigint", "nullable": False}, "b": {"data_type": "text"}})
    def r():
        yield {"a": 1, "b": "x", "c": 2}

    resource = r().apply_hints(columns={"b": {"nullable": False}, "c": {"data_type": "double"}})
    assert resource.columns == {  # as 1.31: a kept, b's hints updated, c added
        "a": {"name": "a", "data_type": "bigint", "nullable": False},
        "b": {"name": "b", "data_type": "text", "nullable": False},
        "c": {"name": "c", "data_type": "double"}}
    assert r().apply_hints(columns={}).columns == {}  # as 1.31: an empty dict clears them
    pipeline = dlt.pipeline(pipeline_name="merged_columns", destination="duckdb", dataset_name="ds")
    pipeline.run(resource)
    assert _rows(pipeline, "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                           " WHERE table_name = 'r' AND column_name IN ('a', 'b', 'c') ORDER BY 1") == [
        ("a", "BIGINT", "NO"), ("b", "VARCHAR", "NO"), ("c", "DOUBLE", "YES")]


def test_with_hints_merges_columns_and_make_hints_takes_references():
    @dlt.resource(columns={"a": {"data_type": "text", "nullable": False}, "c": {"data_type": "double"}})
    def items():
        yield dlt.mark.with_hints([{"a": "x", "b": 1, "c": 2}], dlt.mark.make_hints(
            columns={"b": {"data_type": "bigint", "nullable": False}, "c": {"nullable": False}},
            references=[{"referenced_table": "other", "columns": ["b"], "referenced_columns": ["id"]}]))

    pipeline = dlt.pipeline(pipeline_name="with_hints_merge", destination="duckdb", dataset_name="ds")
    pipeline.run(items())
    table = pipeline.default_schema.tables["items"]
    # as 1.31: the resource's own column hints stay, the marked ones merge in
    assert {n: (c.get("data_type"), c.get("nullable")) for n, c in table["columns"].items()
            if not n.startswith("_dlt")} == {"a": ("text", False), "c": ("double", False), "b": ("bigint", False)}
    assert table["references"] == [{"referenced_table": "other", "columns": ["b"], "referenced_columns": ["id"]}]
    assert _rows(pipeline, "SELECT column_name, is_nullable FROM information_schema.columns"
                           " WHERE table_name = 'items' AND column_name IN ('a', 'b', 'c') ORDER BY 1") == [
        ("a", "NO"), ("b", "NO"), ("c", "NO")]


def test_get_table_of_an_unknown_table_raises_table_not_found():
    from dlt.common.schema.exceptions import SchemaException, TableNotFound

    pipeline = dlt.pipeline(pipeline_name="unknown_table", destination="duckdb", dataset_name="ds")
    pipeline.run([{"id": 1}], table_name="known")
    schema = pipeline.default_schema
    assert schema.get_table("known")["name"] == "known"
    with pytest.raises(TableNotFound) as raised:  # as 1.31: a KeyError and a schema exception
        schema.get_table("nope")
    assert isinstance(raised.value, KeyError) and isinstance(raised.value, SchemaException)
    assert raised.value.table_name == "nope" and raised.value.schema_name == schema.name
    assert "Table not found: `nope`" in str(raised.value) and "known" in str(raised.value)
    with pytest.raises(KeyError, match="nope"):
        schema.get_table_columns("nope")


def test_the_cursor_column_gets_the_incremental_hint():
    @dlt.resource
    def by_argument(updated=dlt.sources.incremental("updated")):
        yield [{"id": 1, "updated": 5}]

    @dlt.resource(incremental=dlt.sources.incremental("ts"))
    def by_hint():
        yield [{"id": 1, "ts": 5}]

    @dlt.resource
    def by_path(x=dlt.sources.incremental("$.nested.v")):
        yield [{"id": 1, "nested": {"v": 1}}]

    applied = dlt.resource([{"id": 1, "k": 2}], name="applied").apply_hints(
        incremental=dlt.sources.incremental("k"))
    assert by_hint().compute_table_schema()["columns"] == {"ts": {"name": "ts", "incremental": True}}
    pipeline = dlt.pipeline(pipeline_name="cursor_hint", destination="duckdb", dataset_name="ds")
    pipeline.run([by_argument(), by_hint(), by_path(), applied])
    tables = pipeline.default_schema.tables
    marked = {name: [c for c, column in tables[name]["columns"].items() if column.get("incremental")]
              for name in ("by_argument", "by_hint", "by_path", "applied")}
    # as 1.31: a plain cursor field is marked, with its inferred type; a nested path marks none
    assert marked == {"by_argument": ["updated"], "by_hint": ["ts"], "by_path": [], "applied": ["k"]}
    assert tables["by_argument"]["columns"]["updated"]["data_type"] == "bigint"
    # the hint survives the schema's round trip through its stored form
    assert dlt.Schema.from_dict(pipeline.default_schema.to_dict()).tables["by_hint"]["columns"]["ts"]["incremental"]


@pytest.mark.parametrize("kind", ["arrow", "pandas"])
def test_untyped_column_hints_apply_to_arrow_and_dataframe_columns(kind):
    import pyarrow as pa

    table = pa.table({"id": [1, 2], "name": ["a", "b"], "note": [None, "x"]})
    data = table if kind == "arrow" else pytest.importorskip("pandas").DataFrame(table.to_pydict())
    # hints without a data type (as sql_database's "minimal" reflection gives): the Arrow
    # field's nullable must not win over them (as 1.31: NOT NULL is kept)
    resource = dlt.resource([data], name="frames",
                            columns={"id": {"nullable": False}, "name": {"nullable": False, "unique": True}})
    pipeline = dlt.pipeline(pipeline_name=f"untyped_hints_{kind}", destination="duckdb", dataset_name="ds")
    pipeline.run(resource)
    columns = pipeline.default_schema.tables["frames"]["columns"]
    assert (columns["id"]["data_type"], columns["id"]["nullable"]) == ("bigint", False)
    assert (columns["name"]["data_type"], columns["name"]["nullable"], columns["name"]["unique"]) == ("text", False, True)
    assert columns["note"]["nullable"] is True
    assert _rows(pipeline, "SELECT column_name, is_nullable FROM information_schema.columns"
                           " WHERE table_name = 'frames' AND column_name IN ('id', 'name', 'note') ORDER BY 1") == [
        ("id", "NO"), ("name", "NO"), ("note", "YES")]


def test_table_variants_of_hints_serve_the_tables_they_name():
    from dlt.extract.items import TableNameMeta

    @dlt.resource(primary_key="id", write_disposition="merge", columns={"id": {"data_type": "bigint"}})
    def events():
        yield dlt.mark.with_hints([{"id": 1, "user_id": 7, "v": 1}], dlt.mark.make_hints(
            table_name="clicks", primary_key="user_id", write_disposition="append"), create_table_variant=True)
        yield dlt.mark.with_hints([{"id": 2, "sku": "a", "v": 2}], dlt.mark.make_hints(
            table_name="orders", primary_key="sku", columns={"sku": {"data_type": "text", "nullable": False}}),
            create_table_variant=True)
        yield [{"id": 3, "v": 3}]
        yield dlt.mark.with_table_name([{"id": 4, "user_id": 8, "v": 4}], "clicks")

    resource = events()
    pipeline = dlt.pipeline(pipeline_name="table_variants", destination="duckdb", dataset_name="ds")
    pipeline.run(resource)
    tables = pipeline.default_schema.tables
    summary = {name: (tables[name]["write_disposition"],
                      sorted(c for c, column in tables[name]["columns"].items() if column.get("primary_key")),
                      _rows(pipeline, f"SELECT count(*) FROM {name}")[0][0])
               for name in ("events", "clicks", "orders")}
    # as 1.31: each variant keeps its own key and disposition; the resource's stay its own
    assert summary == {"events": ("merge", ["id"], 1), "clicks": ("append", ["user_id"], 2),
                       "orders": ("merge", ["sku"], 1)}
    orders = resource.compute_table_schema(meta=TableNameMeta("orders"))
    assert orders["variant_name"] == "orders" and orders["columns"]["sku"]["primary_key"] is True
    assert "variant_name" not in resource.compute_table_schema()
    # a clone's variants are its own
    clone = resource._clone()
    clone.apply_hints(table_name="orders", primary_key="other", create_table_variant=True)
    assert resource.compute_table_schema(meta=TableNameMeta("orders"))["columns"]["sku"]["primary_key"]
    with pytest.raises(ValueError, match="table_name as a string"):
        resource.apply_hints(table_name=lambda item: "t", create_table_variant=True)


def test_select_tables_keeps_the_items_of_the_named_tables():
    @dlt.resource(table_name=lambda event: event["type"])
    def events():
        yield [{"type": "click", "id": 1}, {"type": "view", "id": 2}, {"type": "buy", "id": 3}]

    @dlt.resource
    def marked():
        yield dlt.mark.with_table_name([{"id": 1}], "a")
        yield dlt.mark.with_table_name({"id": 2}, "b")
        yield [{"id": 3}]  # the resource's own table: dropped, as in 1.31

    pipeline = dlt.pipeline(pipeline_name="select_tables", destination="duckdb", dataset_name="ds")
    pipeline.run([events().select_tables("click", "buy"), marked().select_tables("b")])
    names = sorted(pipeline.default_schema.data_table_names())
    assert names == ["b", "buy", "click"]
    assert {name: _rows(pipeline, f"SELECT id FROM {name}") for name in names} == {
        "b": [(2,)], "buy": [(3,)], "click": [(1,)]}


def test_source_discover_schema_and_exhausted():
    @dlt.source
    def shop():
        @dlt.resource(primary_key="id", write_disposition="merge", columns={"CamelCase": {"data_type": "text"}})
        def users():
            yield [{"id": 1}]

        @dlt.resource(table_name=lambda item: item["t"])
        def dynamic():
            yield [{"t": "x"}]

        def numbers():
            yield {"a": 1}
            yield {"a": 2}

        return users, dynamic, dlt.resource(numbers(), name="numbers")

    source = shop()
    schema = source.discover_schema()
    # as 1.31: the declared tables with normalized names; a dynamic name needs an item
    assert {"users", "numbers"} <= set(schema.tables) and "x" not in schema.tables
    assert schema.tables["users"]["write_disposition"] == "merge"
    assert schema.tables["users"]["columns"]["camel_case"]["data_type"] == "text"
    assert schema.tables["users"]["columns"]["id"]["primary_key"] is True
    assert "yy" in source.discover_schema(item={"t": "yy"}).tables
    assert "users" not in source.schema.tables  # the source's own schema is untouched
    assert source.exhausted is False
    assert list(source.numbers) == [{"a": 1}, {"a": 2}]
    assert source.exhausted is True


def test_with_name_on_a_transformer_renames_its_parents_and_their_state():
    listed = {"rounds": 0}

    @dlt.resource
    def listing():
        listed["rounds"] += 1
        yield [{"name": "a.csv", "modification_date": 1}, {"name": "b.jsonl", "modification_date": 2}]

    @dlt.transformer
    def reader(items, suffix: str):
        yield [{"file": item["name"]} for item in items if item["name"].endswith(suffix)]

    def renamed(new_name: str, suffix: str):
        files = listing()
        files.apply_hints(incremental=dlt.sources.incremental("modification_date"))
        return (files | reader(suffix)).with_name(new_name)

    csvs = renamed("csvs", ".csv")
    assert csvs.name == "csvs" and csvs.parent.name == "listing_csvs"  # as 1.31
    assert (listing() | reader(".x")).with_name("reader_two").parent.name == "listing_reader_two"
    pipeline = dlt.pipeline(pipeline_name="renamed_parents", destination="duckdb", dataset_name="ds")
    pipeline.run([csvs, renamed("docs", ".jsonl")])
    resources = pipeline.state["sources"][pipeline.default_schema.name]["resources"]
    # each renamed listing keeps its own cursor: the second reader is not cut short by the first
    assert sorted(resources) == ["listing_csvs", "listing_docs"]
    assert _rows(pipeline, "SELECT file FROM csvs") == [("a.csv",)]
    assert _rows(pipeline, "SELECT file FROM docs") == [("b.jsonl",)]


def test_a_dict_or_a_string_as_resource_data_is_refused():
    from dlt.extract.exceptions import InvalidResourceDataType, InvalidResourceDataTypeBasic

    for data in ({"a": 1}, "a string"):
        with pytest.raises(InvalidResourceDataTypeBasic, match="enclose it in a list") as raised:
            dlt.resource(data, name="one")
        assert isinstance(raised.value, InvalidResourceDataType)  # as 1.31
    pipeline = dlt.pipeline(pipeline_name="dict_as_data", destination="duckdb", dataset_name="ds")
    with pytest.raises(PipelineStepFailed, match="got a dict as its data"):
        pipeline.run({"a": 1}, table_name="t")
    pipeline.run([{"a": 1}], table_name="t")  # the same item in a list loads
    assert _rows(pipeline, "SELECT a FROM t") == [(1,)]


def test_make_qualified_table_name_takes_quote():
    pipeline = dlt.pipeline(pipeline_name="qualified_quote", destination="duckdb", dataset_name="ds")
    pipeline.run([{"a": 1}], table_name="t")
    with pipeline.sql_client() as client:
        assert client.make_qualified_table_name("t", quote=False) == "ds.t"  # as 1.31
        assert client.make_qualified_table_name("t", False) == "ds.t"  # 1.31's positional quote
        quoted = client.make_qualified_table_name("t")
        assert quoted.endswith('"ds"."t"') and client.execute_sql(f"SELECT a FROM {quoted}") == [(1,)]


def test_an_incremental_argument_takes_its_settings_from_configuration(monkeypatch):
    @dlt.resource
    def configured_items(updated=dlt.sources.incremental("updated", initial_value=0, last_value_func="min")):
        yield [{"id": i, "updated": i} for i in range(6)]

    # as 1.31: sources.<section>.<resource>.<argument>.<setting> (an environment variable here)
    monkeypatch.setenv("SOURCES__TEST_COMPAT_PROBE_FIXES__CONFIGURED_ITEMS__UPDATED__INITIAL_VALUE", "3")
    pipeline = dlt.pipeline(pipeline_name="incremental_from_config", destination="duckdb", dataset_name="ds")
    pipeline.run(configured_items())
    # the other settings of the default stay (min: the items at or below 3)
    assert _rows(pipeline, "SELECT id FROM configured_items ORDER BY id") == [(0,), (1,), (2,), (3,)]
    explicit = dlt.pipeline(pipeline_name="incremental_explicit", destination="duckdb", dataset_name="ds")
    explicit.run(configured_items(updated=dlt.sources.incremental("updated", initial_value=1, last_value_func="min")))
    assert _rows(explicit, "SELECT count(*) FROM configured_items") == [(2,)]  # an explicit argument wins


def test_arrow_column_widths_and_units_become_precision_hints():
    import pyarrow as pa

    table = pa.table({
        "i8": pa.array([1], pa.int8()), "i16": pa.array([1], pa.int16()), "i32": pa.array([1], pa.int32()),
        "i64": pa.array([1], pa.int64()), "u16": pa.array([65535], pa.uint16()),
        "u32": pa.array([4_000_000_000], pa.uint32()),
        "ts_s": pa.array([1], pa.timestamp("s", tz="UTC")), "ts_ms": pa.array([1000], pa.timestamp("ms")),
        "ts_us": pa.array([1], pa.timestamp("us")), "ts_ns": pa.array([1000], pa.timestamp("ns", tz="UTC")),
        "t_ms": pa.array([1000], pa.time32("ms")), "t_us": pa.array([1], pa.time64("us")),
        "fixed": pa.array([b"abcd"], pa.binary(4)),
    })
    pipeline = dlt.pipeline(pipeline_name="arrow_precision", destination="duckdb", dataset_name="ds")
    info = pipeline.run(dlt.resource(table, name="typed"))
    assert not info.has_failed_jobs
    columns = pipeline.default_schema.get_table("typed")["columns"]
    precision = {name: column.get("precision") for name, column in columns.items()}
    # as 1.31: integers keep their width, s / ms timestamps and times 0 / 3 digits, microseconds
    # and finer no hint, a fixed-size binary its width
    assert precision == {"i8": 8, "i16": 16, "i32": 32, "i64": None, "u16": 32, "u32": None,
                         "ts_s": 0, "ts_ms": 3, "ts_us": None, "ts_ns": None,
                         "t_ms": 3, "t_us": None, "fixed": 4}
    types = dict(_rows(pipeline, "SELECT column_name, data_type FROM information_schema.columns"
                                 " WHERE table_name = 'typed'"))
    assert (types["i8"], types["i16"], types["i32"], types["i64"]) == ("TINYINT", "SMALLINT", "INTEGER", "BIGINT")
    # unlike 1.31 (precision 32: INTEGER), an unsigned column holds every value of its type
    assert (types["u16"], types["u32"]) == ("INTEGER", "BIGINT")
    assert _rows(pipeline, "SELECT u16, u32 FROM typed") == [(65535, 4_000_000_000)]


def test_nanoseconds_that_a_microsecond_column_would_lose_are_warned_of(caplog):
    import logging

    import pyarrow as pa

    caplog.set_level(logging.WARNING, logger="dlt")
    pipeline = dlt.pipeline(pipeline_name="nanos", destination="duckdb", dataset_name="ds")
    whole = pa.table({"at": pa.array([1_000, 2_000_000], pa.timestamp("ns", tz="UTC"))})
    pipeline.run(dlt.resource(whole, name="whole"))  # whole microseconds, as pandas mostly has
    assert "nanoseconds" not in caplog.text
    fine = pa.table({"at": pa.array([1, 1_500], pa.timestamp("ns"))})
    pipeline.run(dlt.resource(fine, name="fine"))
    assert "Column 'at' of table 'fine' has timestamps with nanoseconds" in caplog.text
    caplog.clear()
    # the hint the warning names keeps them on DuckDB, and then there is nothing to warn of
    hint = {"at": {"data_type": "timestamp", "timezone": False, "precision": 9}}
    pipeline.run(dlt.resource(fine, name="kept", columns=hint))
    assert "nanoseconds" not in caplog.text
    assert _rows(pipeline, 'SELECT epoch_ns("at") FROM kept ORDER BY 1') == [(1,), (1_500,)]


def test_destination_type_load_info_and_state_name_the_type_as_1_31(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="typed", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.duckdb(str(tmp_path / "t.duckdb")),
                            dataset_name="ds")
    info = pipeline.run([{"id": 1}], table_name="t")
    assert pipeline.destination.destination_type == "dlt.destinations.duckdb"
    assert info.destination_type == "dlt.destinations.duckdb"
    assert info.asdict()["destination_type"] == "dlt.destinations.duckdb"
    assert pipeline.state["destination_type"] == "dlt.destinations.duckdb"
    assert str(info).splitlines()[0].startswith("Pipeline typed load step finished in ")
    attached = dlt.attach("typed", pipelines_dir=str(tmp_path))
    assert attached.state["destination_type"] == "dlt.destinations.duckdb"


def test_extract_table_metrics_leave_out_the_state_row(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="metrics", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.duckdb(str(tmp_path / "m.duckdb")),
                            dataset_name="ds")
    pipeline.run([dlt.resource([{"id": 1}], name="rows_a"), dlt.resource([{"id": 2}], name="rows_b")])
    extract = pipeline.last_trace.last_extract_info
    (entries,) = extract.metrics.values()
    assert sorted(entries[0]["table_metrics"]) == ["rows_a", "rows_b"]


def test_a_decimal_goes_into_a_double_column_and_nan_loads_as_null_in_any_column(tmp_path):
    from decimal import Decimal

    pipeline = dlt.pipeline(pipeline_name="coerce", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.duckdb(str(tmp_path / "c.duckdb")),
                            dataset_name="ds")
    pipeline.run([{"id": i, "x": Decimal(i) / 4} for i in range(300)], table_name="d",
                 columns={"x": {"data_type": "double"}})
    assert "x__v_decimal" not in pipeline.default_schema.tables["d"]["columns"]
    assert _rows(pipeline, "SELECT count(x), sum(x) FROM d") == [(300, 11212.5)]
    nan = float("nan")
    pipeline.run([{"id": 1, "name": "a", "n": 1}, {"id": 2, "name": nan, "n": nan}], table_name="t")
    pipeline.run([{"id": 3, "name": nan, "n": nan}] * 3, table_name="t")
    columns = pipeline.default_schema.tables["t"]["columns"]
    assert (columns["name"]["data_type"], columns["n"]["data_type"]) == ("text", "bigint")
    assert not [name for name in columns if "__v_" in name]
    assert sorted(_rows(pipeline, "SELECT id, name, n FROM t")) == [
        (1, "a", 1), (2, None, None), (3, None, None), (3, None, None), (3, None, None)]


def test_columns_and_child_tables_come_in_1_31_order(tmp_path):
    # dlt 1.31 takes a dict's own values first, then its nested dicts (the last one first),
    # then the lists met on the way; the table's columns are in that order (measured on 1.31)
    pipeline = dlt.pipeline(pipeline_name="order", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.duckdb(str(tmp_path / "o.duckdb")),
                            dataset_name="ds")
    item = {"id": 1, "a": {"x": 1, "n": {"q": 1}}, "l1": [1], "b": {"y": 2, "l2": [{"z": 1}]},
            "ok": True, "l3": [{"k": {"m": 1}, "j": 2}]}
    pipeline.run([item], table_name="t")
    tables = {name: list(table["columns"]) for name, table in pipeline.default_schema.tables.items()
              if not name.startswith("_dlt")}
    assert tables == {
        "t": ["id", "ok", "b__y", "a__x", "a__n__q", "_dlt_load_id", "_dlt_id"],
        "t__l1": ["value", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"],
        "t__l3": ["j", "k__m", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"],
        "t__b__l2": ["z", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"],
    }
    assert list(tables) == ["t", "t__l1", "t__l3", "t__b__l2"]
    names = [d[0] for d in _description(pipeline, "SELECT * FROM t")]
    assert names == tables["t"]


def _description(pipeline, sql: str):
    with pipeline.sql_client() as client:
        with client.execute_query(sql) as cursor:
            return cursor.description


def test_an_unknown_write_disposition_is_a_dict_validation_exception_as_in_1_31(tmp_path):
    from dlt.common.exceptions import DictValidationException

    pipeline = dlt.pipeline(pipeline_name="bad_wd", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")))
    with pytest.raises(PipelineStepFailed) as raised:
        pipeline.run([{"a": 1}], table_name="t", write_disposition="upsert_all")
    assert isinstance(raised.value.__cause__ or raised.value.exception, DictValidationException)


SERVICE_ACCOUNT = {
    "type": "service_account", "project_id": "my-proj", "private_key_id": "kid",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY-----\n",
    "client_email": "svc@my-proj.iam.gserviceaccount.com", "client_id": "123",
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://oauth2.googleapis.com/token", "universe_domain": "googleapis.com",
}


def test_a_whole_service_account_document_as_a_dict_resolves_google_credentials():
    from dlt.common.configuration import resolve_configuration

    credentials = resolve_configuration(GcpServiceAccountCredentials(), explicit_value=SERVICE_ACCOUNT)
    assert (credentials.project_id, credentials.client_email) == ("my-proj", SERVICE_ACCOUNT["client_email"])
    seen = {}

    @dlt.source
    def google(credentials: GcpServiceAccountCredentials = dlt.secrets.value):
        seen["email"] = credentials.client_email
        return dlt.resource([1], name="x")

    google(credentials=SERVICE_ACCOUNT)
    assert seen["email"] == SERVICE_ACCOUNT["client_email"]
    # a key that is no field of credentials without such a document still says so
    with pytest.raises(KeyError, match="pasword"):
        resolve_configuration(ConnectionStringCredentials(), explicit_value={
            "drivername": "postgresql", "pasword": "x", "host": "h", "database": "d", "username": "u"})


def test_a_source_with_args_loads_under_another_name_and_config_section(monkeypatch):
    monkeypatch.setenv("SOURCES__W__FIRST__VAL", "from-first")
    monkeypatch.setenv("SOURCES__W__SECOND__VAL", "from-second")

    @dlt.source(name="first", section="w")
    def numbers(val=dlt.config.value):
        return dlt.resource([{"v": val}], name="rows")

    first, second = numbers(), numbers.with_args(name="second")()
    assert (first.name, first.schema.name, list(first.resources["rows"])) == (
        "first", "first", [{"v": "from-first"}])
    assert (second.name, second.schema.name, list(second.resources["rows"])) == (
        "second", "second", [{"v": "from-second"}])
    assert numbers.with_args(max_table_nesting=1)().max_table_nesting == 1


def test_with_config_takes_a_spec_for_defaults_and_types(monkeypatch):
    from dlt.common.configuration import with_config
    from dlt.common.configuration.specs import BaseConfiguration, configspec

    @configspec
    class ApiConfig(BaseConfiguration):
        host: str = "localhost"
        port: int = 8080

    monkeypatch.setenv("SOURCES__MYAPI__HOST", "env.host")

    @with_config(spec=ApiConfig, sections=("sources", "myapi"))
    def connect(host=dlt.config.value, port=dlt.config.value):
        return host, port

    assert connect() == ("env.host", 8080)
    assert connect(port=1) == ("env.host", 1)
    assert connect(host="given") == ("given", 8080)


def test_the_trace_and_its_steps_have_asstr_as_in_1_31(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="traced", pipelines_dir=str(tmp_path),
                            destination=dlt.destinations.duckdb(str(tmp_path / "t.duckdb")))
    pipeline.run([{"a": 1}], table_name="t")
    trace = pipeline.last_trace
    assert trace.asstr() == str(trace) and trace.asstr(1).startswith("Run started at ")
    assert trace.steps[0].asstr() == str(trace.steps[0])
    assert trace.steps[0].asstr().startswith("Step extract COMPLETED in ")
