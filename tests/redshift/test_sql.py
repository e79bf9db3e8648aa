"""The SQL the plugin writes, checked without a server: DDL, merge, INSERT batches, COPY."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from dlt.destinations.base import ClientContext, LoadJobTerminalError
from dlt.schema import Schema
from dlt_destination_redshift.client import RedshiftJobClient
from dlt_destination_redshift.dialect import REDSHIFT
from dlt_destination_redshift.factory import redshift
from dlt_destination_redshift.staging import copy_from_s3_sql

ALL_TYPES = ["text", "bigint", "double", "bool", "timestamp", "date", "time", "decimal", "json", "binary"]


def make_client(schema: Schema, **config: Any) -> RedshiftJobClient:
    destination = redshift()
    config = {"credentials": "redshift://loader:pw@cluster.example.com:5439/dev", **config}
    return RedshiftJobClient(ClientContext(schema, "ds", "p"), destination.capabilities(), config, REDSHIFT)


def typed_schema(**tables: dict[str, Any]) -> Schema:
    schema = Schema("test")
    for name, table in tables.items():
        schema.update_table({"name": name, **table})
    return schema


def columns(*specs: tuple[str, str], **hints: dict[str, Any]) -> dict[str, Any]:
    return {n: {"name": n, "data_type": t, **hints.get(n, {})} for n, t in specs}


def test_create_table_uses_redshift_types() -> None:
    schema = typed_schema(t={"columns": columns(*[(f"c_{t}", t) for t in ALL_TYPES])})
    (ddl,) = make_client(schema).migration_statements(schema.tables["t"], None)
    for expected in ('"c_text" VARCHAR(65535)', '"c_bigint" BIGINT', '"c_double" DOUBLE PRECISION',
                     '"c_bool" BOOLEAN', '"c_timestamp" TIMESTAMPTZ', '"c_date" DATE', '"c_time" TIME',
                     '"c_decimal" NUMERIC(38,9)', '"c_json" SUPER', '"c_binary" VARBYTE'):
        assert expected in ddl
    assert ddl.startswith('CREATE TABLE "ds"."t"')


def test_decimal_precision_becomes_numeric_p_s() -> None:
    client = make_client(Schema("s"))
    assert client.to_db_type({"data_type": "decimal", "precision": 18, "scale": 4}) == "NUMERIC(18,4)"


def test_wei_is_numeric_38_0_or_numeric_of_its_precision() -> None:
    client = make_client(Schema("s"))
    assert client.to_db_type({"data_type": "wei"}) == "NUMERIC(38,0)"
    assert client.to_db_type({"data_type": "wei", "precision": 30}) == "NUMERIC(30,0)"


def test_new_columns_are_added_with_alter_table_add_column() -> None:
    schema = typed_schema(t={"columns": columns(("id", "bigint"), ("added", "text"))})
    statements = make_client(schema).migration_statements(schema.tables["t"], {"id": "bigint"})
    assert statements == ['ALTER TABLE "ds"."t" ADD COLUMN "added" VARCHAR(65535)']


def test_cluster_and_sort_hints_become_distkey_and_sortkey() -> None:
    schema = typed_schema(t={"columns": columns(("id", "bigint"), ("day", "date"),
                                                id={"cluster": True}, day={"sort": True})})
    (ddl,) = make_client(schema).migration_statements(schema.tables["t"], None)
    assert ddl.endswith(') DISTSTYLE KEY DISTKEY("id") COMPOUND SORTKEY("day")')


def test_identifiers_are_lower_case_and_at_most_127_bytes() -> None:
    sql = make_client(Schema("s")).sql
    assert sql.escape_identifier("CamelCase") == '"camelcase"'
    long_name = sql.escape_identifier("ü" * 100)  # 200 bytes
    assert 120 <= len(long_name.strip('"').encode()) <= 127
    assert long_name != sql.escape_identifier("ü" * 99 + "x")


def merge_schema() -> Schema:
    return typed_schema(
        items={"write_disposition": "merge",
               "columns": columns(("id", "bigint"), ("v", "text"), ("_dlt_id", "text"),
                                  id={"primary_key": True})},
        items__tags={"parent": "items",
                     "columns": columns(("value", "text"), ("_dlt_root_id", "text"), ("_dlt_id", "text"))},
    )


def test_merge_deletes_with_delete_using_then_inserts_children_and_root() -> None:
    statements = make_client(merge_schema()).merge_statements("items")
    assert statements == [
        'DELETE FROM "ds"."items__tags" USING "ds"."items" AS d, "ds_staging"."items" AS s'
        ' WHERE "ds"."items__tags"."_dlt_root_id" = d."_dlt_id" AND ((s."id" = d."id"))',
        'DELETE FROM "ds"."items" USING "ds_staging"."items" AS s WHERE (s."id" = "ds"."items"."id")',
        'INSERT INTO "ds"."items" ("id", "v", "_dlt_id") SELECT "id", "v", "_dlt_id" FROM "ds_staging"."items"',
        'INSERT INTO "ds"."items__tags" ("value", "_dlt_root_id", "_dlt_id")'
        ' SELECT "value", "_dlt_root_id", "_dlt_id" FROM "ds_staging"."items__tags"',
    ]
    assert not any("EXISTS" in s or "AS d WHERE" in s for s in statements)


def batches_of(rows: list[tuple[Any, ...]], size: int = 7) -> Any:
    return iter([rows[i:i + size] for i in range(0, len(rows), size)])


def test_insert_batches_stay_under_the_statement_limit() -> None:
    client = make_client(Schema("s"))
    client.max_statement_bytes = 2_000
    cols = [{"name": "id", "data_type": "bigint"}, {"name": "s", "data_type": "text"}]
    rows = [(i, "x" * 50) for i in range(100)]
    statements = list(client.insert_batches('"ds"."t"', cols, batches_of(rows)))
    assert len(statements) > 1
    for sql, params in statements:
        assert len(sql.encode()) + sum(len(str(p)) + 8 for p in params) <= 2_000
    assert [tuple(p[i:i + 2]) for _, p in statements for i in range(0, len(p), 2)] == rows


def test_full_insert_batches_share_one_statement_text() -> None:
    client = make_client(Schema("s"))
    cols = [{"name": f"c{i}", "data_type": "bigint"} for i in range(10)]
    rows = [tuple(range(10))] * 10_000
    statements = list(client.insert_batches('"ds"."t"', cols, batches_of(rows, 1000)))
    assert all(len(params) <= REDSHIFT.max_bind_parameters for _, params in statements)
    assert len({sql for sql, _ in statements[:-1]}) == 1
    assert sum(len(p) for _, p in statements) == 100_000


def test_json_and_binary_values_go_through_json_parse_and_from_hex() -> None:
    client = make_client(Schema("s"))
    cols = [{"name": "j", "data_type": "json"}, {"name": "b", "data_type": "binary"}]
    ((sql, params),) = list(client.insert_batches('"ds"."t"', cols, iter([[({"a": 1}, b"\x00\xff")]])))
    assert sql == 'INSERT INTO "ds"."t" ("j", "b") VALUES (JSON_PARSE(%s), FROM_HEX(%s))'
    assert params == ['{"a":1}', "00ff"]


def test_a_row_over_the_statement_limit_fails_the_job() -> None:
    client = make_client(Schema("s"))
    client.max_statement_bytes = 1_000
    with pytest.raises(LoadJobTerminalError, match="statement limit"):
        list(client.insert_batches('"ds"."t"', [{"name": "s", "data_type": "text"}],
                                   iter([[("x" * 5_000,)]]), "t.0.parquet"))


def test_copy_parquet_from_s3() -> None:
    table = {"name": "t", "columns": columns(("id", "bigint"), ("doc", "json"))}
    sql = copy_from_s3_sql('"ds"."t"', ['"id"', '"doc"'], table, "s3://bucket/ds/t/1.parquet",
                           "parquet", "arn:aws:iam::123:role/loader")
    assert sql == (
        'COPY "ds"."t" ("id", "doc")\n'
        "FROM 's3://bucket/ds/t/1.parquet'\n"
        "IAM_ROLE 'arn:aws:iam::123:role/loader'\n"
        "FORMAT AS PARQUET SERIALIZETOJSON\n"
        "MAXERROR 0"
    )


def test_copy_jsonl_from_s3_with_region_and_gzip() -> None:
    table = {"name": "t", "columns": columns(("id", "bigint"))}
    sql = copy_from_s3_sql('"ds"."t"', ['"id"'], table, "s3://b/it's.jsonl.gz", "jsonl",
                           "arn:aws:iam::1:role/r", compressed=True, region="eu-central-1")
    assert "FROM 's3://b/it''s.jsonl.gz'" in sql
    assert "REGION 'eu-central-1'" in sql
    assert "FORMAT AS JSON 'auto' DATEFORMAT 'auto' TIMEFORMAT 'auto' GZIP" in sql


def test_copy_refuses_time_columns_from_parquet() -> None:
    table = {"name": "t", "columns": columns(("at", "time"))}
    with pytest.raises(LoadJobTerminalError, match="TIME"):
        copy_from_s3_sql('"ds"."t"', ['"at"'], table, "s3://b/f.parquet", "parquet", "arn")


def test_copy_from_s3_needs_an_iam_role() -> None:
    schema = typed_schema(t={"columns": columns(("id", "bigint"))})
    with pytest.raises(Exception, match="staging_iam_role"):
        make_client(schema).copy_from_s3(schema.tables["t"], "s3://b/f.parquet", "parquet")


def test_capabilities_match_redshift() -> None:
    caps = redshift().capabilities()
    assert caps.preferred_loader_file_format == "parquet"
    assert caps.max_identifier_length == 127
    assert caps.max_query_length == 16 * 1024 * 1024
    assert caps.supports_merge and caps.supports_transactions


def test_time_values_pass_through_unchanged() -> None:
    client = make_client(Schema("s"))
    ((_, params),) = list(client.insert_batches('"ds"."t"', [{"name": "t", "data_type": "time"}],
                                                iter([[(time(1, 2, 3),)]])))
    assert params == [time(1, 2, 3)]
