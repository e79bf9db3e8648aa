"""Merge and replace strategies: what a table asks for, and checks that it can be done.

The hints live in the table schema as dlt 1.31 stores them: `x-merge-strategy` on the root
table (`delete-insert` when absent), the scd2 settings `x-boundary-timestamp`,
`x-retire-absent-rows`, and column hints `x-valid-from`, `x-valid-to`,
`x-active-record-timestamp`, `x-row-version`, `dedup_sort` and `hard_delete`. Normalize, the
SQL job client and the pipeline read them through the functions here, so the rules are in one
place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from dlt.destinations.base import DestinationTerminalError
from dlt.schema import Schema
from dlt.schema.typing import ID_COLUMN, TTableSchema
from dlt.utils.iso_text import datetime_from_iso

MERGE_STRATEGIES: tuple[str, ...] = ("delete-insert", "upsert", "insert-only", "scd2")
"""The merge strategies of dlt 1.31."""
REPLACE_STRATEGIES: tuple[str, ...] = ("truncate-and-insert", "insert-from-staging", "staging-optimized")
"""The replace strategies of dlt 1.31, chosen with `destination.replace_strategy`."""
DEFAULT_VALIDITY_COLUMNS = ("_dlt_valid_from", "_dlt_valid_to")
"""The scd2 validity columns when `validity_column_names` is not given."""
DEDUP_SORT_ORDERS = ("asc", "desc")


class MergeHintError(DestinationTerminalError):
    """A table's merge hints cannot be carried out (unknown strategy, missing column, ...)."""


class WriteDispositionNotSupported(DestinationTerminalError):
    """The destination does not support the merge or replace strategy a table asks for."""


def merge_strategy(table: TTableSchema) -> str:
    """The merge strategy of a root table: its `x-merge-strategy`, by default `delete-insert`,
    or `upsert` for Delta and Iceberg tables (the first strategy dlt 1.31 offers for them)."""
    default = "upsert" if table.get("table_format") in ("delta", "iceberg") else "delete-insert"
    return table.get("x-merge-strategy") or default


def columns_with(table: TTableSchema, hint: str, typed_only: bool = False) -> list[str]:
    """Names of the columns of `table` carrying a truthy `hint` (typed columns only if asked)."""
    return [n for n, c in table.get("columns", {}).items()
            if c.get(hint) and (not typed_only or c.get("data_type"))]


def validity_columns(table: TTableSchema) -> tuple[str, str]:
    """The (valid from, valid to) column names of an scd2 table."""
    columns = table.get("columns", {})
    valid_from = next((n for n, c in columns.items() if c.get("x-valid-from")), DEFAULT_VALIDITY_COLUMNS[0])
    valid_to = next((n for n, c in columns.items() if c.get("x-valid-to")), DEFAULT_VALIDITY_COLUMNS[1])
    return valid_from, valid_to


def row_version_column(table: TTableSchema) -> str:
    """The column whose value tells versions of an scd2 record apart (`_dlt_id`, the row hash,
    unless `row_version_column_name` named another)."""
    named = columns_with(table, "x-row-version")
    return named[0] if named else ID_COLUMN


def active_record_timestamp(table: TTableSchema) -> datetime | None:
    """The `valid to` value of active scd2 records: None (NULL) unless a timestamp was given."""
    _, valid_to = validity_columns(table)
    value = table.get("columns", {}).get(valid_to, {}).get("x-active-record-timestamp")
    return None if value is None else as_utc_datetime(value)


def as_utc_datetime(value: Any) -> datetime:
    """A timestamp hint (datetime, date, ISO string or epoch seconds) as an aware UTC datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(value, timezone.utc)
    elif isinstance(value, str):
        try:
            moment = datetime_from_iso(value)
        except ValueError:
            raise MergeHintError(
                f"The timestamp {value!r} is not an ISO 8601 date or datetime; write it like"
                " '2024-01-31' or '2024-01-31T12:00:00+00:00'."
            ) from None
    else:
        raise MergeHintError(f"The timestamp {value!r} is not a datetime, date or ISO 8601 string.")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def hard_delete_column(table: TTableSchema) -> str | None:
    """The typed column with the `hard_delete` hint, or None."""
    names = columns_with(table, "hard_delete", typed_only=True)
    return names[0] if names else None


def dedup_sort(table: TTableSchema) -> tuple[str, str] | None:
    """(column, 'asc' | 'desc') of the `dedup_sort` hint, or None."""
    for name, column in table.get("columns", {}).items():
        order = column.get("dedup_sort")
        if order:
            return name, order
    return None


def uses_stable_row_id(table: TTableSchema) -> bool:
    """True when root rows get a `_dlt_id` derived from their content or key, not a random one:
    upsert (from the primary key) and scd2 without a user row version (the row hash)."""
    if table.get("parent") or table.get("write_disposition") != "merge":
        return False
    strategy = merge_strategy(table)
    return strategy == "upsert" or (strategy == "scd2" and row_version_column(table) == ID_COLUMN)


def links_root_key(table: TTableSchema) -> bool:
    """True when nested tables of this root table get `_dlt_root_id` (merge, but not scd2)."""
    return table.get("write_disposition") == "merge" and merge_strategy(table) != "scd2"


def verify_merge_tables(schema: Schema, tables: Iterable[str], supported: tuple[str, ...]) -> None:
    """Raise `MergeHintError` or `WriteDispositionNotSupported` when the merge hints of the
    root tables among `tables` cannot be carried out; every problem is listed, naming its
    table and column."""
    problems: list[str] = []
    unsupported: list[str] = []
    roots: list[TTableSchema] = []
    for name in tables:
        if name.startswith("_dlt") or name not in schema.tables:
            continue
        root = schema.root_table(name)
        if root.get("write_disposition") == "merge" and root not in roots:
            roots.append(root)
    for table in roots:
        name = table["name"]
        strategy = merge_strategy(table)
        if strategy not in MERGE_STRATEGIES:
            problems.append(f"Table '{name}' asks for merge strategy '{strategy}'; use one of:"
                            f" {', '.join(MERGE_STRATEGIES)}.")
            continue
        if strategy not in supported:
            unsupported.append(f"Table '{name}' uses merge strategy '{strategy}', which this"
                               f" destination does not support (it supports: {', '.join(supported) or 'none'}).")
        columns = table.get("columns", {})
        sort = dedup_sort(table)
        if sort is not None:
            column, order = sort
            if order not in DEDUP_SORT_ORDERS:
                problems.append(f"Column '{column}' of table '{name}' has dedup_sort '{order}'; use 'asc' or 'desc'.")
            elif not columns[column].get("data_type"):
                problems.append(f"Column '{column}' of table '{name}' has the dedup_sort hint but the"
                                " data has no such column; name a column the resource yields.")
        for hint in ("dedup_sort", "hard_delete"):
            if len(columns_with(table, hint)) > 1:
                problems.append(f"Table '{name}' has the {hint} hint on several columns"
                                f" ({', '.join(columns_with(table, hint))}); keep it on one.")
        if strategy in ("upsert", "insert-only") and not columns_with(table, "primary_key"):
            problems.append(f"Table '{name}' uses merge strategy '{strategy}', which needs a"
                            " primary key; set primary_key on the resource.")
        if strategy == "scd2":
            version = row_version_column(table)
            if version != ID_COLUMN and not columns.get(version, {}).get("data_type"):
                problems.append(f"Column '{version}' of table '{name}' is the scd2 row version"
                                " (row_version_column_name) but the data has no such column;"
                                " name a column the resource yields.")
            for column in validity_columns(table):
                data_type = columns.get(column, {}).get("data_type")
                if data_type not in (None, "timestamp"):
                    problems.append(f"Column '{column}' of table '{name}' is an scd2 validity column"
                                    f" but has type {data_type}; validity columns are timestamps.")
    if problems:
        raise MergeHintError(" ".join(problems))
    if unsupported:
        raise WriteDispositionNotSupported(" ".join(unsupported) + " Choose a supported strategy.")


def verify_replace_strategy(strategy: str, supported: tuple[str, ...], destination: str) -> None:
    """Raise when `destination.replace_strategy` names an unknown or unsupported strategy."""
    if strategy not in REPLACE_STRATEGIES:
        raise MergeHintError(
            f"destination.replace_strategy is '{strategy}'; use one of: {', '.join(REPLACE_STRATEGIES)}"
            " (DESTINATION__REPLACE_STRATEGY)."
        )
    if strategy not in supported:
        raise WriteDispositionNotSupported(
            f"Destination {destination} does not support replace strategy '{strategy}'; it supports"
            f" {', '.join(supported)}. Set destination.replace_strategy to one of them."
        )


def verify_resource_strategies(resources: dict[str, Any], capabilities: Any, destination: str) -> None:
    """Raise `WriteDispositionNotSupported` before extract when a resource asks for a merge
    strategy (or merge at all) that the destination's capabilities do not list.

    `resources` maps resource names to their hints (`DltResource.hints`)."""
    if not capabilities.supports_merge:
        return  # merge tables are appended to, as in dlt 1.31 (the filesystem destination)
    supported = tuple(capabilities.supported_merge_strategies)
    problems = []
    for name, hints in resources.items():
        if hints.get("write_disposition") != "merge":
            continue
        strategy = (hints.get("merge_strategy") or {}).get("strategy") or "delete-insert"
        if strategy in MERGE_STRATEGIES and strategy not in supported:
            problems.append(f"Resource '{name}' uses merge strategy '{strategy}', which destination"
                            f" {destination} does not support (it supports: {', '.join(supported) or 'no merge'}).")
    if problems:
        raise WriteDispositionNotSupported(
            " ".join(problems) + " Choose a supported strategy or another write disposition.")
