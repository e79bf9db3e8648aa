"""Merge strategies on DuckDB: delete-insert, upsert, insert-only and scd2, and bad hints."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import dlt
from dlt.pipeline.exceptions import PipelineStepFailed
from core_helpers import rows_of


def q(pipeline, sql):
    with pipeline.sql_client() as client:
        return client.execute_sql(sql.replace("{ds}", client.qualified_dataset_name()))


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def merge_pipeline(name="merges"):
    return dlt.pipeline(pipeline_name=name, destination="duckdb", dataset_name=f"{name}_data")


def test_dedup_sort_keeps_the_row_with_the_highest_sort_value_per_key():
    pipeline = merge_pipeline()

    @dlt.resource(primary_key="id", write_disposition="merge", columns={"lsn": {"dedup_sort": "desc"}})
    def users(rows):
        yield rows

    pipeline.run(users([{"id": 1, "lsn": 5, "v": "high"}, {"id": 1, "lsn": 2, "v": "low"},
                        {"id": 2, "lsn": 1, "v": "only"}]))
    assert q(pipeline, "SELECT id, v FROM {ds}.users ORDER BY id") == [(1, "high"), (2, "only")]


def test_dedup_sort_asc_keeps_the_lowest():
    pipeline = merge_pipeline()

    @dlt.resource(primary_key="id", write_disposition="merge", columns={"lsn": {"dedup_sort": "asc"}})
    def users(rows):
        yield rows

    pipeline.run(users([{"id": 1, "lsn": 5, "v": "high"}, {"id": 1, "lsn": 2, "v": "low"}]))
    assert q(pipeline, "SELECT v FROM {ds}.users") == [("low",)]


def test_hard_delete_removes_the_row_and_its_nested_rows():
    pipeline = merge_pipeline()

    @dlt.resource(primary_key="id", write_disposition="merge", columns={"deleted": {"hard_delete": True}})
    def users(rows):
        yield rows

    pipeline.run(users([{"id": 1, "deleted": False, "tags": ["a", "b"]}, {"id": 2, "deleted": False, "tags": ["c"]}]))
    pipeline.run(users([{"id": 1, "deleted": True}]))
    assert q(pipeline, "SELECT id FROM {ds}.users") == [(2,)]
    assert q(pipeline, "SELECT value FROM {ds}.users__tags") == [("c",)]


def test_hard_delete_on_a_text_column_deletes_when_it_has_a_value():
    pipeline = merge_pipeline()

    @dlt.resource(merge_key="sku", write_disposition="merge", columns={"gone": {"hard_delete": True}})
    def stock(rows):
        yield rows

    pipeline.run(stock([{"sku": "a", "n": 1, "gone": None}, {"sku": "b", "n": 2, "gone": None}]))
    pipeline.run(stock([{"sku": "a", "gone": "yes"}, {"sku": "b", "n": 3, "gone": None}]))
    assert q(pipeline, "SELECT sku, n FROM {ds}.stock") == [("b", 3)]


def test_merge_without_keys_appends():
    pipeline = merge_pipeline()
    pipeline.run([{"a": 1}], table_name="keyless", write_disposition="merge")
    pipeline.run([{"a": 1}], table_name="keyless", write_disposition="merge")
    assert q(pipeline, "SELECT count(*) FROM {ds}.keyless") == [(2,)]


def test_merge_rows_pass_through_the_staging_dataset_and_leave_it_empty():
    pipeline = merge_pipeline()
    pipeline.run([{"id": 1}], table_name="t", write_disposition="merge", primary_key="id")
    pipeline.run([{"id": 2}], table_name="t", write_disposition="merge", primary_key="id")
    with pipeline.sql_client() as client:
        staged = client.execute_sql(
            f"SELECT id FROM {client.make_qualified_table_name('t', 'merges_data_staging')}")
    assert staged == []
    assert q(pipeline, "SELECT id FROM {ds}.t ORDER BY id") == [(1,), (2,)]


@pytest.mark.parametrize("strategy", ["delete-insert", "upsert", "insert-only"])
def test_a_merge_of_rows_from_both_paths_keeps_every_row(strategy, monkeypatch):
    """A merge table whose rows come in job files of both formats (the row path's parquet for
    the first items of a page with new columns, the Arrow walk's IPC for the rest): the rows of
    every job reach the merge."""
    monkeypatch.setenv("EXTRACT__BUFFER_ITEMS", "1000")
    pipeline = merge_pipeline()
    disposition = {"disposition": "merge", "strategy": strategy}
    first = [{"id": i, "v": f"a{i}", "tags": [i, i + 1]} for i in range(1000)]
    pipeline.run(first, table_name="t", write_disposition=disposition, primary_key="id")
    # half the keys again and half new; item 200 brings a new column, so the walk takes the
    # items before it, the row path that item, and the walk the rest
    second = [{"id": i, "v": f"b{i}", "tags": [i]} for i in range(500, 1500)]
    second[200]["extra"] = True
    pipeline.run(second, table_name="t", write_disposition=disposition, primary_key="id")
    rows = q(pipeline, "SELECT id, v FROM {ds}.t ORDER BY id")
    if strategy == "insert-only":
        expected = [(i, f"a{i}") for i in range(1000)] + [(i, f"b{i}") for i in range(1000, 1500)]
    else:
        expected = [(i, f"a{i}") for i in range(500)] + [(i, f"b{i}") for i in range(500, 1500)]
    assert rows == expected
    # insert-only keeps the first version of key 700, which had no `extra`
    assert q(pipeline, "SELECT id FROM {ds}.t WHERE extra") == ([] if strategy == "insert-only" else [(700,)])
    tags = q(pipeline, "SELECT t.id, count(*) FROM {ds}.t AS t JOIN {ds}.t__tags AS g"
                       " ON g._dlt_parent_id = t._dlt_id GROUP BY t.id ORDER BY t.id")
    assert tags == [(i, 2 if v.startswith("a") else 1) for i, v in expected]


def test_upsert_keeps_dlt_id_and_replaces_nested_rows():
    pipeline = merge_pipeline()

    @dlt.resource(primary_key="id", write_disposition={"disposition": "merge", "strategy": "upsert"})
    def customers(rows):
        yield rows

    pipeline.run(customers([{"id": 1, "name": "a", "phones": ["1", "2"]}]))
    before = q(pipeline, "SELECT _dlt_id FROM {ds}.customers")
    pipeline.run(customers([{"id": 1, "name": "b", "phones": ["3"]}, {"id": 2, "name": "c"}]))
    assert q(pipeline, "SELECT _dlt_id FROM {ds}.customers WHERE id = 1") == before
    assert q(pipeline, "SELECT id, name FROM {ds}.customers ORDER BY id") == [(1, "b"), (2, "c")]
    assert q(pipeline, "SELECT value FROM {ds}.customers__phones") == [("3",)]
    assert pipeline.default_schema.tables["customers"]["x-merge-strategy"] == "upsert"


def test_insert_only_skips_existing_keys_and_their_nested_rows():
    pipeline = merge_pipeline()

    @dlt.resource(primary_key="id", write_disposition={"disposition": "merge", "strategy": "insert-only"})
    def events(rows):
        yield rows

    pipeline.run(events([{"id": 1, "p": "first", "tags": ["x"]}]))
    pipeline.run(events([{"id": 1, "p": "changed", "tags": ["y"]}, {"id": 2, "p": "new", "tags": ["z"]}]))
    assert q(pipeline, "SELECT id, p FROM {ds}.events ORDER BY id") == [(1, "first"), (2, "new")]
    assert q(pipeline, "SELECT value FROM {ds}.events__tags ORDER BY value") == [("x",), ("z",)]


def scd2(rows, boundary, **options):
    @dlt.resource(name="dim", write_disposition={"disposition": "merge", "strategy": "scd2",
                                                  "boundary_timestamp": boundary, **options})
    def resource():
        yield rows

    return resource()


def test_scd2_retires_changed_and_absent_rows_and_reinserts_a_returning_one():
    pipeline = merge_pipeline()
    pipeline.run(scd2([{"k": 1, "v": "a"}, {"k": 2, "v": "b"}], "2024-01-01"))
    pipeline.run(scd2([{"k": 1, "v": "a2"}], "2024-02-01"))
    pipeline.run(scd2([{"k": 1, "v": "a2"}, {"k": 2, "v": "b"}], "2024-03-01"))
    history = q(pipeline, "SELECT _dlt_valid_from, _dlt_valid_to, k, v FROM {ds}.dim ORDER BY _dlt_valid_from, k")
    assert history == [
        (utc(2024, 1, 1), utc(2024, 2, 1), 1, "a"),
        (utc(2024, 1, 1), utc(2024, 2, 1), 2, "b"),
        (utc(2024, 2, 1), None, 1, "a2"),
        (utc(2024, 3, 1), None, 2, "b"),
    ]
    # the returning row has the same row hash as its retired version
    assert q(pipeline, "SELECT count(DISTINCT _dlt_id), count(*) FROM {ds}.dim") == [(3, 4)]


def test_scd2_a_change_only_in_nested_data_makes_a_new_version():
    pipeline = merge_pipeline()
    pipeline.run(scd2([{"k": 1, "items": [1, 2]}, {"k": 2, "items": [5]}], "2024-01-01"))
    pipeline.run(scd2([{"k": 1, "items": [1, 3]}, {"k": 2, "items": [5]}], "2024-02-01"))
    assert q(pipeline, "SELECT k, _dlt_valid_to FROM {ds}.dim ORDER BY k, _dlt_valid_from") == [
        (1, utc(2024, 2, 1)), (1, None), (2, None)]
    assert q(pipeline, "SELECT value FROM {ds}.dim__items ORDER BY value") == [(1,), (1,), (2,), (3,), (5,)]


def test_scd2_nested_rows_are_inserted_once_per_version():
    pipeline = merge_pipeline()
    pipeline.run(scd2([{"k": 1, "tags": ["x", "y"]}], "2024-01-01"))
    pipeline.run(scd2([{"k": 1, "tags": ["x", "y"]}], "2024-02-01"))
    assert q(pipeline, "SELECT count(*) FROM {ds}.dim") == [(1,)]
    assert q(pipeline, "SELECT count(*) FROM {ds}.dim__tags") == [(2,)]
    assert "_dlt_root_id" not in pipeline.default_schema.tables["dim__tags"]["columns"]


def test_scd2_row_version_column_replaces_the_row_hash():
    pipeline = merge_pipeline()
    pipeline.run(scd2([{"k": 1, "v": "a", "ver": 1}], "2024-01-01", row_version_column_name="ver"))
    # v changes but the row version does not: nothing is retired
    pipeline.run(scd2([{"k": 1, "v": "b", "ver": 1}], "2024-02-01", row_version_column_name="ver"))
    assert q(pipeline, "SELECT v, _dlt_valid_to FROM {ds}.dim") == [("a", None)]
    pipeline.run(scd2([{"k": 1, "v": "c", "ver": 2}], "2024-03-01", row_version_column_name="ver"))
    assert q(pipeline, "SELECT v, _dlt_valid_to FROM {ds}.dim ORDER BY ver") == [("a", utc(2024, 3, 1)), ("c", None)]


def test_scd2_without_boundary_uses_the_load_time():
    pipeline = merge_pipeline()
    started = datetime.now(timezone.utc)
    pipeline.run(scd2([{"k": 1}], None))
    (valid_from,), = q(pipeline, "SELECT _dlt_valid_from FROM {ds}.dim")
    assert abs((valid_from - started).total_seconds()) < 60


def test_unknown_merge_strategy_names_the_resource_and_table():
    pipeline = merge_pipeline()

    @dlt.resource(write_disposition={"disposition": "merge", "strategy": "sideways"})
    def things():
        yield {"a": 1}

    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(things())
    assert "merge strategy 'sideways'" in str(failure.value) and "'things'" in str(failure.value)


def test_dedup_sort_on_a_missing_column_fails_before_any_row_loads():
    pipeline = merge_pipeline()

    @dlt.resource(primary_key="id", write_disposition="merge", columns={"nope": {"dedup_sort": "desc"}})
    def users():
        yield {"id": 1}

    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(users())
    assert failure.value.step == "normalize"
    assert "Column 'nope' of table 'users'" in str(failure.value)
    assert pipeline.list_normalized_load_packages() == []


def test_upsert_without_primary_key_is_refused():
    pipeline = merge_pipeline()

    @dlt.resource(write_disposition={"disposition": "merge", "strategy": "upsert"})
    def users():
        yield {"id": 1}

    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(users())
    assert "needs a primary key" in str(failure.value) and "'users'" in str(failure.value)


def test_scd2_from_an_arrow_table_without_row_version_is_refused():
    import pyarrow as pa

    pipeline = merge_pipeline()

    @dlt.resource(write_disposition={"disposition": "merge", "strategy": "scd2"})
    def dim():
        yield pa.table({"k": [1, 2]})

    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(dim())
    assert "row_version_column_name" in str(failure.value) and "'dim'" in str(failure.value)


def test_a_strategy_the_destination_lacks_fails_before_extract():
    from dlt.destinations.impl.duckdb.factory import duckdb

    class DuckDBWithoutScd2(duckdb):
        """A DuckDB destination whose capabilities list only delete-insert."""

        def capabilities(self):
            caps = super().capabilities()
            caps.supported_merge_strategies = ("delete-insert",)
            return caps

    pipeline = dlt.pipeline(pipeline_name="merges", destination=DuckDBWithoutScd2(), dataset_name="merges_data")
    pulled = []

    @dlt.resource(write_disposition={"disposition": "merge", "strategy": "scd2"})
    def dim():
        pulled.append(1)
        yield {"k": 1}

    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(dim())
    assert failure.value.step == "extract" and pulled == []
    assert "'dim' uses merge strategy 'scd2'" in str(failure.value)
