"""The resource and source API of dlt 1.31: steps, limits, names, hints, marks and selection."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

import dlt
from dlt.extract import ResourceError
from core_helpers import rows_of


@dlt.resource
def pages():
    for page in range(10):
        yield [{"n": page * 10 + j} for j in range(3)]


def test_add_limit_counts_yields_and_with_count_rows_whole_pages_reaching_the_rows():
    assert len(list(pages().add_limit(4))) == 12
    assert len(list(pages().add_limit(4, count_rows=True))) == 6
    assert list(pages().add_limit(0)) == []
    assert len(list(pages().add_limit(None))) == 30


def test_add_limit_stops_an_infinite_iterator_and_max_time_stops_a_slow_one():
    assert list(dlt.resource(itertools.count(), name="counter").add_limit(3)) == [0, 1, 2]

    @dlt.resource
    def forever():
        while True:
            yield {"x": 1}

    assert len(list(forever().add_limit(max_time=0.05))) >= 1


def test_add_limit_counts_items_after_filters_as_1_31_does():
    @dlt.resource
    def numbers():
        yield from ({"n": i} for i in range(100))

    limited = numbers().add_limit(3).add_filter(lambda r: r["n"] % 10 == 0)
    assert [r["n"] for r in limited] == [0, 10, 20]


def test_a_list_resource_yields_element_by_element_under_a_limit():
    assert list(dlt.resource([{"a": 1}, {"a": 2}, {"a": 3}], name="rows").add_limit(2)) == [{"a": 1}, {"a": 2}]


def test_add_yield_map_makes_many_items_of_one():
    exploded = list(pages().add_limit(1).add_yield_map(lambda r: ({"n": r["n"], "k": k} for k in range(2))))
    assert sorted((r["n"], r["k"]) for r in exploded) == [(n, k) for n in range(3) for k in range(2)]


def test_add_limit_with_a_negative_number_is_no_limit_and_a_non_integer_is_refused():
    # as dlt 1.31: -1 (any negative) is its "no limit"
    assert list(pages().add_limit(-1)) == list(pages())
    with pytest.raises(ResourceError, match="needs an integer max_items"):
        pages().add_limit(2.5)


def test_with_name_copies_load_into_their_own_tables():
    pipeline = dlt.pipeline(pipeline_name="with_name", destination="duckdb")
    original = pages()
    renamed = original.with_name("copy")
    assert (original.name, renamed.name) == ("pages", "copy")
    pipeline.run([original.add_limit(1), renamed.add_limit(2)])
    assert len(rows_of(pipeline, "pages")) == 3
    assert len(rows_of(pipeline, "copy")) == 6


def test_compute_table_schema_needs_the_item_for_a_dynamic_table_name():
    @dlt.resource(table_name=lambda e: e["kind"], columns={"tags": {"data_type": "json"}})
    def events():
        yield {"kind": "a"}

    assert events().compute_table_schema({"kind": "clicks"})["name"] == "clicks"
    table = events().compute_table_schema({"kind": "x"})
    assert table["write_disposition"] == "append" and table["columns"]["tags"]["data_type"] == "json"
    with pytest.raises(ResourceError, match="compute_table_schema"):
        events().compute_table_schema()


def test_max_table_nesting_setter_and_column_hints_reach_the_destination():
    @dlt.resource(columns={"score": {"data_type": "decimal", "precision": 10, "scale": 2}})
    def docs():
        yield {"id": 1, "meta": {"a": {"b": 1}}, "score": "1.25", "tags": ["x"]}

    resource = docs()
    resource.max_table_nesting = 0
    assert resource.max_table_nesting == 0
    pipeline = dlt.pipeline(pipeline_name="nesting", destination="duckdb")
    pipeline.run(resource)
    assert pipeline.default_schema.data_table_names() == ["docs"]
    row = rows_of(pipeline, "docs")[0]
    assert row["score"] == Decimal("1.25")


def test_nested_hints_type_a_column_of_a_nested_table():
    @dlt.resource(nested_hints={"purchases": dlt.mark.make_nested_hints(columns=[{"name": "price", "data_type": "decimal"}])})
    def customers():
        yield {"id": 1, "purchases": [{"sku": "x", "price": "1.50"}]}

    pipeline = dlt.pipeline(pipeline_name="nested_hints", destination="duckdb")
    pipeline.run(customers())
    columns = pipeline.default_schema.tables["customers__purchases"]["columns"]
    assert columns["price"]["data_type"] == "decimal"
    assert rows_of(pipeline, "customers__purchases")[0]["price"] == Decimal("1.50")


def test_root_key_on_the_source_links_grandchildren_to_the_root_row():
    @dlt.resource
    def docs():
        yield {"id": 1, "props": [{"notes": [{"t": 1}, {"t": 2}]}]}

    @dlt.source(root_key=True)
    def rooted():
        return docs()

    source = rooted()
    assert source.root_key is True
    pipeline = dlt.pipeline(pipeline_name="root_key", destination="duckdb")
    pipeline.run(source)
    notes = rows_of(pipeline, "docs__props__notes")
    root_id = rows_of(pipeline, "docs")[0]["_dlt_id"]
    assert [n["_dlt_root_id"] for n in notes] == [root_id, root_id]
    assert pipeline.default_schema.tables["docs__props__notes"]["columns"]["_dlt_root_id"]["root_key"] is True


def test_marks_dispatch_items_and_add_hints():
    @dlt.resource
    def marked():
        yield dlt.mark.with_table_name({"id": 1}, "first")
        yield dlt.mark.with_hints([{"code": 1, "stamp": "2024-01-01T00:00:00Z"}],
                                  dlt.mark.make_hints(columns=[{"name": "stamp", "data_type": "text"}],
                                                      primary_key="code"))

    pipeline = dlt.pipeline(pipeline_name="marks", destination="duckdb")
    pipeline.run(marked())
    assert sorted(pipeline.default_schema.data_table_names()) == ["first", "marked"]
    columns = pipeline.default_schema.tables["marked"]["columns"]
    assert columns["stamp"]["data_type"] == "text" and columns["code"]["primary_key"] is True
    assert pipeline.default_schema.tables["first"]["resource"] == "marked"
    # iterating a resource gives the data, not the marks
    assert list(marked()) == [{"id": 1}, {"code": 1, "stamp": "2024-01-01T00:00:00Z"}]


def test_a_name_function_names_the_resource_from_its_arguments():
    @dlt.resource(name=lambda args: args["stream"] + "_stream")
    def stream(stream):
        yield {"s": stream}

    assert stream("clicks").name == "clicks_stream"


def test_from_data_makes_a_resource_and_a_transformer():
    parent = dlt.DltResource.from_data([1, 2], name="numbers")
    child = dlt.DltResource.from_data(lambda n: {"n": n * 10}, name="tens", data_from=parent)
    assert list(parent) == [1, 2]
    assert list(child) == [{"n": 10}, {"n": 20}]


def test_source_resources_support_item_assignment_and_add_limit():
    @dlt.source
    def crm():
        yield dlt.resource([{"id": i} for i in range(3)], name="companies")

    source = crm()
    source.resources["notes"] = dlt.resource([{"note": "hi"}], name="notes")
    assert list(source.resources) == ["companies", "notes"]
    assert source.notes.source_name == "crm"
    assert list(crm().add_limit(1).companies) == [{"id": 0}]
    with pytest.raises(ResourceError, match="Only resources"):
        source.resources["bad"] = [1, 2]


def test_materialize_table_schema_creates_the_table_without_rows_as_1_31(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="materialize", destination="duckdb", dataset_name="data",
                            pipelines_dir=str(tmp_path))
    pipeline.run([{"a": 1}], table_name="first")  # a later run: the state does not change

    @dlt.resource(columns={"x": {"data_type": "bigint"}, "y": {"data_type": "text", "nullable": False}})
    def empty():
        yield dlt.mark.materialize_table_schema()

    info = pipeline.run(empty())
    assert info.has_failed_jobs is False and len(info.loads_ids) == 1
    with pipeline.sql_client() as client:
        columns = client.execute_sql(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = 'data' AND table_name = 'empty' ORDER BY ordinal_position")
        # as 1.31: the declared columns, then dlt's, and no row
        assert columns == [("x", "BIGINT", "YES"), ("y", "VARCHAR", "NO"), ("_dlt_load_id", "VARCHAR", "NO"),
                           ("_dlt_id", "VARCHAR", "NO")]
        assert client.execute_sql("SELECT count(*) FROM empty") == [(0,)]
    # rows that come later load into the same table
    pipeline.run([{"x": 5, "y": "five"}], table_name="empty")
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT x, y FROM empty") == [(5, "five")]


def test_materialize_table_schema_of_a_resource_with_table_names_per_item_needs_a_table_name(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="materialize_dynamic", destination="duckdb", dataset_name="data",
                            pipelines_dir=str(tmp_path))

    @dlt.resource(table_name=lambda item: item["kind"])
    def kinds():
        yield dlt.mark.materialize_table_schema()

    with pytest.raises(Exception, match="with_table_name"):
        pipeline.run(kinds())

    @dlt.resource(table_name=lambda item: item["kind"], columns={"n": {"data_type": "bigint"}})
    def named():
        yield dlt.mark.with_table_name(dlt.mark.materialize_table_schema(), "kind_a")

    pipeline.run(named())
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM kind_a") == [(0,)]


def test_additional_table_hints_merge_into_the_resources_and_an_empty_dict_clears_them():
    items = dlt.resource([{"a": 1}], name="extra_hints")
    items.apply_hints(additional_table_hints={"x-one": 1})
    items.apply_hints(additional_table_hints={"x-two": 2, "x-one": 3})
    table = items.compute_table_schema()
    assert (table["x-one"], table["x-two"]) == (3, 2)
    items.apply_hints(additional_table_hints={})
    assert not [key for key in items.compute_table_schema() if key.startswith("x-")]


def test_resource_state_with_no_pipeline_raises_as_in_dlt_131():
    from dlt.pipeline.exceptions import PipelineStateNotAvailable

    @dlt.resource
    def numbers():
        yield 1

    with pytest.raises(PipelineStateNotAvailable, match="no pipeline is active"):
        numbers.state  # noqa: B018 - the property is what is tested
    pipeline = dlt.pipeline("state_after", destination="duckdb")
    assert numbers.state == {}
    assert pipeline is not None
