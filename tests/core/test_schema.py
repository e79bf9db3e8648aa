"""Schema depth: contracts, evolution, versions, import/export, naming limits."""

from __future__ import annotations

import pytest
import yaml

import dlt
from dlt.destinations.impl.duckdb.factory import duckdb as duckdb_factory
from dlt.pipeline.exceptions import PipelineStepFailed
from dlt.schema import Schema
from dlt.schema.naming import SnakeCaseNamingConvention
from core_helpers import rows_of


def test_snake_case_naming():
    naming = SnakeCaseNamingConvention()
    assert naming.normalize_identifier("CustomerID") == "customer_id"
    assert naming.normalize_identifier("first name") == "first_name"
    assert naming.normalize_identifier("a-b") == "a_b"
    assert naming.normalize_identifier("1st") == "_1st"
    assert naming.normalize_identifier("Ünïcödé") == "_n_c_dx"


def test_long_identifiers_get_a_stable_hash_suffix():
    naming = SnakeCaseNamingConvention(max_length=20)
    long_name = "a_really_long_column_name_that_goes_on"
    short = naming.normalize_identifier(long_name)
    assert len(short) <= 20 and short == naming.normalize_identifier(long_name)
    assert short != naming.normalize_identifier(long_name + "_2")


class short_names_duckdb(duckdb_factory):  # noqa: N801
    """DuckDB with a 24-byte identifier limit, to exercise the limit on a real destination."""

    def capabilities(self):
        caps = super().capabilities()
        caps.max_column_identifier_length = 24
        caps.max_identifier_length = 24
        return caps


def test_destination_identifier_limit_applies_to_columns(tmp_path):
    pipeline = dlt.pipeline(pipeline_name="short", destination=short_names_duckdb(str(tmp_path / "s.duckdb")))
    pipeline.run([{"x" * 40: 1, "x" * 39 + "y": 2}], table_name="t")
    columns = [c for c in pipeline.default_schema.tables["t"]["columns"] if not c.startswith("_dlt")]
    assert len(columns) == 2 and all(len(c) <= 24 for c in columns)
    assert sorted(v for k, v in rows_of(pipeline, "t")[0].items() if not k.startswith("_dlt")) == [1, 2]


def test_new_column_migrates_destination_table_and_bumps_version():
    pipeline = dlt.pipeline(pipeline_name="evolve", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="t")
    version = pipeline.default_schema.version
    hash_before = pipeline.default_schema.version_hash
    pipeline.run([{"id": 2, "extra": "x"}], table_name="t")
    schema = pipeline.default_schema
    assert schema.version > version and hash_before in schema.previous_hashes
    versions = rows_of(pipeline, "_dlt_version")
    assert {r["version_hash"] for r in versions} >= {hash_before, schema.version_hash}
    loads = rows_of(pipeline, "_dlt_loads")
    assert {r["schema_version_hash"] for r in loads} >= {schema.version_hash}


@pytest.mark.parametrize("where", ["run", "resource", "source"])
def test_frozen_columns_contract_fails_with_table_column_and_value(where):
    pipeline = dlt.pipeline(pipeline_name=f"frozen_{where}", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="t")

    data = [{"id": 2, "surprise": "boo"}]
    if where == "run":
        call = lambda: pipeline.run(data, table_name="t", schema_contract={"columns": "freeze"})  # noqa: E731
    elif where == "resource":
        call = lambda: pipeline.run(dlt.resource(data, name="t", schema_contract={"columns": "freeze"}))  # noqa: E731
    else:
        @dlt.source(schema_contract={"columns": "freeze"}, name=pipeline.default_schema_name)
        def src():
            return dlt.resource(data, name="t")
        call = lambda: pipeline.run(src())  # noqa: E731
    with pytest.raises(PipelineStepFailed) as failure:
        call()
    message = str(failure.value)
    assert "'t'" in message and "surprise" in message and "boo" in message and "freeze" in message


def test_discard_value_and_discard_row_contracts():
    pipeline = dlt.pipeline(pipeline_name="discard", destination="duckdb")
    pipeline.run([{"id": 1, "v": 1}], table_name="t")
    pipeline.abort_packages()
    pipeline.run([{"id": 2, "new": "x"}], table_name="t", schema_contract={"columns": "discard_value"})
    assert "new" not in pipeline.default_schema.tables["t"]["columns"]
    pipeline.run([{"id": 3, "new": "y"}, {"id": 4}], table_name="t", schema_contract={"columns": "discard_row"})
    assert sorted(r["id"] for r in rows_of(pipeline, "t")) == [1, 2, 4]
    pipeline.run([{"id": 5, "v": "text"}], table_name="t", schema_contract={"data_type": "discard_row"})
    assert 5 not in [r["id"] for r in rows_of(pipeline, "t")]


def test_frozen_tables_contract_rejects_new_tables_only():
    pipeline = dlt.pipeline(pipeline_name="frozen_tables", destination="duckdb")
    pipeline.run([{"id": 1}], table_name="known")
    pipeline.run([{"id": 2, "extra": 1}], table_name="known", schema_contract={"tables": "freeze"})
    with pytest.raises(PipelineStepFailed, match="Table 'unknown' is not in schema"):
        pipeline.run([{"id": 1}], table_name="unknown", schema_contract={"tables": "freeze"})


def test_export_and_import_schema_paths_apply_user_edits(tmp_path):
    export_dir, import_dir = tmp_path / "export", tmp_path / "import"
    pipeline = dlt.pipeline(pipeline_name="edits", destination="duckdb", export_schema_path=str(export_dir))
    pipeline.run([{"id": 1, "amount": 10}], table_name="t")
    exported = yaml.safe_load((export_dir / "edits.schema.yaml").read_text())
    assert exported["tables"]["t"]["columns"]["amount"]["data_type"] == "bigint"
    # a user takes the export, edits it (amount becomes double, a new hinted column) and
    # places it in the import folder of a new pipeline
    exported["name"] = "edits2"
    exported["tables"]["t"]["columns"]["amount"] = {"data_type": "double", "nullable": True}
    exported["tables"]["t"]["columns"]["note"] = {"data_type": "text", "nullable": True}
    import_dir.mkdir()
    (import_dir / "edits2.schema.yaml").write_text(yaml.safe_dump(exported))
    pipeline2 = dlt.pipeline(pipeline_name="edits2", destination="duckdb", import_schema_path=str(import_dir))
    pipeline2.run([{"id": 2, "amount": 2.5}], table_name="t")
    columns = pipeline2.default_schema.tables["t"]["columns"]
    assert columns["amount"]["data_type"] == "double" and "note" in columns
    row = rows_of(pipeline2, "t")[0]
    assert row["amount"] == 2.5 and "note" in row


def test_schema_round_trips_through_yaml_and_json():
    pipeline = dlt.pipeline(pipeline_name="roundtrip", destination="duckdb")
    pipeline.run([{"id": 1, "nested": [{"a": 1}]}], table_name="t", primary_key="id")
    schema = pipeline.default_schema
    for text in (schema.to_yaml(), schema.to_json()):
        again = Schema.from_text(text)
        assert again.tables == schema.tables and again.version_hash == schema.version_hash
    assert schema.tables["t"]["columns"]["id"]["primary_key"] is True
    assert schema.tables["t__nested"]["parent"] == "t"


def test_bad_schema_file_is_reported_with_its_name(tmp_path):
    from dlt.schema import SchemaError

    with pytest.raises(SchemaError, match="my.schema.yaml"):
        Schema.from_text("name: x\ntables:\n  t:\n    columns:\n      c: {data_type: varchar}\n", "my.schema.yaml")


def test_max_table_nesting_stores_deeper_data_as_json():
    pipeline = dlt.pipeline(pipeline_name="nesting", destination="duckdb")
    resource = dlt.resource([{"id": 1, "a": {"b": {"c": 1}}, "l": [{"x": [1, 2]}]}], name="t", max_table_nesting=1)
    pipeline.run(resource)
    tables = {t["name"] for t in pipeline.default_schema.data_tables()}
    assert tables == {"t", "t__l"}
    child = rows_of(pipeline, "t__l")[0]
    assert child["x"] in ("[1,2]", "[1, 2]")


def test_naming_convention_from_a_plugin(dlt_plugin_manager):
    from dlt.schema.naming import SnakeCaseNamingConvention

    class PrefixedNaming(SnakeCaseNamingConvention):
        """snake_case with a `c_` prefix on every identifier."""

        name = "prefixed"

        def normalize_identifier(self, identifier):
            base = super().normalize_identifier(identifier)
            return base if base.startswith("c_") else "c_" + base

    class NamingPlugin:
        @dlt.hookimpl
        def register_naming_conventions(self, register):
            register("prefixed", PrefixedNaming)

    record = dlt_plugin_manager.register_plugin(NamingPlugin(), "naming_plugin")
    assert record.provides == {"naming_convention": ["prefixed"]}
    schema = Schema("named")
    schema.settings["naming"] = "prefixed"
    pipeline = dlt.pipeline(pipeline_name="named", destination="duckdb")
    pipeline.run([{"Value": 1}], table_name="Things", schema=schema)
    assert "c_things" in pipeline.default_schema.tables
    assert rows_of(pipeline, "c_things")[0]["c_value"] == 1
