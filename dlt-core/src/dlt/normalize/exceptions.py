"""Errors of the normalize step."""

from __future__ import annotations

from dlt.utils.exceptions import DltException


class NormalizeJobFailed(DltException):
    """Normalizing the items of a load package failed; the cause is chained (as in dlt 1.31,
    where a contract violation reaches `PipelineStepFailed` through this error)."""

    def __init__(self, load_id: str, job_id: str | None, failed_message: str) -> None:
        self.load_id = load_id
        self.job_id = job_id
        self.failed_message = failed_message
        where = f" (items file {job_id})" if job_id else ""
        super().__init__(f"Normalizing load package {load_id}{where} failed: {failed_message}")


class IntegerOutOfRange(DltException):
    """An integer in a `bigint` column is outside the 64-bit range the column holds."""

    def __init__(self, table_name: str, column_name: str, value: int) -> None:
        self.table_name, self.column_name, self.value = table_name, column_name, value
        super().__init__(
            f"Column '{column_name}' of table '{table_name}' is a bigint, and the value {value}"
            " is outside its 64-bit range. Give the column a decimal hint (columns={"
            f"'{column_name}': {{'data_type': 'decimal', 'precision': 38, 'scale': 0}}}}) or"
            " text to keep such values.")
