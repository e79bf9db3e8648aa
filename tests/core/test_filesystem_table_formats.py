"""Delta and Iceberg tables written by the filesystem destination: real tables on disk, read
back with `deltalake` and `pyiceberg` themselves and through `pipeline.dataset()`; append,
replace, merge (upsert, insert-only), nested tables, new columns, and the errors for what the
formats do not do."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

import dlt

TABLE_FORMATS = ["delta", "iceberg"]


def _needs(table_format: str) -> None:
    pytest.importorskip("deltalake" if table_format == "delta" else "pyiceberg",
                        reason=f"the [{'deltalake' if table_format == 'delta' else 'pyiceberg'}] extra"
                               " of dlt-core is not installed")


def read_with_library(table_format: str, folder: Path) -> pa.Table:
    """The table at `folder` as its own library reads it (not through dlt)."""
    if table_format == "delta":
        from deltalake import DeltaTable

        return DeltaTable(str(folder)).to_pyarrow_table()
    from pyiceberg.table import StaticTable

    metadata = sorted((folder / "metadata").glob("*.metadata.json"))[-1]
    return StaticTable.from_metadata(f"file://{metadata}").scan().to_arrow()


def rows_by_id(table: pa.Table) -> dict[int, dict]:
    return {row["id"]: row for row in table.to_pylist()}


def _pipeline(tmp_path: Path, name: str):
    return dlt.pipeline(pipeline_name=name, destination=dlt.destinations.filesystem(str(tmp_path / "bucket")),
                        dataset_name="lake", pipelines_dir=str(tmp_path / "work"))


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_append_writes_a_real_table_that_its_library_reads(tmp_path, table_format):
    _needs(table_format)

    @dlt.resource(table_format=table_format)
    def people():
        yield [{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}]

    pipeline = _pipeline(tmp_path, f"append_{table_format}")
    pipeline.run(people())
    pipeline.run(people())
    folder = tmp_path / "bucket" / "lake" / "people"
    assert (folder / ("_delta_log" if table_format == "delta" else "metadata")).is_dir()
    stored = read_with_library(table_format, folder)
    assert stored.num_rows == 4
    assert sorted(stored.column("name").to_pylist()) == ["ann", "ann", "bob", "bob"]
    assert "_dlt_load_id" in stored.column_names
    assert len(pipeline.dataset().people.df()) == 4


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_run_table_format_argument_makes_the_table(tmp_path, table_format):
    _needs(table_format)
    pipeline = _pipeline(tmp_path, f"run_arg_{table_format}")
    pipeline.run([{"id": 1, "value": 10}], table_name="measures", table_format=table_format)
    stored = read_with_library(table_format, tmp_path / "bucket" / "lake" / "measures")
    assert stored.column("value").to_pylist() == [10]
    assert pipeline.default_schema.tables["measures"]["table_format"] == table_format


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_replace_overwrites_the_rows(tmp_path, table_format):
    _needs(table_format)
    pipeline = _pipeline(tmp_path, f"replace_{table_format}")
    for batch in ([{"id": 1}, {"id": 2}], [{"id": 3}]):
        pipeline.run(batch, table_name="snapshot", write_disposition="replace", table_format=table_format)
    stored = read_with_library(table_format, tmp_path / "bucket" / "lake" / "snapshot")
    assert stored.column("id").to_pylist() == [3]
    assert pipeline.dataset().snapshot.df()["id"].tolist() == [3]


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_merge_upserts_by_primary_key_with_nested_rows_and_new_columns(tmp_path, table_format):
    _needs(table_format)

    @dlt.resource(primary_key="id", write_disposition="merge", table_format=table_format)
    def customers(rows):
        yield rows

    pipeline = _pipeline(tmp_path, f"merge_{table_format}")
    pipeline.run(customers([{"id": 1, "name": "ann", "tags": ["a", "b"]},
                            {"id": 2, "name": "bob", "tags": ["c"]}]))
    pipeline.run(customers([{"id": 2, "name": "bobby", "score": 7.5, "tags": ["d"]},
                            {"id": 3, "name": "cid", "tags": []}]))
    lake = tmp_path / "bucket" / "lake"
    stored = rows_by_id(read_with_library(table_format, lake / "customers"))
    assert sorted(stored) == [1, 2, 3]
    assert stored[2]["name"] == "bobby" and stored[2]["score"] == 7.5
    assert stored[1]["name"] == "ann" and stored[1]["score"] is None
    tags = read_with_library(table_format, lake / "customers__tags")
    by_root = {}
    for row in tags.to_pylist():
        by_root.setdefault(row["_dlt_root_id"], []).append(row["value"])
    assert sorted(by_root[stored[1]["_dlt_id"]]) == ["a", "b"]
    assert by_root[stored[2]["_dlt_id"]] == ["d"]  # the nested row of the key was updated
    frame = pipeline.dataset().customers.df().sort_values("id")
    assert frame["name"].tolist() == ["ann", "bobby", "cid"]


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_insert_only_keeps_stored_rows_and_adds_new_keys(tmp_path, table_format):
    _needs(table_format)

    @dlt.resource(primary_key="id", table_format=table_format,
                  write_disposition={"disposition": "merge", "strategy": "insert-only"})
    def ledger(rows):
        yield rows

    pipeline = _pipeline(tmp_path, f"insert_only_{table_format}")
    pipeline.run(ledger([{"id": 1, "amount": 10}]))
    pipeline.run(ledger([{"id": 1, "amount": 99}, {"id": 2, "amount": 20}]))
    stored = rows_by_id(read_with_library(table_format, tmp_path / "bucket" / "lake" / "ledger"))
    assert {k: v["amount"] for k, v in stored.items()} == {1: 10, 2: 20}


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_delete_insert_merge_is_refused_as_in_dlt_1_31(tmp_path, table_format):
    _needs(table_format)

    @dlt.resource(primary_key="id", table_format=table_format,
                  write_disposition={"disposition": "merge", "strategy": "delete-insert"})
    def items():
        yield {"id": 1}

    pipeline = _pipeline(tmp_path, f"delete_insert_{table_format}")
    with pytest.raises(Exception, match=f"'delete-insert' merge strategy of table 'items' is not"
                                        f" supported on {table_format} tables"):
        pipeline.run(items())


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_merge_without_a_primary_key_names_the_fix(tmp_path, table_format):
    _needs(table_format)
    pipeline = _pipeline(tmp_path, f"merge_no_key_{table_format}")
    # the default strategy of table formats is upsert, which needs the key before anything loads
    with pytest.raises(Exception, match="merge strategy 'upsert', which needs a primary key"):
        pipeline.run([{"id": 1}], table_name="nokey", write_disposition="merge", table_format=table_format)
    assert not (tmp_path / "bucket" / "lake" / "nokey").exists()


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_state_and_tables_come_back_in_a_fresh_working_dir(tmp_path, table_format):
    _needs(table_format)

    @dlt.resource(primary_key="id", write_disposition="merge", table_format=table_format)
    def counters(cursor=dlt.sources.incremental("id")):
        yield [{"id": i} for i in range(cursor.last_value or 0, (cursor.last_value or 0) + 3)]

    bucket = str(tmp_path / "bucket")
    first = dlt.pipeline(pipeline_name=f"restore_{table_format}", dataset_name="lake",
                         destination=dlt.destinations.filesystem(bucket), pipelines_dir=str(tmp_path / "a"))
    first.run(counters())
    second = dlt.pipeline(pipeline_name=f"restore_{table_format}", dataset_name="lake",
                          destination=dlt.destinations.filesystem(bucket), pipelines_dir=str(tmp_path / "b"))
    second.run(counters())
    stored = read_with_library(table_format, tmp_path / "bucket" / "lake" / "counters")
    assert sorted(stored.column("id").to_pylist()) == [0, 1, 2, 3, 4]


def test_delta_tables_are_refused_on_a_memory_bucket(tmp_path):
    _needs("delta")
    pipeline = dlt.pipeline(pipeline_name="delta_memory", dataset_name="lake",
                            destination=dlt.destinations.filesystem("memory://delta-refused"),
                            pipelines_dir=str(tmp_path / "work"))
    with pytest.raises(Exception, match="cannot be written to a memory:// bucket"):
        pipeline.run([{"id": 1}], table_name="t", table_format="delta")


def test_plain_files_and_table_formats_share_one_dataset(tmp_path):
    _needs("delta")
    pipeline = _pipeline(tmp_path, "mixed")
    pipeline.run([{"id": 1}], table_name="plain")
    pipeline.run([{"id": 2}], table_name="deltas", table_format="delta")
    lake = tmp_path / "bucket" / "lake"
    assert list((lake / "plain").glob("*.jsonl.gz"))
    assert (lake / "deltas" / "_delta_log").is_dir()
    assert pipeline.dataset().plain.df()["id"].tolist() == [1]
    assert pipeline.dataset().deltas.df()["id"].tolist() == [2]
    loads = [json.loads(p.read_text()) for p in (lake / "_dlt_loads").glob("*.jsonl")]
    assert len(loads) == 2


@pytest.mark.parametrize("table_format, module, extra", [("delta", "deltalake", "deltalake"),
                                                         ("iceberg", "pyiceberg", "pyiceberg")])
def test_a_missing_table_format_package_names_the_extra(tmp_path, monkeypatch, table_format, module, extra):
    # an entry of None in sys.modules makes `import <module>` fail as if it were not installed
    monkeypatch.setitem(__import__("sys").modules, module, None)
    monkeypatch.setitem(__import__("sys").modules, f"{module}.catalog.sql" if module == "pyiceberg" else module, None)
    pipeline = _pipeline(tmp_path, f"missing_{table_format}")
    with pytest.raises(Exception, match=rf"needs the `{module}` package.*pip install \"dlt-core\[{extra}\]\""):
        pipeline.run([{"id": 1}], table_name="t", table_format=table_format)
    assert not (tmp_path / "bucket" / "lake" / "t").exists()


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_replace_empties_nested_tables_that_get_no_rows(tmp_path, table_format):
    _needs(table_format)
    pipeline = _pipeline(tmp_path, f"replace_nested_{table_format}")
    pipeline.run([{"id": 1, "kids": [{"k": 1}, {"k": 2}]}], table_name="family",
                 write_disposition="replace", table_format=table_format)
    pipeline.run([{"id": 2}], table_name="family", write_disposition="replace", table_format=table_format)
    lake = tmp_path / "bucket" / "lake"
    assert read_with_library(table_format, lake / "family").column("id").to_pylist() == [2]
    assert read_with_library(table_format, lake / "family__kids").num_rows == 0


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_typed_values_round_trip_through_the_table_format(tmp_path, table_format):
    _needs(table_format)
    import datetime
    import decimal

    row = {"id": 1, "at": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
           "day": datetime.date(2024, 1, 2), "amount": decimal.Decimal("1.25"), "raw": b"xy",
           "doc": {"a": [1, 2]}, "ratio": 0.5, "flag": True}
    pipeline = _pipeline(tmp_path, f"types_{table_format}")
    pipeline.run([row], table_name="typed", table_format=table_format, columns={"doc": {"data_type": "json"}})
    stored = read_with_library(table_format, tmp_path / "bucket" / "lake" / "typed").to_pylist()[0]
    assert stored["at"] == row["at"] and stored["day"] == row["day"]
    assert stored["amount"] == row["amount"] and stored["raw"] == b"xy"
    assert stored["ratio"] == 0.5 and stored["flag"] is True
    assert json.loads(stored["doc"]) == {"a": [1, 2]}


def test_partition_hints_partition_delta_tables(tmp_path):
    _needs("delta")
    from deltalake import DeltaTable

    @dlt.resource(table_format="delta", columns={"region": {"partition": True}})
    def sales():
        yield [{"id": 1, "region": "eu"}, {"id": 2, "region": "us"}]

    pipeline = _pipeline(tmp_path, "partitioned")
    pipeline.run(sales())
    folder = tmp_path / "bucket" / "lake" / "sales"
    assert DeltaTable(str(folder)).metadata().partition_columns == ["region"]
    assert (folder / "region=eu").is_dir() and (folder / "region=us").is_dir()
    assert sorted(pipeline.dataset().sales.df()["region"].tolist()) == ["eu", "us"]


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_a_retried_package_does_not_write_a_table_twice(tmp_path, table_format):
    _needs(table_format)

    @dlt.source
    def two_tables():
        @dlt.resource(table_format=table_format)
        def alpha():
            yield [{"id": 1}, {"id": 2}]

        @dlt.resource(table_format=table_format)
        def beta():
            yield [{"id": 10}]

        return alpha, beta

    pipeline = _pipeline(tmp_path, f"retry_{table_format}")
    lake = tmp_path / "bucket" / "lake"
    lake.mkdir(parents=True)
    (lake / "beta").write_text("a file where the beta table would go: its write fails")
    with pytest.raises(Exception):
        pipeline.run(two_tables())
    assert read_with_library(table_format, lake / "alpha").num_rows == 2  # written before beta failed
    (lake / "beta").unlink()
    pipeline.run()  # finishes the pending package
    assert read_with_library(table_format, lake / "alpha").num_rows == 2  # not appended again
    assert read_with_library(table_format, lake / "beta").column("id").to_pylist() == [10]
    assert len(list((lake / "_dlt_loads").glob("*.jsonl"))) == 1


@pytest.mark.parametrize("table_format", TABLE_FORMATS)
def test_refresh_drop_resources_starts_the_table_over(tmp_path, table_format):
    _needs(table_format)

    @dlt.resource(table_format=table_format)
    def readings(rows):
        yield rows

    pipeline = _pipeline(tmp_path, f"refresh_{table_format}")
    pipeline.run(readings([{"id": 1, "old": "x"}]))
    pipeline.run(readings([{"id": 2}]), refresh="drop_resources")
    stored = read_with_library(table_format, tmp_path / "bucket" / "lake" / "readings")
    assert stored.column("id").to_pylist() == [2]
    assert "old" not in stored.column_names  # dropped with the table, not carried over
