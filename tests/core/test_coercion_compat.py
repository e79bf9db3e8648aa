"""Values that do not have their column's type are coerced as dlt 1.31 coerces them (checked
side by side against 1.31 on DuckDB), instead of going to a variant column."""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from decimal import Decimal

import dlt
import pytest
from dlt.schema.inference import CoercionError, coerce_value


def pipeline_at(tmp_path, name):
    return dlt.pipeline(pipeline_name=name, pipelines_dir=str(tmp_path / "p"),
                        destination=dlt.destinations.duckdb(str(tmp_path / "db.duckdb")),
                        dataset_name="data")


def columns_and_rows(pipeline, table):
    with pipeline.sql_client() as client:
        columns = client.execute_sql(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema ="
            f" 'data' AND table_name = '{table}' AND column_name NOT LIKE '_dlt%'"
            " ORDER BY ordinal_position")
        rows = client.execute_sql(f"SELECT * EXCLUDE (_dlt_load_id, _dlt_id) FROM data.{table} ORDER BY id")
    return columns, rows


def test_decimals_are_rounded_to_their_column_scale_with_a_warning(tmp_path, caplog):
    pipeline = pipeline_at(tmp_path, "decimals")

    @dlt.resource(columns={"amount": {"data_type": "decimal", "precision": 10, "scale": 2}})
    def items():
        yield [{"id": 1, "amount": "12.345"}, {"id": 2, "amount": Decimal("12.345")},
               {"id": 3, "amount": 12.355}, {"id": 4, "amount": Decimal("-1.005")}]

    with caplog.at_level(logging.WARNING, logger="dlt"):
        pipeline.run(items())
    columns, rows = columns_and_rows(pipeline, "items")
    # hinted columns come first, as in 1.31
    assert columns == [("amount", "DECIMAL(10,2)"), ("id", "BIGINT")]
    assert [amount for amount, _ in rows] == [
        Decimal("12.35"), Decimal("12.35"), Decimal("12.36"), Decimal("-1.01")]
    assert "rounded" in caplog.text and "'amount'" in caplog.text


def test_a_decimal_with_more_than_nine_fraction_digits_infers_the_default_decimal(tmp_path):
    pipeline = pipeline_at(tmp_path, "scale")
    pipeline.run([{"id": 1, "n": Decimal("1.1234567891")}], table_name="t")
    assert columns_and_rows(pipeline, "t") == ([("id", "BIGINT"), ("n", "DECIMAL(38,9)")],
                                               [(1, Decimal("1.123456789"))])


def test_a_38_digit_value_fits_a_hinted_decimal_38_0(tmp_path):
    pipeline = pipeline_at(tmp_path, "wide")

    @dlt.resource(columns={"dec": {"data_type": "decimal", "precision": 38, "scale": 0}})
    def big():
        yield [{"id": 1, "dec": "1" * 38}]

    pipeline.run(big())
    columns, rows = columns_and_rows(pipeline, "big")
    assert ("dec", "DECIMAL(38,0)") in columns and len(columns) == 2
    assert Decimal("1" * 38) in rows[0]


def test_timestamps_into_a_date_column_load_as_their_utc_day(tmp_path):
    pipeline = pipeline_at(tmp_path, "dates")
    pipeline.run([{"id": 1, "x": date(2024, 1, 1)}, {"id": 2, "x": datetime(2024, 1, 1, 5)},
                  {"id": 3, "x": datetime(2024, 1, 2, 1, tzinfo=timezone.utc)}], table_name="d")
    assert columns_and_rows(pipeline, "d") == (
        [("id", "BIGINT"), ("x", "DATE")],
        [(1, date(2024, 1, 1)), (2, date(2024, 1, 1)), (3, date(2024, 1, 2))])


def test_an_integer_beyond_2_53_into_a_double_column_is_its_nearest_double(tmp_path):
    pipeline = pipeline_at(tmp_path, "doubles")
    pipeline.run([{"id": 1, "x": 1.5}, {"id": 2, "x": 2**53 + 1}], table_name="f")
    assert columns_and_rows(pipeline, "f") == ([("id", "BIGINT"), ("x", "DOUBLE")],
                                               [(1, 1.5), (2, float(2**53))])


def test_numbers_into_a_timestamp_column_are_unix_seconds(tmp_path):
    pipeline = pipeline_at(tmp_path, "epochs")
    pipeline.run([{"id": 1, "ts": "2024-01-01T00:00:00Z"}], table_name="t")
    pipeline.run([{"id": 2, "ts": 5}, {"id": 3, "ts": 1700000000.5}], table_name="t")
    columns, rows = columns_and_rows(pipeline, "t")
    assert [name for name, _ in columns] == ["id", "ts"]
    assert [row[1] for row in rows] == [
        datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(1970, 1, 1, 0, 0, 5, tzinfo=timezone.utc),
        datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=timezone.utc)]


@pytest.mark.parametrize("to_type, value, expected", [
    ("binary", "0x6162", b"ab"),
    ("binary", "YWI=", b"ab"),
    ("json", '{"a": [1, 2]}', {"a": [1, 2]}),
    ("text", b"ab", "YWI="),
    ("bigint", "0x1f", 31),
])
def test_text_and_binary_coercions_follow_dlt_1_31(to_type, value, expected):
    assert coerce_value(to_type, value) == expected


@pytest.mark.parametrize("to_type, value", [
    ("binary", "not base64!"), ("json", "{not json"), ("double", 10**400), ("bigint", 1.5),
])
def test_values_that_would_change_meaning_still_go_to_a_variant_column(to_type, value):
    with pytest.raises(CoercionError):
        coerce_value(to_type, value)


def test_a_null_in_a_column_that_is_not_nullable_fails_normalize_before_any_load(tmp_path):
    from dlt.common.schema.exceptions import CannotCoerceNullException
    from dlt.pipeline.exceptions import PipelineStepFailed

    @dlt.resource(columns={"id": {"nullable": False}})
    def users():
        yield [{"id": 1}, {"id": None}]

    pipeline = pipeline_at(tmp_path, "not_null")
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(users())
    assert failed.value.step == "normalize"
    assert "CannotCoerceNullException" in str(failed.value) and "column 'id'" in str(failed.value)
    cause = failed.value.exception.__cause__ or failed.value.exception.__context__
    assert isinstance(cause, CannotCoerceNullException) and cause.column_name == "id"
    # nothing reached the destination, and the rows wait in the extracted package
    assert pipeline.list_extracted_load_packages() and not pipeline.list_normalized_load_packages()
    with pipeline.sql_client() as client:
        assert client.execute_sql("SELECT count(*) FROM information_schema.tables WHERE"
                                  " table_name = 'users'") == [(0,)]


def test_an_integer_beyond_64_bits_in_a_bigint_column_is_a_clear_error(tmp_path):
    from dlt.normalize.exceptions import IntegerOutOfRange
    from dlt.pipeline.exceptions import PipelineStepFailed

    pipeline = pipeline_at(tmp_path, "too_big")
    pipeline.run([{"id": 1, "x": 1}], table_name="t")
    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run([{"id": 2, "x": 2**70}], table_name="t")
    cause = failed.value.exception.__cause__ or failed.value.exception.__context__
    assert isinstance(cause, IntegerOutOfRange) and cause.column_name == "x"
    assert str(2**70) in str(failed.value) and "decimal hint" in str(failed.value)
