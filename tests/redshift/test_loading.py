"""Loading into the stand-in: names, types, batches, evolution, merge SQL, plugin registration."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import Any

import pytest
from stand_in_dialect import STAND_IN

import dlt
from dlt.testing.conformance import ALL_TYPES_COLUMNS, ALL_TYPES_ROW, comparable, read_sql_rows
from dlt_destination_redshift.factory import redshift


def new_pipeline(destination: Any, **kwargs: Any) -> Any:
    name = f"rs_{uuid.uuid4().hex[:8]}"
    return dlt.pipeline(pipeline_name=name, destination=destination, dataset_name=name, **kwargs)


def column_types(pipeline: Any, table: str) -> dict[str, str]:
    with pipeline.sql_client() as client:
        rows = client.execute_sql(
            "SELECT column_name, COALESCE(domain_name, data_type) FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s", pipeline.dataset_name, table)
    return dict(rows)


def test_plugin_is_registered_and_ok() -> None:
    from dlt.plugins import get_plugin_manager

    record = get_plugin_manager().records["redshift"]
    assert record.status == "ok", record.error_text()
    assert record.distribution == "dlt-destination-redshift"
    assert record.provides == {"destination": ["redshift"], "destination_module": ["redshift"]}
    assert dlt.destinations.redshift is redshift


def test_destination_by_name_with_credentials_from_environment(
        stand_in: Any, dlt_pipelines_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS__HOST", stand_in.host)
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS__PORT", str(stand_in.port))
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS__DATABASE", stand_in.database)
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS__USERNAME", stand_in.user)
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS__PASSWORD", stand_in.password)
    monkeypatch.setenv("DESTINATION__REDSHIFT__CREDENTIALS__SSLMODE", "disable")
    pipeline = new_pipeline("redshift")
    info = pipeline.run([{"id": 1, "name": "a"}], table_name="by_name")
    assert not info.has_failed_jobs
    assert [(r["id"], r["name"]) for r in read_sql_rows(pipeline, "by_name")] == [(1, "a")]


def test_json_is_super_and_binary_is_varbyte(destination: Any, dlt_pipelines_dir: Path) -> None:
    pipeline = new_pipeline(destination)
    pipeline.run([ALL_TYPES_ROW], table_name="typed", columns=ALL_TYPES_COLUMNS)
    types = column_types(pipeline, "typed")
    assert types["col_json"] == "super" and types["col_binary"] == "varbyte"
    assert types["col_text"] == "character varying" and types["col_timestamp"] == "timestamp with time zone"


def test_integer_precision_picks_smallint_and_integer(destination: Any, dlt_pipelines_dir: Path) -> None:
    pipeline = new_pipeline(destination)
    columns = {"tiny": {"data_type": "bigint", "precision": 8}, "small": {"data_type": "bigint", "precision": 16},
               "mid": {"data_type": "bigint", "precision": 32}, "big": {"data_type": "bigint"}}
    info = pipeline.run([{"tiny": 1, "small": 2, "mid": 3, "big": 4}], table_name="ints", columns=columns)
    assert not info.has_failed_jobs
    types = column_types(pipeline, "ints")
    # as dlt 1.31's Redshift type mapper
    assert (types["tiny"], types["small"], types["mid"], types["big"]) == ("smallint", "smallint", "integer", "bigint")
    assert [(r["tiny"], r["small"], r["mid"], r["big"]) for r in read_sql_rows(pipeline, "ints")] == [(1, 2, 3, 4)]


def test_jsonl_job_files_load_every_type(destination: Any, dlt_pipelines_dir: Path) -> None:
    pipeline = new_pipeline(destination)
    pipeline.run([ALL_TYPES_ROW], table_name="from_jsonl", columns=ALL_TYPES_COLUMNS,
                 loader_file_format="jsonl")
    (row,) = read_sql_rows(pipeline, "from_jsonl")
    assert row["col_binary"] == ALL_TYPES_ROW["col_binary"]
    assert comparable(row["col_timestamp"]) == ALL_TYPES_ROW["col_timestamp"]
    assert row["col_decimal"] == ALL_TYPES_ROW["col_decimal"]
    assert row["col_time"] == ALL_TYPES_ROW["col_time"]
    assert row["col_text"] == ALL_TYPES_ROW["col_text"]


def test_many_rows_load_in_several_insert_statements(stand_in: Any, dlt_pipelines_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    small = dataclasses.replace(STAND_IN.dialect, max_statement_bytes=64 * 1024)
    destination = redshift(credentials=stand_in.connection_string, dialect=small)
    statements: list[str] = []
    from dlt_destination_redshift.sql_client import RedshiftSqlClient

    original = RedshiftSqlClient.execute_query

    def spy(self: Any, sql: str, *args: Any) -> Any:
        if sql.startswith("INSERT INTO") and "VALUES" in sql:
            statements.append(sql)
        return original(self, sql, *args)

    monkeypatch.setattr(RedshiftSqlClient, "execute_query", spy)
    pipeline = new_pipeline(destination)
    rows = [{"id": i, "text": f"row {i} " + "x" * 100} for i in range(5_000)]
    pipeline.run(rows, table_name="many")
    with pipeline.sql_client() as client:
        assert client.execute_sql(f"SELECT count(*), sum(id) FROM {client.make_qualified_table_name('many')}")[0] \
            == (5_000, sum(range(5_000)))
    data_inserts = [s for s in statements if '"many"' in s]
    assert len(data_inserts) > 5


def test_long_identifiers_are_shortened_stably_across_runs(destination: Any, dlt_pipelines_dir: Path) -> None:
    long = "a_very_long_column_name_" * 6
    pipeline = new_pipeline(destination)
    pipeline.run([{"id": 1, long: "first"}], table_name="long_names")
    pipeline.run([{"id": 2, long: "second", "other": 1}], table_name="long_names")
    rows = read_sql_rows(pipeline, "long_names")
    values = sorted(v for r in rows for k, v in r.items() if k.startswith("a_very_long"))
    assert values == ["first", "second"]


def test_merge_without_primary_key_appends(destination: Any, dlt_pipelines_dir: Path) -> None:
    pipeline = new_pipeline(destination)
    pipeline.run([{"id": 1}], table_name="keyless", write_disposition="merge")
    pipeline.run([{"id": 1}], table_name="keyless", write_disposition="merge")
    assert [r["id"] for r in read_sql_rows(pipeline, "keyless")] == [1, 1]


def test_merge_runs_in_one_transaction_with_the_load(destination: Any, dlt_pipelines_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from dlt_destination_redshift.client import RedshiftJobClient

    pipeline = new_pipeline(destination)
    pipeline.run([{"id": 1, "v": "a"}], table_name="atomic", write_disposition="merge", primary_key="id")

    def broken(self: Any, load_id: str, tables: list[str]) -> None:
        for root in self._merge_roots(tables):
            for statement in self.merge_statements(root)[:1]:  # the DELETE only
                self.sql.execute_sql(statement)
        raise RuntimeError("crash after the delete")

    monkeypatch.setattr(RedshiftJobClient, "complete_load", broken)
    with pytest.raises(Exception, match="crash after the delete"):
        pipeline.run([{"id": 1, "v": "b"}], table_name="atomic", write_disposition="merge", primary_key="id")
    monkeypatch.undo()
    assert [(r["id"], r["v"]) for r in read_sql_rows(pipeline, "atomic")] == [(1, "a")]
    pipeline.run()
    assert [(r["id"], r["v"]) for r in read_sql_rows(pipeline, "atomic")] == [(1, "b")]
