"""The dataset name a destination stores, and what a schema restored from it keeps: as in
dlt 1.31, checked side by side."""

from __future__ import annotations

import shutil

import dlt


def make_pipeline(tmp_path, dataset_name):
    return dlt.pipeline(pipeline_name="names", pipelines_dir=str(tmp_path / "p"),
                        destination=dlt.destinations.duckdb(str(tmp_path / "db.duckdb")),
                        dataset_name=dataset_name)


def schemas_in(pipeline):
    with pipeline.sql_client() as client:
        return client.execute_sql(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN"
            " ('main', 'information_schema', 'pg_catalog') ORDER BY 1")


def test_a_dataset_name_is_normalized_by_the_naming_convention(tmp_path):
    pipeline = make_pipeline(tmp_path, "myDataSet")
    info = pipeline.run([{"id": 1}], table_name="items")
    assert pipeline.dataset_name == "myDataSet"
    assert info.dataset_name == "my_data_set" and "into dataset my_data_set" in str(info)
    assert schemas_in(pipeline) == [("my_data_set",)]
    with pipeline.sql_client() as client:
        assert client.dataset_name == "my_data_set"
    assert pipeline.dataset().items.fetchall()[0][0] == 1
    standalone = dlt.dataset(dlt.destinations.duckdb(str(tmp_path / "db.duckdb")), "myDataSet")
    assert standalone.items.df()["id"].tolist() == [1]


def test_dataset_name_normalization_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("DESTINATION__ENABLE_DATASET_NAME_NORMALIZATION", "false")
    pipeline = make_pipeline(tmp_path, "myDataSet")
    pipeline.run([{"id": 1}], table_name="items")
    assert schemas_in(pipeline) == [("myDataSet",)]


def test_a_schema_restored_from_the_destination_keeps_its_column_order(tmp_path):
    pipeline = make_pipeline(tmp_path, "data")
    pipeline.run([{"zeta": 1, "alpha": 2, "mid": {"b": 1, "a": 2}}], table_name="items")
    order = ["zeta", "alpha", "mid__b", "mid__a", "_dlt_load_id", "_dlt_id"]
    assert list(pipeline.dataset().items.df().columns) == order
    shutil.rmtree(pipeline.working_dir)
    restored = make_pipeline(tmp_path, "data")
    assert restored.sync_destination()
    assert list(restored.default_schema.get_table_columns("items")) == order
    standalone = dlt.dataset(dlt.destinations.duckdb(str(tmp_path / "db.duckdb")), "data")
    assert list(standalone.items.df().columns) == order


def test_unknown_columns_in_select_raise_lineage_failed_before_the_query(tmp_path):
    import pytest
    from dlt.dataset.exceptions import LineageFailedException

    pipeline = make_pipeline(tmp_path, "data")
    pipeline.run([{"id": 1}], table_name="items")
    with pytest.raises(LineageFailedException, match="nope"):
        pipeline.dataset().items.select("nope")
    assert pipeline.dataset().items.select("id").fetchall() == [(1,)]


def test_sql_client_name_paths_and_undefined_entity_as_in_1_31(tmp_path):
    import pytest
    from dlt.common.destination.exceptions import DestinationUndefinedEntity

    pipeline = make_pipeline(tmp_path, "data")
    pipeline.run([{"id": 1}], table_name="items")
    with pipeline.sql_client() as client:
        assert client.make_qualified_table_name_path("items")[-2:] == ['"data"', '"items"']
        assert client.make_qualified_table_name_path(None, quote=False)[-1] == "data"
        assert client.escape_column_name("a b") == '"a b"'
        with pytest.raises(DestinationUndefinedEntity):
            client.execute_sql("SELECT * FROM data.missing_table")
