"""`dlt.mark`: wrap an item a resource yields with the table it goes to or hints for its table.

    yield dlt.mark.with_table_name(item, "events_" + item["kind"])
    yield dlt.mark.with_hints(page, dlt.mark.make_hints(primary_key="id"))
    yield dlt.mark.materialize_table_schema()  # the table exists, with its columns, without rows

The extractor unwraps marked items: the data goes on through the resource's steps and
transformers unchanged, the mark decides the table and updates the resource's hints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlt.extract.hints import TableHints
from dlt.extract.hints import make_hints as _validated_hints


@dataclass(frozen=True)
class TableNameMeta:
    """The table an item is dispatched to."""

    table_name: str


@dataclass(frozen=True)
class HintsMeta:
    """Hints merged into the resource (and its table) when the item is extracted."""

    hints: TableHints
    create_table_variant: bool = False


@dataclass(frozen=True)
class DataItemWithMeta:
    """An item (or page) a resource yielded together with a mark."""

    meta: Any
    data: Any


def with_table_name(item: Any, table_name: str) -> DataItemWithMeta:
    """Mark `item` (an item or a page) to load into the table `table_name`."""
    return DataItemWithMeta(TableNameMeta(table_name), item)


def with_hints(item: Any, hints: TableHints | None = None,
               create_table_variant: bool = False) -> DataItemWithMeta:
    """Mark `item` so that `hints` (made with `make_hints`) update its resource when extracted.

    With `table_name` in the hints the item also goes to that table, as with `with_table_name`.
    """
    return DataItemWithMeta(HintsMeta(hints or {}, create_table_variant), item)


def make_hints(table_name: Any = None, write_disposition: Any = None, columns: Any = None,
               primary_key: Any = None, merge_key: Any = None, schema_contract: Any = None,
               table_format: str | None = None, file_format: str | None = None,
               max_table_nesting: int | None = None, incremental: Any = None,
               nested_hints: Any = None, additional_table_hints: dict[str, Any] | None = None,
               references: Any = None) -> TableHints:
    """Validated table hints (only the ones given), for `with_hints` or `apply_hints`;
    `references` and `additional_table_hints` as in `dlt.resource`."""
    return _validated_hints(
        table_name=table_name, write_disposition=write_disposition, columns=columns,
        primary_key=primary_key, merge_key=merge_key, schema_contract=schema_contract,
        table_format=table_format, file_format=file_format, max_table_nesting=max_table_nesting,
        incremental=incremental, nested_hints=nested_hints,
        additional_table_hints=additional_table_hints, references=references, _partial=True,
    )


def make_nested_hints(columns: Any = None, primary_key: Any = None, merge_key: Any = None,
                      schema_contract: Any = None, file_format: str | None = None) -> TableHints:
    """Hints for a nested table, as values of a resource's `nested_hints` dict."""
    return _validated_hints(columns=columns, primary_key=primary_key, merge_key=merge_key,
                            schema_contract=schema_contract, file_format=file_format,
                            _partial=True)


class MaterializedEmptyList(list):  # type: ignore[type-arg]
    """An empty page that makes its table exist in the destination, with the columns the
    resource's hints declare and dlt's `_dlt_load_id` / `_dlt_id`, though no row comes."""


def materialize_table_schema() -> MaterializedEmptyList:
    """Yield this from a resource to create its table without loading a row (as dlt 1.31):
    the table gets the columns of the resource's `columns` hints."""
    return MaterializedEmptyList()


def unwrap(item: Any) -> Any:
    """The data of a marked item; any other item as it is."""
    return item.data if type(item) is DataItemWithMeta else item


__all__ = ["DataItemWithMeta", "HintsMeta", "TableNameMeta", "make_hints", "make_nested_hints",
           "with_hints", "with_table_name"]
