"""SQL for loading staged files from S3 with Redshift's `COPY`.

Redshift reads parquet and newline-delimited JSON from S3 much faster than any INSERT. The
statement is built here, apart from the client, so that it can be checked without S3.
"""

from __future__ import annotations

from collections.abc import Sequence

from dlt.destinations.base import LoadJobTerminalError

from dlt.schema.typing import TTableSchema


def sql_literal(text: str) -> str:
    """A single-quoted SQL string literal (Redshift treats a backslash as an escape, too)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def copy_from_s3_sql(qualified_table: str, column_names: Sequence[str], table: TTableSchema,
                     s3_url: str, file_format: str, iam_role: str, *,
                     compressed: bool = False, region: str | None = None) -> str:
    """`COPY <table> (<columns>) FROM 's3://...' IAM_ROLE '...' FORMAT AS PARQUET|JSON ...`.

    `column_names` are already quoted. Raises `LoadJobTerminalError` for what Redshift's COPY
    cannot read: TIME columns from parquet, binary columns from JSON (base64 in the file).
    """
    if not s3_url.startswith("s3://"):
        raise LoadJobTerminalError(s3_url, "Redshift COPY reads staged files from s3:// URLs only.")
    types = {c.get("data_type") for c in table["columns"].values()}
    if file_format == "parquet":
        if "time" in types:
            raise LoadJobTerminalError(
                s3_url, f"Redshift COPY cannot read TIME columns of table {table['name']} from"
                " parquet; load this table with jsonl or without staging.")
        format_clause = "FORMAT AS PARQUET" + (" SERIALIZETOJSON" if "json" in types else "")
    elif file_format == "jsonl":
        if "binary" in types:
            raise LoadJobTerminalError(
                s3_url, f"Redshift COPY cannot read the base64 binary columns of table"
                f" {table['name']} from JSON; load this table with parquet or without staging.")
        format_clause = "FORMAT AS JSON 'auto' DATEFORMAT 'auto' TIMEFORMAT 'auto'"
        if compressed:
            format_clause += " GZIP"
    else:
        raise LoadJobTerminalError(s3_url, f"Redshift COPY cannot load the file format '{file_format}'.")
    lines = [
        f"COPY {qualified_table} ({', '.join(column_names)})",
        f"FROM {sql_literal(s3_url)}",
        f"IAM_ROLE {sql_literal(iam_role)}",
    ]
    if region:
        lines.append(f"REGION {sql_literal(region)}")
    lines.append(format_clause)
    lines.append("MAXERROR 0")
    return "\n".join(lines)
