"""What a table's BigQuery hints ask for: partitioning, clustering, table and column options,
schema autodetection and the insert API.

The hints come from the core column hints (`partition`, `cluster`, `description`) and from
`bigquery_adapter` (`x-bigquery-*`, `x-insert-api`). The functions here read them from a table
schema and build the DDL pieces; errors say which table and column and what to change. No
google-cloud-bigquery import: the client passes in how to quote names and strings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from dlt.destinations.base import DestinationTerminalError
from dlt_destination_bigquery.bigquery_adapter import (
    AUTODETECT_SCHEMA_HINT,
    CLUSTER_COLUMNS_HINT,
    CLUSTER_HINT,
    INSERT_API_HINT,
    INSERT_APIS,
    PARTITION_EXPIRATION_DAYS_HINT,
    PARTITION_HINT,
    ROUND_HALF_AWAY_FROM_ZERO_HINT,
    ROUND_HALF_EVEN_HINT,
    TABLE_DESCRIPTION_HINT,
    TABLE_EXPIRATION_HINT,
)

Quote = Callable[[str], str]

MAX_CLUSTER_COLUMNS = 4
# RANGE_BUCKET partitioning of integer columns: BigQuery allows at most 10,000 partitions
INTEGER_PARTITION_RANGE = (-172800000, 691200000, 86400)
#: dlt types BigQuery partitions a table by
PARTITION_TYPES = ("date", "timestamp", "bigint")
#: dlt types stored as NUMERIC / BIGNUMERIC, the only ones with a rounding mode
ROUNDING_TYPES = ("decimal", "wei")
#: table hints that become `OPTIONS (...)` of CREATE TABLE
OPTION_HINTS = (TABLE_DESCRIPTION_HINT, TABLE_EXPIRATION_HINT, PARTITION_EXPIRATION_DAYS_HINT)


def typed_columns(table: dict[str, Any]) -> list[dict[str, Any]]:
    """The columns of `table` that have a data type (the ones that exist in BigQuery)."""
    return [c for c in table["columns"].values() if c.get("data_type")]


def inherited_hint(tables: dict[str, dict[str, Any]], table_name: str, hint: str) -> Any:
    """`hint` of the table, else of its nearest ancestor that has it (None when none has).
    As in dlt 1.31, nested tables take the description and autodetection of their parents."""
    table = tables.get(table_name)
    while table is not None:
        if table.get(hint) is not None:
            return table[hint]
        parent = table.get("parent")
        table = tables.get(parent) if parent else None
    return None


def autodetects_schema(tables: dict[str, dict[str, Any]], table_name: str) -> bool:
    """True when load jobs detect the schema of `table_name` and create it (its own or an
    ancestor's `autodetect_schema`)."""
    if table_name.startswith("_dlt"):
        return False
    return bool(inherited_hint(tables, table_name, AUTODETECT_SCHEMA_HINT))


def insert_api(table: dict[str, Any]) -> str:
    """`"streaming"` or `"default"`: how the rows of `table` are inserted."""
    value = table.get(INSERT_API_HINT) or "default"
    if value not in INSERT_APIS:
        raise DestinationTerminalError(
            f"Table {table['name']} has {INSERT_API_HINT}={value!r}; use 'streaming' or 'default'"
            " (bigquery_adapter(insert_api=...))."
        )
    return value


def resolve_column(table: dict[str, Any], name: str, naming: Any, purpose: str) -> dict[str, Any]:
    """The typed column of `table` that a table-level hint names: by `name`, else by its name
    under the schema's naming convention (adapter arguments are not normalized)."""
    columns = table["columns"]
    candidates = [name]
    if naming is not None:
        candidates.append(naming.normalize_identifier(name))
    for candidate in candidates:
        column = columns.get(candidate)
        if column is not None and column.get("data_type"):
            return column
    known = ", ".join(c["name"] for c in typed_columns(table))
    raise DestinationTerminalError(
        f"Table {table['name']} is to be {purpose} column {name!r}, which it does not have (or"
        f" which has no data yet, so no type); its columns are: {known}. Name one of them, or"
        " give the column a data_type hint."
    )


# -- partitioning ---------------------------------------------------------------------------


def partition_columns(table: dict[str, Any]) -> list[dict[str, Any]]:
    """Typed columns with the `partition` or `x-bigquery-partition` hint (at most one allowed)."""
    found = [c for c in typed_columns(table) if c.get("partition") or c.get(PARTITION_HINT)]
    if len(found) > 1:
        raise DestinationTerminalError(
            f"Table {table['name']} has {len(found)} partition columns"
            f" ({', '.join(c['name'] for c in found)}); BigQuery partitions by one column."
            " Keep the partition hint on one of them."
        )
    return found


def partition_transformation(table: dict[str, Any]) -> tuple[str, str] | None:
    """`(column name, template)` of a `PartitionTransformation` given to the adapter, or None."""
    hint = table.get(PARTITION_HINT)
    if not hint:
        return None
    if not isinstance(hint, dict) or len(hint) != 1:
        raise DestinationTerminalError(
            f"Table {table['name']} has the table hint {PARTITION_HINT}={hint!r}; it must map one"
            " column to one partition expression (a table is partitioned by one column). Set it"
            " with bigquery_adapter(partition=bigquery_partition.range_bucket(...))."
        )
    ((column, template),) = hint.items()
    return column, template


def partition_clause(table: dict[str, Any], quote: Quote, naming: Any = None) -> str | None:
    """`PARTITION BY ...` for the table's partition hint, or None.

    A column hint partitions a `date` column by itself, a `timestamp` column by `DATE(column)`
    and a `bigint` column by `RANGE_BUCKET` (as dlt 1.31); a `PartitionTransformation` puts
    the quoted column into its template."""
    columns = partition_columns(table)
    transformation = partition_transformation(table)
    if transformation is not None:
        name, template = transformation
        if columns:
            raise DestinationTerminalError(
                f"Table {table['name']} has both a partition expression for column {name!r}"
                f" ({template}) and the partition hint on column {columns[0]['name']!r}; a table"
                " has one partitioning. Remove one of them."
            )
        column = resolve_column(table, name, naming, "partitioned by")
        try:
            expression = template.format(column_name=quote(column["name"]))
        except (KeyError, IndexError, ValueError) as exc:
            raise DestinationTerminalError(
                f"The partition expression {template!r} of table {table['name']} is not a valid"
                " template: it may hold only the placeholder {column_name} in braces"
                f" ({type(exc).__name__}: {exc})."
            ) from None
        return f"PARTITION BY {expression}"
    if not columns:
        return None
    column = columns[0]
    kind, name = partition_column_type(column, table["name"]), quote(column["name"])
    if kind == "date":
        return f"PARTITION BY {name}"
    if kind == "timestamp":
        return f"PARTITION BY DATE({name})"
    start, end, step = INTEGER_PARTITION_RANGE
    return f"PARTITION BY RANGE_BUCKET({name}, GENERATE_ARRAY({start}, {end}, {step}))"


def partition_column_type(column: dict[str, Any], table_name: str) -> str:
    """The data type of the partition column: `date`, `timestamp` or `bigint`, the ones
    BigQuery partitions by; any other type is an error naming the column."""
    kind = column["data_type"]
    if kind not in PARTITION_TYPES:
        raise DestinationTerminalError(
            f"Column {column['name']} of table {table_name} has the partition hint but type"
            f" {kind}; BigQuery partitions by date, timestamp or bigint columns."
        )
    return kind


# -- clustering -----------------------------------------------------------------------------


def cluster_columns(table: dict[str, Any], naming: Any = None) -> list[str]:
    """Names of the columns to cluster by: the adapter's ordered list when there is one, else
    the columns with the `cluster` or `x-bigquery-cluster` hint in schema order (as 1.31)."""
    ordered = table.get(CLUSTER_COLUMNS_HINT)
    if ordered:
        names = [resolve_column(table, name, naming, "clustered by")["name"] for name in ordered]
    else:
        names = [c["name"] for c in typed_columns(table)
                 if c.get("cluster") or c.get(CLUSTER_HINT)]
    if len(names) > MAX_CLUSTER_COLUMNS:
        raise DestinationTerminalError(
            f"Table {table['name']} has {len(names)} cluster columns ({', '.join(names)});"
            f" BigQuery clusters by at most {MAX_CLUSTER_COLUMNS}. Keep four of them."
        )
    return names


# -- table options --------------------------------------------------------------------------


def expiration_timestamp(value: Any, table_name: str) -> datetime:
    """The table expiration hint as an aware UTC datetime (the schema stores it as text)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            from dateutil import parser

            try:
                value = parser.parse(value)
            except (ValueError, OverflowError):
                raise DestinationTerminalError(
                    f"Table {table_name} has {TABLE_EXPIRATION_HINT}={value!r}, which is not a"
                    " datetime; set it with bigquery_adapter(table_expiration_datetime=...)."
                ) from None
    if not isinstance(value, datetime):
        raise DestinationTerminalError(
            f"Table {table_name} has {TABLE_EXPIRATION_HINT}={value!r}, which is not a datetime;"
            " set it with bigquery_adapter(table_expiration_datetime=...)."
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def table_options(table: dict[str, Any], tables: dict[str, dict[str, Any]],
                  string: Quote) -> list[str]:
    """`key=value` items of the table's `OPTIONS (...)`: description (inherited by nested
    tables), expiration_timestamp and partition_expiration_days, in dlt 1.31's order."""
    options = []
    description = inherited_hint(tables, table["name"], TABLE_DESCRIPTION_HINT)
    if description and not table["name"].startswith("_dlt"):
        options.append(f"description={string(str(description))}")
    expiration = table.get(TABLE_EXPIRATION_HINT)
    if expiration:
        moment = expiration_timestamp(expiration, table["name"])
        options.append(f"expiration_timestamp=TIMESTAMP {string(moment.isoformat(sep=' '))}")
    days = table.get(PARTITION_EXPIRATION_DAYS_HINT)
    if days:
        options.append(f"partition_expiration_days={int(days)}")
    return options


def has_table_options(table: dict[str, Any]) -> bool:
    """True when the table asks for options that only CREATE TABLE sets."""
    return any(table.get(hint) for hint in OPTION_HINTS)


# -- column options -------------------------------------------------------------------------


def column_options(column: dict[str, Any], table_name: str, string: Quote) -> list[str]:
    """`key=value` items of a column's `OPTIONS (...)`: rounding_mode and description."""
    options = []
    modes = [mode for hint, mode in ((ROUND_HALF_EVEN_HINT, "ROUND_HALF_EVEN"),
                                     (ROUND_HALF_AWAY_FROM_ZERO_HINT, "ROUND_HALF_AWAY_FROM_ZERO"))
             if column.get(hint)]
    if len(modes) > 1:
        raise DestinationTerminalError(
            f"Column {column['name']} of table {table_name} has both rounding hints"
            f" ({', '.join(modes)}); a column has one rounding mode. Keep one of them."
        )
    if modes:
        if column.get("data_type") not in ROUNDING_TYPES:
            raise DestinationTerminalError(
                f"Column {column['name']} of table {table_name} has the rounding mode {modes[0]}"
                f" but type {column.get('data_type')}; BigQuery rounds NUMERIC and BIGNUMERIC"
                " columns only. Give it a decimal data_type hint (columns={'"
                + column["name"] + "': {'data_type': 'decimal'}}) or drop the rounding."
            )
        options.append(f"rounding_mode='{modes[0]}'")
    if column.get("description"):
        options.append(f"description={string(str(column['description']))}")
    return options
