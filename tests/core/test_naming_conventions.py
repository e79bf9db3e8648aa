"""Naming conventions produce the identifiers dlt 1.31 produces, and are chosen by config."""

from __future__ import annotations

import pytest

import dlt
from dlt.schema.naming import UnknownNamingConvention, get_naming_convention
from core_helpers import rows_of

# identifier -> expected result, per convention, as dlt 1.31.0 normalizes them
EXPECTED = {
    "snake_case": {"CustomerOrders": "customer_orders", "price+tax": "pricextax", "2fa": "_2fa",
                   "e-mail": "e_mail", "trailing_": "trailingx", "a__b": "a_b", "ümlaut": "_mlaut",
                   "getHTTPResponseCode": "get_http_response_code", "a@b": "aab", "__": "xx"},
    "sql_ci_v1": {"UserName": "username", "price+tax": "price_tax", "trailing_": "trailing",
                  "2fa": "_2fa", "Inner Key": "inner_key"},
    "sql_cs_v1": {"UserName": "UserName", "Inner Key": "Inner_Key", "a*b": "a_b", "x_": "x"},
    "duck_case": {"e-mail": "e-mail", "Inner Key": "Inner Key", "a___b": "a_b", 'q"t': "q_t"},
    "direct": {"e-mail": "e-mail", "a▶b": "a_b", "it's": "it_s", "Inner Key": "Inner Key"},
}


@pytest.mark.parametrize("convention", sorted(EXPECTED))
def test_identifiers_match_dlt_1_31(convention):
    naming = get_naming_convention(convention)
    assert {k: naming.normalize_identifier(k) for k in EXPECTED[convention]} == EXPECTED[convention]


def test_keys_are_normalized_as_paths_and_direct_joins_with_a_triangle():
    assert get_naming_convention().normalize_path("Deeper__X") == "deeper__x"
    assert get_naming_convention("direct").make_path("CustomerOrders", "Items") == "CustomerOrders▶Items"


def test_shortened_identifiers_carry_dlt_s_tag_in_the_middle():
    # the values dlt 1.31.0 gives for a 63 character limit
    assert get_naming_convention("snake_case", 63).normalize_identifier("B" * 130 + "tail") == (
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbj1wabwbbbbbbbbbbbbbbbbbbbbbb_btail")
    assert get_naming_convention("direct", 63).normalize_identifier("a" * 80) == (
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaak4ukyaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")


def test_unknown_convention_is_an_error_listing_the_known_ones():
    with pytest.raises(UnknownNamingConvention, match="snake_case.*sql_ci_v1"):
        get_naming_convention("sql_cis_v1")


def test_schema_naming_from_the_environment_shapes_tables_and_columns(monkeypatch):
    monkeypatch.setenv("SCHEMA__NAMING", "sql_cs_v1")
    pipeline = dlt.pipeline(pipeline_name="naming_env", destination="duckdb")
    pipeline.run([{"UserName": "ann", "Nested": {"Inner Key": 2}, "Items": [{"Sku": "a1"}]}],
                 table_name="CustomerOrders")
    schema = pipeline.default_schema
    assert sorted(schema.data_table_names()) == ["CustomerOrders", "CustomerOrders__Items"]
    assert [c for c in schema.get_table_columns("CustomerOrders") if not c.startswith("_dlt")] == [
        "UserName", "Nested__Inner_Key"]
    (row,) = rows_of(pipeline, "CustomerOrders")
    assert row["UserName"] == "ann" and row["Nested__Inner_Key"] == 2


def test_direct_naming_keeps_names_and_dlt_columns(monkeypatch):
    monkeypatch.setenv("SCHEMA__NAMING", "direct")
    pipeline = dlt.pipeline(pipeline_name="naming_direct", destination="duckdb")
    pipeline.run([{"e-mail": "x", "Nested": {"Inner Key": 1}, "Items": [{"Sku": "a"}]}], table_name="Orders")
    schema = pipeline.default_schema
    assert sorted(schema.data_table_names()) == ["Orders", "Orders▶Items"]
    columns = list(schema.get_table_columns("Orders"))
    assert {"e-mail", "Nested▶Inner Key", "_dlt_id", "_dlt_load_id"} <= set(columns)
    assert rows_of(pipeline, "Orders▶Items")[0]["Sku"] == "a"


def test_schema_naming_from_config_toml(tmp_path, monkeypatch):
    (tmp_path / ".dlt").mkdir()
    (tmp_path / ".dlt" / "config.toml").write_text('[schema]\nnaming="sql_ci_v1"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCHEMA__NAMING", raising=False)
    pipeline = dlt.pipeline(pipeline_name="naming_toml", destination="duckdb")
    pipeline.run([{"UserName": "ann"}], table_name="CustomerOrders")
    assert list(pipeline.default_schema.get_table_columns("customerorders"))[0] == "username"
