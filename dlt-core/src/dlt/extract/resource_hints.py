"""The table hints half of `DltResource`: where its items load and what their table looks like."""

from __future__ import annotations

import copy
from typing import Any

from dlt.extract.hints import TableHints, make_hints, table_schema_from_hints
from dlt.schema.typing import TTableSchema


class ResourceHints:
    """Table hints of a resource, readable and settable one by one as in dlt 1.31."""

    name: str
    _hints: TableHints

    @property
    def table_name(self) -> Any:
        """The table the items load into: a name, or a function of the item."""
        return self._hints.get("table_name") or self.name

    @table_name.setter
    def table_name(self, value: Any) -> None:
        self.apply_hints(table_name=value)

    @property
    def write_disposition(self) -> Any:
        """`append`, `replace` or `merge`."""
        return self._hints.get("write_disposition") or "append"

    @write_disposition.setter
    def write_disposition(self, value: Any) -> None:
        self.apply_hints(write_disposition=value)

    @property
    def columns(self) -> dict[str, dict[str, Any]] | None:
        """The column hints by name (a pydantic model given as columns shows as its columns)."""
        return self._hints.get("columns")

    @columns.setter
    def columns(self, value: Any) -> None:
        self.apply_hints(columns=value)

    @property
    def max_table_nesting(self) -> int | None:
        """How many levels of nested data become nested tables (0: none, None: no limit)."""
        return self._hints.get("max_table_nesting")

    @max_table_nesting.setter
    def max_table_nesting(self, value: int | None) -> None:
        if value is None:
            self._hints["max_table_nesting"] = None
        else:
            self.apply_hints(max_table_nesting=value)

    @property
    def schema_contract(self) -> dict[str, str] | None:
        """The schema contract of the resource's table (implied by a pydantic model columns)."""
        return self._hints.get("schema_contract")

    @property
    def nested_hints(self) -> dict[tuple[str, ...], TableHints] | None:
        """Hints of nested tables by their path below the resource's table."""
        return self._hints.get("nested_hints")

    @property
    def hints(self) -> TableHints:
        """The table hints of this resource (a copy)."""
        return copy.deepcopy(self._hints)

    @property
    def incremental(self) -> Any:
        """The incremental cursor of this resource, if it has one."""
        return self._hints.get("incremental")

    def apply_hints(self, **hints: Any) -> Any:
        """Set table hints (`table_name`, `write_disposition`, `primary_key`, `merge_key`,
        `columns`, `max_table_nesting`, `schema_contract`, `file_format`, `incremental`,
        `nested_hints`, `additional_table_hints`). Returns the resource, so calls can be chained.

        As in dlt 1.31, `columns` given as a dict or list is merged into the columns the
        resource has: new columns are added and a given column's hints update that column's;
        `columns={}`, a function or a pydantic model replaces them."""
        new = make_hints(**hints, _partial=True)
        given = hints.get("columns")
        self._update_hints(new, isinstance(given, (dict, list, tuple)) and bool(given))
        return self

    def merge_hints(self, hints_template: dict[str, Any], create_table_variant: bool = False) -> None:
        """Update the hints with ones made by `dlt.mark.make_hints`, as `apply_hints` does:
        their columns merge into the resource's, unless they come from a pydantic model.
        (`create_table_variant` is accepted for dlt 1.31's signature; hints apply to the
        resource, whatever table they name.)"""
        columns = hints_template.get("columns")
        self._update_hints(dict(hints_template),
                           isinstance(columns, dict) and bool(columns) and "validator_model" not in hints_template)

    def _update_hints(self, new: dict[str, Any], merge_columns: bool) -> None:
        """Take the validated hints `new`; with `merge_columns` its columns update the
        resource's column by column instead of replacing them."""
        existing = self._hints.get("columns")
        if merge_columns and isinstance(existing, dict):
            merged = {name: dict(column) for name, column in existing.items()}
            for name, column in new["columns"].items():
                merged[name] = {**merged.get(name, {}), **column}
            new["columns"] = merged
        self._hints.update(new)

    def compute_table_name(self, item: Any) -> str:
        """The table name for `item`, evaluating a dynamic `table_name` hint."""
        table_name = self.table_name
        if callable(table_name):
            from dlt.extract.resource import ResourceExtractionError

            try:
                return table_name(item)
            except Exception as exc:
                raise ResourceExtractionError(self.name, exc, "table_name evaluation") from exc
        return table_name

    def compute_table_schema(self, item: Any = None, meta: Any = None) -> TTableSchema:
        """The table schema the hints describe; a dynamic table name needs the `item`."""
        from dlt.extract.mark import TableNameMeta
        from dlt.extract.errors import DataItemRequiredForDynamicTableHints

        if isinstance(meta, TableNameMeta):
            table_name = meta.table_name
        elif callable(self.table_name) and item is None:
            raise DataItemRequiredForDynamicTableHints(
                f"Resource '{self.name}' has a table_name function, so compute_table_schema() needs"
                " the data item the table name is computed from: compute_table_schema(item)."
            )
        else:
            table_name = self.compute_table_name(item)
        table = table_schema_from_hints(self._hints, table_name, self.name, item)
        table.setdefault("write_disposition", "append")
        return table

    def compute_nested_table_schemas(self, root_table: str, naming: Any = None) -> list[TTableSchema]:
        """Table schemas of the nested tables `nested_hints` describes, parents first; with a
        `naming` convention, table and column names are normalized by it."""
        def name_of(parts: tuple[str, ...]) -> str:
            if naming is None:
                return "__".join((root_table, *parts))
            return naming.make_path(root_table, *(naming.normalize_identifier(p) for p in parts))

        tables = []
        for path, hints in sorted((self.nested_hints or {}).items(), key=lambda entry: len(entry[0])):
            table = table_schema_from_hints(make_hints(**_as_arguments(hints)), name_of(path), self.name)
            table.pop("resource", None)
            table["parent"] = name_of(path[:-1])
            if naming is not None:
                table["columns"] = {
                    naming.normalize_identifier(name): {**column, "name": naming.normalize_identifier(name)}
                    for name, column in table["columns"].items()
                }
            tables.append(table)
        return tables


def _as_arguments(hints: TableHints) -> dict[str, Any]:
    """Hints made by `make_hints(_partial=True)` back as its keyword arguments."""
    arguments = {k: v for k, v in hints.items() if k not in ("merge_strategy", "validator_model")}
    if hints.get("merge_strategy"):
        arguments["write_disposition"] = {"disposition": hints.get("write_disposition"),
                                          "strategy": hints["merge_strategy"]}
    return arguments
