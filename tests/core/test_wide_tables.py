"""Wide data loads into DuckDB at the default memory cap (issue 19 item 3): the cap is raised
for the load of a table whose INSERT needs more (the jsonl tests of test_bad_input check that a
raised limit is put back after the load)."""

from __future__ import annotations

import dlt
from core_helpers import rows_of


def test_one_row_with_thousands_of_columns_loads():
    pipeline = dlt.pipeline(pipeline_name="wide_row", destination="duckdb")
    info = pipeline.run([{f"c{i}": i for i in range(3500)}], table_name="wide")
    assert info.row_counts == {"wide": 1}
    [row] = rows_of(pipeline, "wide")
    assert row["c0"] == 0 and row["c3499"] == 3499


def test_many_rows_of_a_hundred_and_twenty_columns_load():
    rows = ({f"c{i}": n * i for i in range(120)} for n in range(40_000))
    pipeline = dlt.pipeline(pipeline_name="wide_rows", destination="duckdb")
    info = pipeline.run(rows, table_name="wide")
    assert info.row_counts == {"wide": 40_000}
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("wide")
        assert client.execute_sql(f"SELECT count(*), sum(c119) FROM {table}")[0] == (
            40_000, sum(n * 119 for n in range(40_000)))

