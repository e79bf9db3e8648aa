"""The table hints half of `DltResource`: where its items load and what their table looks like."""

from __future__ import annotations

import copy
from typing import Any

from dlt.extract.hints import InvalidHintError, TableHints, make_hints, table_schema_from_hints
from dlt.schema.typing import TTableSchema


class TableVariantError(InvalidHintError, ValueError):
    """Hints for a table variant that cannot be one: no table name as a string (a
    `ValueError`, as in dlt 1.31), or an incremental."""


class ResourceHints:
    """Table hints of a resource, readable and settable one by one as in dlt 1.31."""

    name: str
    _hints: TableHints
    _hints_variants: dict[str, TableHints]
    """Hints of tables this resource's items are sent to by name (`create_table_variant`), used
    for those tables in place of `_hints`."""

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

    def apply_hints(self, create_table_variant: bool = False, **hints: Any) -> Any:
        """Set table hints (`table_name`, `write_disposition`, `primary_key`, `merge_key`,
        `columns`, `max_table_nesting`, `schema_contract`, `file_format`, `incremental`,
        `nested_hints`, `additional_table_hints`). Returns the resource, so calls can be chained.

        As in dlt 1.31, `columns` given as a dict or list is merged into the columns the
        resource has: new columns are added and a given column's hints update that column's;
        `columns={}`, a function or a pydantic model replaces them.

        With `create_table_variant=True` the hints are for the table `table_name` (a string)
        only: they start from a copy of the resource's hints and serve the items sent to that
        table (`dlt.mark.with_table_name`, or `with_hints(..., create_table_variant=True)`),
        as in dlt 1.31."""
        new = make_hints(**hints, _partial=True)
        given = hints.get("columns")
        self._update_hints(new, isinstance(given, (dict, list, tuple)) and bool(given),
                           self._variant_for(new) if create_table_variant else None)
        return self

    def merge_hints(self, hints_template: dict[str, Any], create_table_variant: bool = False) -> None:
        """Update the hints with ones made by `dlt.mark.make_hints`, as `apply_hints` does:
        their columns merge into the resource's, unless they come from a pydantic model. With
        `create_table_variant` they go to the variant of the table they name (see
        `apply_hints`)."""
        columns = hints_template.get("columns")
        self._update_hints(dict(hints_template),
                           isinstance(columns, dict) and bool(columns) and "validator_model" not in hints_template,
                           self._variant_for(hints_template) if create_table_variant else None)

    def _variant_for(self, new: dict[str, Any]) -> TableHints:
        """The hints variant of the table `new` names, made from the resource's hints (without
        those that are functions of the item) the first time."""
        table_name = new.get("table_name")
        if not isinstance(table_name, str):
            raise TableVariantError(
                f"Resource '{self.name}': a table variant of hints needs table_name as a string,"
                f" got {table_name!r}.")
        if new.get("incremental") is not None:
            raise TableVariantError(
                f"Resource '{self.name}': incremental can be set on the resource's hints only, not in"
                f" the variant for table '{table_name}'.")
        variants = self.__dict__.setdefault("_hints_variants", {})
        variant = variants.get(table_name)
        if variant is None:
            variant = variants[table_name] = {
                key: copy.deepcopy(value) for key, value in self._hints.items() if not callable(value)}
        return variant

    def hints_for_table(self, table_name: Any) -> TableHints:
        """The hints that serve items sent to `table_name`: its variant, else the resource's."""
        variants = self.__dict__.get("_hints_variants")
        if variants and isinstance(table_name, str) and table_name in variants:
            return variants[table_name]
        return self._hints

    def _update_hints(self, new: dict[str, Any], merge_columns: bool,
                      target: TableHints | None = None) -> None:
        """Take the validated hints `new` into `target` (the resource's hints by default); with
        `merge_columns` its columns update the existing ones column by column instead of
        replacing them. `additional_table_hints` update the ones the resource has, as in dlt
        1.31 (an empty dict removes them all)."""
        if target is None:
            target = self._hints
        existing = target.get("columns")
        if merge_columns and isinstance(existing, dict):
            merged = {name: dict(column) for name, column in existing.items()}
            for name, column in new["columns"].items():
                merged[name] = {**merged.get(name, {}), **column}
            new["columns"] = merged
        extra = new.get("additional_table_hints")
        if extra == {}:
            new.pop("additional_table_hints")
            target.pop("additional_table_hints", None)
        elif extra and isinstance(target.get("additional_table_hints"), dict):
            new["additional_table_hints"] = {**target["additional_table_hints"], **extra}
        target.update(new)

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
        hints = self.hints_for_table(table_name) if isinstance(meta, TableNameMeta) else self._hints
        table = table_schema_from_hints(hints, table_name, self.name, item)
        table.setdefault("write_disposition", "append")
        if hints is not self._hints:
            table["variant_name"] = table_name  # as 1.31 marks a table variant's schema
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
    arguments = {k: v for k, v in hints.items()
                 if k not in ("merge_strategy", "validator_model", "primary_key_is_name")}
    if hints.get("merge_strategy"):
        arguments["write_disposition"] = {"disposition": hints.get("write_disposition"),
                                          "strategy": hints["merge_strategy"]}
    return arguments
