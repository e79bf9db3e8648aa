"""Transformers as in dlt 1.31: data_from, pipes, returned values, pages and selection."""

from __future__ import annotations

import dlt
from core_helpers import rows_of


@dlt.resource
def users():
    yield [{"user_id": i} for i in range(1, 4)]


def test_a_page_reaches_the_transformer_as_one_item():
    received = []

    @dlt.transformer(data_from=users)
    def details(page):
        received.append(page)
        for user in page:
            yield {"user_id": user["user_id"], "score": user["user_id"] * 10}

    pipeline = dlt.pipeline(pipeline_name="tx_page", destination="duckdb")
    pipeline.run(details)
    assert len(received) == 1 and len(received[0]) == 3
    assert pipeline.default_schema.data_table_names() == ["details"]
    assert [r["score"] for r in rows_of(pipeline, "details", "user_id")] == [10, 20, 30]


def test_a_list_piped_into_a_transformer_arrives_element_by_element():
    @dlt.transformer
    def doubled(n):
        return {"n": n, "double": n * 2}

    assert list([1, 2, 3] | doubled()) == [{"n": 1, "double": 2}, {"n": 2, "double": 4}, {"n": 3, "double": 6}]


def test_a_function_returning_a_list_feeds_its_transformer_element_by_element():
    def numbers():
        return [1, 2]

    @dlt.transformer
    def seen(n):
        yield {"got": n}

    assert list(dlt.resource(numbers, name="numbers") | seen) == [{"got": 1}, {"got": 2}]


def test_a_deselected_parent_still_feeds_its_transformer():
    @dlt.transformer(data_from=users)
    def flags(page):
        yield [{"user_id": u["user_id"], "even": u["user_id"] % 2 == 0} for u in page]

    @dlt.source
    def shop():
        return users, flags

    source = shop()
    source.resources["users"].selected = False
    pipeline = dlt.pipeline(pipeline_name="tx_deselected", destination="duckdb")
    pipeline.run(source)
    assert pipeline.default_schema.data_table_names() == ["flags"]
    assert len(rows_of(pipeline, "flags")) == 3


def test_renamed_pipes_load_into_their_own_tables():
    @dlt.resource
    def accounts(limit):
        yield [{"account_id": i} for i in range(1, limit + 1)]

    @dlt.transformer
    def account_flags(page):
        for account in page:
            yield {"account_id": account["account_id"]}

    pipe = accounts(2) | account_flags
    assert pipe.name == "account_flags"
    pipeline = dlt.pipeline(pipeline_name="tx_renamed", destination="duckdb")
    pipeline.run([(accounts(1) | account_flags).with_name("one"), (accounts(3) | account_flags).with_name("three")])
    assert (len(rows_of(pipeline, "one")), len(rows_of(pipeline, "three"))) == (1, 3)


def test_a_transformer_added_to_a_source_takes_the_sources_resource():
    @dlt.source
    def crm():
        yield dlt.resource([{"id": i} for i in range(3)], name="products")

    @dlt.transformer
    def scores(item):
        yield {"id": item["id"], "score": item["id"] * 2}

    source = crm()
    source.resources.add(source.products | scores)
    pipeline = dlt.pipeline(pipeline_name="tx_added", destination="duckdb")
    pipeline.run(source)
    assert [r["score"] for r in rows_of(pipeline, "scores", "id")] == [0, 2, 4]
    assert len(rows_of(pipeline, "products")) == 3
