"""The `wei` data type and bigint precisions on DuckDB, as dlt 1.31 maps them: `wei` is
DECIMAL(38,0), a bigint of 128 bits HUGEINT."""

from __future__ import annotations

from decimal import Decimal

import pytest

import dlt
from dlt.schema.inference import CoercionError, coerce_value


def column_types(pipeline, table: str) -> dict[str, str]:
    with pipeline.sql_client() as client:
        rows = client.execute_sql(
            "SELECT column_name, data_type FROM information_schema.columns"
            f" WHERE table_name = '{table}'")
    return dict(rows)


def test_a_wei_column_is_accepted_and_loads_ints_decimals_and_numeric_text():
    @dlt.resource(columns={"w": {"data_type": "wei"}})
    def amounts():
        yield [{"id": 1, "w": 1}, {"id": 2, "w": Decimal("12345678901234567890123")},
               {"id": 3, "w": "42"}, {"id": 4, "w": "0xff"}]

    pipeline = dlt.pipeline(pipeline_name="wei_duck", destination="duckdb", dataset_name="d")
    assert not pipeline.run(amounts()).has_failed_jobs
    assert pipeline.default_schema.tables["amounts"]["columns"]["w"]["data_type"] == "wei"
    assert column_types(pipeline, "amounts")["w"] == "DECIMAL(38,0)"
    with pipeline.sql_client() as client:
        rows = client.execute_sql("SELECT id, w FROM amounts ORDER BY id")
    assert rows == [(1, Decimal(1)), (2, Decimal("12345678901234567890123")), (3, Decimal(42)),
                    (4, Decimal(255))]


def test_a_wei_column_with_a_precision_is_decimal_of_that_precision():
    @dlt.resource(columns={"w": {"data_type": "wei", "precision": 20}})
    def amounts():
        yield {"w": 7}

    pipeline = dlt.pipeline(pipeline_name="wei_prec", destination="duckdb", dataset_name="d")
    pipeline.run(amounts())
    assert column_types(pipeline, "amounts")["w"] == "DECIMAL(20,0)"


@pytest.mark.parametrize("value", ["abc", True, 10**80, float("nan")])
def test_values_that_are_not_wei_do_not_coerce(value):
    with pytest.raises(CoercionError):
        coerce_value("wei", value)


@pytest.mark.parametrize("bits, db_type", [(8, "TINYINT"), (16, "SMALLINT"), (32, "INTEGER"),
                                           (64, "BIGINT"), (128, "HUGEINT")])
def test_bigint_precision_picks_the_duckdb_integer_of_that_width(bits, db_type):
    @dlt.resource(columns={"n": {"data_type": "bigint", "precision": bits}})
    def numbers():
        yield [{"n": 1}, {"n": -100}]

    pipeline = dlt.pipeline(pipeline_name=f"int_{bits}", destination="duckdb", dataset_name="d")
    pipeline.run(numbers())
    assert column_types(pipeline, "numbers")["n"] == db_type
    with pipeline.sql_client() as client:
        assert sorted(r[0] for r in client.execute_sql("SELECT n FROM numbers")) == [-100, 1]
