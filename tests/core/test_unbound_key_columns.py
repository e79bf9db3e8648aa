"""A merge key naming a column that is not in the data fails in normalize with a clear error,
before anything reaches the destination (issue 19 item 4)."""

from __future__ import annotations

import pytest

import dlt
from dlt.normalize.checks import UnboundColumnException
from dlt.pipeline.exceptions import PipelineStepFailed


def test_primary_key_not_in_the_data_names_table_and_column_before_loading():
    @dlt.resource(primary_key="uid", write_disposition="merge")
    def users():
        yield [{"id": 1}, {"id": 2}]

    pipeline = dlt.pipeline(pipeline_name="unbound_key", destination="duckdb")
    with pytest.raises(PipelineStepFailed) as failure:
        pipeline.run(users())
    assert failure.value.step == "normalize"
    error = failure.value.exception  # NormalizeJobFailed, as in dlt 1.31, caused by:
    while error is not None and not isinstance(error, UnboundColumnException):
        error = error.__cause__
    assert isinstance(error, UnboundColumnException)
    assert error.table_name == "users" and error.columns == ["uid"]
    assert "`users`" in str(error) and "uid" in str(error) and "primary key" in str(error)
    with pipeline.sql_client() as client:
        assert "users" not in client.execute_sql(
            "SELECT table_name FROM information_schema.tables")

