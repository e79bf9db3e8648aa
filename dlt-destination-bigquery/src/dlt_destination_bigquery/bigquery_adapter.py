"""`bigquery_adapter`: BigQuery table and column hints on a resource, as in dlt 1.31.

The adapter only sets `x-bigquery-*` hints (and `x-insert-api`); the BigQuery job client turns
them into DDL (`PARTITION BY`, `CLUSTER BY`, table and column `OPTIONS`) and load settings when
it creates the table. Nothing here imports google-cloud-bigquery.

    from dlt.destinations.adapters import bigquery_adapter, bigquery_partition

    bigquery_adapter(orders, partition="created_at", cluster=["customer_id"],
                     table_description="Orders", round_half_even=["amount"])
    bigquery_adapter(events, partition=bigquery_partition.range_bucket("user_id", 0, 1000, 10))
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from dlt.destinations.utils import get_resource_for_adapter
from dlt.schema.typing import TColumnNames

if TYPE_CHECKING:
    from dlt.extract import DltResource

__all__ = [
    "AUTODETECT_SCHEMA_HINT",
    "CLUSTER_COLUMNS_HINT",
    "CLUSTER_HINT",
    "INSERT_API_HINT",
    "PARTITION_EXPIRATION_DAYS_HINT",
    "PARTITION_HINT",
    "ROUND_HALF_AWAY_FROM_ZERO_HINT",
    "ROUND_HALF_EVEN_HINT",
    "TABLE_DESCRIPTION_HINT",
    "TABLE_EXPIRATION_HINT",
    "InvalidPartitionExpiration",
    "PartitionTransformation",
    "bigquery_adapter",
    "bigquery_partition",
    "should_autodetect_schema",
]

#: column hint: partition the table by this column (a table hint `{column: template}` when the
#: partition is a `PartitionTransformation`)
PARTITION_HINT: Literal["x-bigquery-partition"] = "x-bigquery-partition"
#: column hint: cluster the table by this column (the table hint below keeps the order)
CLUSTER_HINT: Literal["x-bigquery-cluster"] = "x-bigquery-cluster"
#: table hint: the cluster columns in the order given to the adapter
CLUSTER_COLUMNS_HINT: Literal["x-bigquery-cluster-columns"] = "x-bigquery-cluster-columns"
#: column hint: `OPTIONS (rounding_mode='ROUND_HALF_AWAY_FROM_ZERO')`
ROUND_HALF_AWAY_FROM_ZERO_HINT: Literal["x-bigquery-round-half-away-from-zero"] = (
    "x-bigquery-round-half-away-from-zero"
)
#: column hint: `OPTIONS (rounding_mode='ROUND_HALF_EVEN')`
ROUND_HALF_EVEN_HINT: Literal["x-bigquery-round-half-even"] = "x-bigquery-round-half-even"
#: table hint: `OPTIONS (expiration_timestamp=...)`, a UTC datetime
TABLE_EXPIRATION_HINT: Literal["x-bigquery-table-expiration"] = "x-bigquery-table-expiration"
#: table hint: `OPTIONS (description=...)`
TABLE_DESCRIPTION_HINT: Literal["x-bigquery-table-description"] = "x-bigquery-table-description"
#: table hint: load jobs detect the schema and create the table themselves
AUTODETECT_SCHEMA_HINT: Literal["x-bigquery-autodetect-schema"] = "x-bigquery-autodetect-schema"
#: table hint: `OPTIONS (partition_expiration_days=...)`
PARTITION_EXPIRATION_DAYS_HINT: Literal["x-bigquery-partition-expiration-days"] = (
    "x-bigquery-partition-expiration-days"
)
#: table hint: `"streaming"` (tabledata.insertAll) or `"default"` (load jobs)
INSERT_API_HINT: Literal["x-insert-api"] = "x-insert-api"

INSERT_APIS = ("streaming", "default")


class InvalidPartitionExpiration(ValueError, AssertionError):
    """`partition_expiration_days` is not a whole number of days.

    A `ValueError` like the adapter's other errors, and an `AssertionError` too, because dlt
    1.31 checks this argument with `assert` (and so scripts may catch that)."""


class PartitionTransformation:
    """A partitioning expression for `bigquery_adapter(partition=...)`.

    `template` is the expression after `PARTITION BY` with a `{column_name}` placeholder, e.g.
    `"TIMESTAMP_TRUNC({column_name}, HOUR)"`; the client puts the quoted column name in."""

    template: str
    """The expression with a `{column_name}` placeholder."""
    column_name: str
    """The column the expression partitions by."""

    def __init__(self, template: str, column_name: str) -> None:
        self.template = template
        self.column_name = column_name

    def __repr__(self) -> str:
        return f"PartitionTransformation({self.template!r}, {self.column_name!r})"


class bigquery_partition:  # noqa: N801 - the public name of dlt 1.31
    """Helpers that make `PartitionTransformation`s for `bigquery_adapter(partition=...)`."""

    @staticmethod
    def range_bucket(column_name: str, start: int, end: int,
                     interval: int = 1) -> PartitionTransformation:
        """Integer range partitioning of `column_name`: buckets of `interval` from `start`
        (inclusive) to `end` (exclusive), i.e.
        `RANGE_BUCKET(column, GENERATE_ARRAY(start, end, interval))`."""
        template = f"RANGE_BUCKET({{column_name}}, GENERATE_ARRAY({start}, {end}, {interval}))"
        return PartitionTransformation(template, column_name)


def _column_list(value: Any, argument: str) -> list[str]:
    """`value` (one column name or a list of them) as a list; anything else is a ValueError."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ValueError(
            f"`{argument}` must be a list of column names or a single column name as a string,"
            f" not {type(value).__name__} {value!r}."
        )
    for name in value:
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"`{argument}` must hold column names (non-empty strings), but it holds {name!r}."
            )
    return value


def _parse_expiration(value: Any) -> datetime:
    """The table expiration as a datetime in UTC, as dlt 1.31 reads it: parsed by dateutil,
    any time zone it names replaced by UTC."""
    from dateutil import parser

    if not isinstance(value, str):
        raise ValueError(
            "`table_expiration_datetime` must be a string with the datetime when the BigQuery"
            f" table is deleted (e.g. '2030-01-01'), not {type(value).__name__} {value!r}."
        )
    try:
        return parser.parse(value).replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise ValueError(
            f"`table_expiration_datetime={value}` could not be parsed as a datetime; give it as"
            " e.g. '2030-01-01' or '2030-01-01T12:00:00' (always taken as UTC)."
        ) from exc


def _check_partition_expiration(days: Any) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidPartitionExpiration(
            f"`partition_expiration_days` must be a whole number of days (an int >= 0), not"
            f" {days!r}."
        )
    return days


def _drop_column_partition_hints(resource: Any) -> None:
    """Remove `x-bigquery-partition` from the resource's column hints: a table has one
    partition, so a new `partition` replaces the one given before (as in dlt 1.31)."""
    columns = resource.columns
    if isinstance(columns, dict):
        for column in columns.values():
            column.pop(PARTITION_HINT, None)


def _set_column_hint(columns: dict[str, dict[str, Any]], name: str, hint: str) -> None:
    columns.setdefault(name, {"name": name})[hint] = True


def bigquery_adapter(
    data: Any,
    partition: Union[TColumnNames, PartitionTransformation] = None,
    cluster: TColumnNames = None,
    round_half_away_from_zero: TColumnNames = None,
    round_half_even: TColumnNames = None,
    table_description: Optional[str] = None,
    table_expiration_datetime: Optional[str] = None,
    insert_api: Optional[Literal["streaming", "default"]] = None,
    autodetect_schema: Optional[bool] = None,
    partition_expiration_days: Optional[int] = None,
) -> "DltResource":
    """Set BigQuery hints on `data` (a resource, a source with one resource, or plain data,
    which becomes a resource) and return the resource.

    Args:
        data: the data to load; plain data is wrapped into a resource.
        partition: one column name to partition the table by (a `date` column by day, a
            `timestamp` column by `DATE(column)`, a `bigint` column in 86,400-wide range
            buckets), or a `PartitionTransformation` (see `bigquery_partition`).
        cluster: a column name or a list of them to cluster the table by, in that order.
        round_half_away_from_zero: NUMERIC/BIGNUMERIC columns that round halfway values away
            from zero when written; not the same columns as `round_half_even`.
        round_half_even: NUMERIC/BIGNUMERIC columns that round halfway values to the even digit.
        table_description: the table's description.
        table_expiration_datetime: when BigQuery deletes the table, e.g. "2030-01-01"; always
            taken as UTC.
        insert_api: "streaming" inserts rows with the streaming API (tabledata.insertAll);
            only for `write_disposition="append"`. "default" uses load jobs.
        autodetect_schema: True lets the load jobs detect the schema and create the table.
        partition_expiration_days: days after which a date/time partition is deleted.

    Returns:
        The resource with the hints applied.

    Raises:
        ValueError: when an argument is invalid, or none is given.
    """
    resource = get_resource_for_adapter(data)
    column_hints: dict[str, dict[str, Any]] = {}
    table_hints: dict[str, Any] = {}
    dropped_table_hints: list[str] = []

    if partition:
        if not isinstance(partition, (str, PartitionTransformation)):
            raise ValueError(
                "`partition` must be a single column name as a `str` or a"
                " `PartitionTransformation` (see `bigquery_partition`), not"
                f" {type(partition).__name__} {partition!r}."
            )
        _drop_column_partition_hints(resource)
        if isinstance(partition, str):
            _set_column_hint(column_hints, partition, PARTITION_HINT)
            # a transformation given before is replaced too
            dropped_table_hints.append(PARTITION_HINT)
        else:
            table_hints[PARTITION_HINT] = {partition.column_name: partition.template}

    if cluster:
        cluster = _column_list(cluster, "cluster")
        for name in cluster:
            _set_column_hint(column_hints, name, CLUSTER_HINT)
        table_hints[CLUSTER_COLUMNS_HINT] = list(cluster)

    if round_half_away_from_zero:
        round_half_away_from_zero = _column_list(
            round_half_away_from_zero, "round_half_away_from_zero")
        for name in round_half_away_from_zero:
            _set_column_hint(column_hints, name, ROUND_HALF_AWAY_FROM_ZERO_HINT)

    if round_half_even:
        round_half_even = _column_list(round_half_even, "round_half_even")
        for name in round_half_even:
            _set_column_hint(column_hints, name, ROUND_HALF_EVEN_HINT)

    if round_half_away_from_zero and round_half_even:
        both = set(round_half_away_from_zero) & set(round_half_even)
        if both:
            raise ValueError(
                f"Columns {sorted(both)} are in both `round_half_away_from_zero` and"
                " `round_half_even`; a column has one rounding mode, so name each in one of them."
            )

    if table_description:
        if not isinstance(table_description, str):
            raise ValueError(
                "`table_description` must be a string with the BigQuery table description, not"
                f" {type(table_description).__name__} {table_description!r}."
            )
        table_hints[TABLE_DESCRIPTION_HINT] = table_description

    if autodetect_schema:
        table_hints[AUTODETECT_SCHEMA_HINT] = autodetect_schema

    if table_expiration_datetime:
        table_hints[TABLE_EXPIRATION_HINT] = _parse_expiration(table_expiration_datetime)

    if partition_expiration_days is not None:
        table_hints[PARTITION_EXPIRATION_DAYS_HINT] = _check_partition_expiration(
            partition_expiration_days)

    if insert_api is not None:
        if insert_api not in INSERT_APIS:
            raise ValueError(
                f"`insert_api` must be 'streaming' or 'default', not {insert_api!r}."
            )
        if insert_api == "streaming" and resource.write_disposition != "append":
            raise ValueError(
                "BigQuery streaming insert only accepts `write_disposition='append'`, but resource"
                f" '{resource.name}' has `write_disposition={resource.write_disposition!r}`. Use"
                " insert_api='default' (load jobs) for merge and replace."
            )
        table_hints[INSERT_API_HINT] = insert_api

    if not column_hints and not table_hints:
        raise ValueError(
            "bigquery_adapter needs AT LEAST one of `partition`, `cluster`,"
            " `round_half_away_from_zero`, `round_half_even`, `table_description`,"
            " `table_expiration_datetime`, `insert_api`, `autodetect_schema` or"
            " `partition_expiration_days`."
        )
    _apply(resource, column_hints, table_hints, dropped_table_hints)
    return resource


def _apply(resource: Any, column_hints: dict[str, dict[str, Any]], table_hints: dict[str, Any],
           dropped_table_hints: list[str]) -> None:
    """Merge the hints into the resource's: column hints into its columns, table hints into
    the table hints it has (later adapter calls add to earlier ones)."""
    hints: dict[str, Any] = {}
    if column_hints:
        # only when there are some: `columns={}` would replace the resource's columns
        hints["columns"] = column_hints
    if table_hints or dropped_table_hints:
        merged = dict(resource.hints.get("additional_table_hints") or {})
        for name in dropped_table_hints:
            merged.pop(name, None)
        merged.update(table_hints)
        hints["additional_table_hints"] = merged
    resource.apply_hints(**hints)


def should_autodetect_schema(table: dict[str, Any]) -> bool:
    """True when the table's schema is left to BigQuery's detection (`autodetect_schema`)."""
    return bool(table.get(AUTODETECT_SCHEMA_HINT, False))
