"""`pipeline.sql_client()` on DuckDB: the dataset is the default schema, `%s` parameters, and
the cursor's readers (fetch*, iter_fetch, df, arrow, iter_df, iter_arrow)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

import dlt
from dlt.destinations.base import DestinationTerminalError
from dlt.destinations.sql_client import exact_chunks, to_driver_placeholders


@pytest.fixture
def pipeline(tmp_path):
    p = dlt.pipeline(pipeline_name="semantics", destination=dlt.destinations.duckdb(str(tmp_path / "s.duckdb")),
                     dataset_name="crm")
    p.run([{"id": i, "name": f"n{i}"} for i in range(7)], table_name="people")
    return p


# -- paramstyle ---------------------------------------------------------------------------

def test_percent_s_becomes_question_mark_outside_quotes():
    sql = "SELECT '%s', \"%s\", x FROM t WHERE a = %s -- %s\n AND b = %s /* %s */"
    assert to_driver_placeholders(sql, "?") == (
        "SELECT '%s', \"%s\", x FROM t WHERE a = ? -- %s\n AND b = ? /* %s */"
    )


def test_double_percent_is_a_literal_percent_when_parameters_are_marked():
    assert to_driver_placeholders("SELECT 7 %% 4, %s", "?") == "SELECT 7 % 4, ?"


def test_query_without_percent_s_markers_is_unchanged():
    assert to_driver_placeholders("SELECT 7 %% 4 WHERE a = ?", "?") == "SELECT 7 %% 4 WHERE a = ?"
    assert to_driver_placeholders("SELECT 'it''s %s'", "?") == "SELECT 'it''s %s'"


def test_backslash_escaped_quote_does_not_end_the_string():
    sql = r"SELECT 'a\'%s' , %s"
    assert to_driver_placeholders(sql, "?", backslash_escapes=True) == r"SELECT 'a\'%s' , ?"


def test_unqualified_names_resolve_to_the_dataset(pipeline):
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM people") == [(7,)]
        assert client.execute_sql("SELECT current_schema()") == [("crm",)]


def test_percent_s_and_question_mark_parameters_on_duckdb(pipeline):
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT name FROM people WHERE id = %s", 2) == [("n2",)]
        assert client.execute_sql("SELECT name FROM people WHERE id = ?", 3) == [("n3",)]
        rows = client.execute_sql("SELECT '%s', id % 4 FROM people WHERE name LIKE 'n%%' AND id = %s", 5)
        assert rows == [("%s", 1)]


def test_string_parameter_with_a_quote_is_bound(pipeline):
    with pipeline.sql_client() as client:
        client.execute_sql("INSERT INTO people (id, name, _dlt_load_id, _dlt_id) VALUES (%s, %s, 'x', 'y')",
                           99, "O'Hara")
        assert client.execute_sql("SELECT id FROM people WHERE name = %s", "O'Hara") == [(99,)]


def test_outside_with_the_client_says_how_to_use_it(pipeline):
    client = pipeline.sql_client()
    with pytest.raises(DestinationTerminalError, match="inside `with"):
        client.execute_sql("SELECT 1")


# -- cursor -------------------------------------------------------------------------------

QUERY = "SELECT id, name FROM people ORDER BY id"


def test_fetch_methods_continue_from_one_position(pipeline):
    with pipeline.sql_client() as client, client.execute_query(QUERY) as cursor:
        assert cursor.fetchone() == (0, "n0")
        assert cursor.fetchmany() == [(1, "n1")]
        assert cursor.fetchmany(2) == [(2, "n2"), (3, "n3")]
        assert cursor.fetchall() == [(4, "n4"), (5, "n5"), (6, "n6")]
        assert cursor.fetchone() is None
        assert cursor.fetchall() == []


def test_iter_fetch_yields_exact_chunks(pipeline):
    with pipeline.sql_client() as client, client.execute_query(QUERY) as cursor:
        assert [len(c) for c in cursor.iter_fetch(3)] == [3, 3, 1]


def test_arrow_and_df_of_the_remaining_rows(pipeline):
    with pipeline.sql_client() as client:
        with client.execute_query(QUERY) as cursor:
            cursor.fetchone()
            table = cursor.arrow()
        assert isinstance(table, pa.Table)
        assert table.column_names == ["id", "name"]
        assert table.column("id").to_pylist() == [1, 2, 3, 4, 5, 6]
        with client.execute_query(QUERY) as cursor:
            frame = cursor.df()
        assert isinstance(frame, pd.DataFrame)
        assert frame["name"].tolist() == [f"n{i}" for i in range(7)]


def test_iter_arrow_and_iter_df_chunks_are_exact(pipeline):
    with pipeline.sql_client() as client:
        with client.execute_query(QUERY) as cursor:
            assert [t.num_rows for t in cursor.iter_arrow(chunk_size=3)] == [3, 3, 1]
        with client.execute_query(QUERY) as cursor:
            frames = list(cursor.iter_df(chunk_size=4))
        assert [len(f) for f in frames] == [4, 3]
        assert pd.concat(frames)["id"].tolist() == list(range(7))


def test_empty_result_keeps_its_columns_in_arrow(pipeline):
    with pipeline.sql_client() as client, client.execute_query(
            "SELECT id, name FROM people WHERE id < %s", -1) as cursor:
        table = cursor.arrow()
    assert table.num_rows == 0 and table.column_names == ["id", "name"]


def test_exact_chunks_regroups_uneven_batches():
    batches = [pa.table({"a": list(range(n))}) for n in (2, 5, 1, 4)]
    assert [t.num_rows for t in exact_chunks(batches, 3)] == [3, 3, 3, 3]


# -- names and tables ----------------------------------------------------------------------

def test_qualified_name_has_catalog_and_dataset(pipeline):
    with pipeline.sql_client() as client:
        assert client.make_qualified_table_name("people") == '"s"."crm"."people"'
        assert client.native_connection is not None


def test_truncate_and_drop_tables(pipeline):
    with pipeline.sql_client() as client:
        client.truncate_tables("people")
        assert client.execute_sql("SELECT count(*) FROM people") == [(0,)]
        client.drop_tables("people")
        rows = client.execute_sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            "crm", "people")
        assert rows == [(0,)]
