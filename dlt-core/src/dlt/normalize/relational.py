"""The relational normalizer: nested items become rows of a root table and its child tables.

Nested dicts flatten into `parent__child` columns; lists become child tables `table__field`
linked by `_dlt_parent_id` and `_dlt_list_idx`. Values are checked against their column's type,
coerced where that keeps their meaning, and otherwise stored in a variant column.
"""

from __future__ import annotations

import copy
import hashlib
import os
from datetime import datetime
from decimal import Decimal
from typing import Any

from dlt.normalize.records import as_record
from dlt.utils.exceptions import DltException
from dlt.schema import Schema
from dlt.schema.contracts import table_contract
from dlt.schema.exceptions import DataValidationError
from dlt.schema.inference import (
    DATA_TYPE_TO_PY_TYPE,
    is_iso_timestamp,
    CoercionError,
    coerce_value,
    infer_data_type,
)
from dlt.schema.typing import (
    ID_COLUMN,
    LIST_IDX_COLUMN,
    LOAD_ID_COLUMN,
    PARENT_ID_COLUMN,
    ROOT_ID_COLUMN,
    VARIANT_SEPARATOR,
)

DEFAULT_MAX_NESTING = 1000
SYSTEM_COLUMN_HINTS: dict[str, dict[str, bool]] = {
    ID_COLUMN: {"row_key": True, "unique": True},
    PARENT_ID_COLUMN: {"parent_key": True},
    ROOT_ID_COLUMN: {"root_key": True},
}
"""Hints of dlt's own columns: `_dlt_id` is the row key, the others link nested rows."""

EMPTY_KEY = "_empty"
"""The column name of an empty key."""


def system_column(name: str) -> dict[str, Any]:
    """The schema of dlt's own column `name` as normalize adds it: not null, `bigint` for
    `_dlt_list_idx` and `text` for the others, with its `SYSTEM_COLUMN_HINTS`."""
    data_type = "bigint" if name == LIST_IDX_COLUMN else "text"
    return {"name": name, "data_type": data_type, "nullable": False, **SYSTEM_COLUMN_HINTS.get(name, {})}


class UnsupportedValueError(DltException):
    """A value has a Python type dlt cannot store."""


class _DiscardRow(Exception):
    pass


class RowNormalizer:
    """Normalizes items into rows per table and keeps the schema's columns up to date."""

    def __init__(self, schema: Schema, load_id: str, *, add_load_id: bool = True) -> None:
        self.schema = schema
        self.naming = schema.naming
        self.load_id = load_id
        self.add_load_id = add_load_id
        self.detect_timestamps = "iso_timestamp" in (schema.settings.get("detections") or [])
        self._id_prefix = os.urandom(5).hex()
        self._id_counter = 0
        self._key_maps: dict[str, dict[str, str]] = {}
        self._base_names: dict[str, dict[str, str]] = {}
        self._child_tables: dict[tuple[str, str], str] = {}
        self._registered: set[str] = set()
        self._json_columns: dict[str, set[str]] = {}
        self._types: dict[str, dict[str, type | None]] = {}
        # a table counts as existing for contracts once rows were normalized into it (its dlt
        # columns are there), as dlt's "seen-data"; tables that only have hints are still new
        self._contracts: dict[str, dict[str, str]] = {}
        self._existing_tables = {
            t["name"] for t in schema.data_tables()
            if ID_COLUMN in t["columns"] or LOAD_ID_COLUMN in t["columns"]
        }
        self.changed_tables: set[str] = set()

    # -- ids ----------------------------------------------------------------------------------

    def _new_id(self) -> str:
        # a random prefix of 10 hex characters per normalizer, then a decimal counter
        self._id_counter += 1
        return f"{self._id_prefix}{self._id_counter}"

    def new_ids(self, count: int) -> list[str]:
        """`count` new `_dlt_id` values, as `_new_id` would give them one by one."""
        start = self._id_counter + 1
        self._id_counter += count
        prefix = self._id_prefix
        return [f"{prefix}{i}" for i in range(start, start + count)]

    def new_ids_array(self, count: int) -> Any:
        """The same `count` new ids as `new_ids`, as an Arrow string array built by Arrow."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from dlt.utils.arrow_ranges import arrow_range

        start = self._id_counter + 1
        self._id_counter += count
        counters = pc.cast(arrow_range(start, count), pa.string())
        return pc.binary_join_element_wise(pa.scalar(self._id_prefix), counters, "")

    # -- what the columnar path may rely on ---------------------------------------------------

    def is_registered(self, table: str, child: bool = False, merge_root: bool = False) -> bool:
        """True when the rows the columnar paths give `table` add no dlt system column to its
        schema: a row of this normalize registered it, or (a table of an earlier load) the
        schema types every such column already. Root rows carry `_dlt_id` (and `_dlt_load_id`
        when it is added), child rows `_dlt_parent_id`, `_dlt_list_idx` and `_dlt_id` (and
        `_dlt_root_id` in merge chains)."""
        if table in self._registered:
            return True
        columns = self.schema.tables.get(table, {}).get("columns")
        if not columns:
            return False
        if child:
            names = [PARENT_ID_COLUMN, LIST_IDX_COLUMN, ID_COLUMN] + ([ROOT_ID_COLUMN] if merge_root else [])
        else:
            names = [ID_COLUMN] + ([LOAD_ID_COLUMN] if self.add_load_id else [])
        if not all(columns.get(name, {}).get("data_type") for name in names):
            return False
        self._registered.add(table)
        return True

    def scope_names(self, table: str, prefix: str = "") -> dict[str, str]:
        """raw key -> column name for one dict level of `table` (keys seen so far): the top
        level, or the dict under column-name prefix `prefix`."""
        return self._scope_names(table, prefix)

    def name_of(self, table: str, prefix: str, key: str) -> str:
        """The column name the row path gives `key` at one dict level of `table` (under
        column-name prefix `prefix`), named now if this normalize has not met it yet. Names
        are given in the order keys are first met, as the row path does, so a key that
        normalizes to a name already taken gets the same suffix on both paths."""
        names = self._scope_names(table, prefix)
        name = names.get(key)
        return name if name is not None else self._new_name(names, table, prefix, key)

    def child_table_of(self, table: str, name: str) -> str:
        """The child table lists under column `name` of `table` go to (as the row path names
        it); whether it exists yet is `is_registered`'s question."""
        child = self._child_tables.get((table, name))
        if child is None:
            child = self._child_tables[(table, name)] = self.naming.shorten_fragments(table, name)
        return child

    def is_json_column(self, table: str, name: str) -> bool:
        """True when column `name` of `table` stores nested values as json."""
        return self._is_json_column(table, name)

    def id_mark(self) -> int:
        """A mark to `rewind_ids` to: ids handed out after it are given again."""
        return self._id_counter

    def rewind_ids(self, mark: int) -> None:
        """Take back the ids handed out since `id_mark()` returned `mark` (a page that went
        back to the row path gets the same ids there)."""
        self._id_counter = mark

    def known_types(self, table: str) -> dict[str, type | None]:
        """column name -> the Python type its values have without any check."""
        return self._types_of(table)

    # -- names --------------------------------------------------------------------------------

    def _column_name(self, table: str, key: str) -> str:
        key_map = self._base_names.get(table)
        if key_map is None:
            key_map = self._base_names[table] = {}
        name = key_map.get(key)
        if name is None:
            # a key is a path as in dlt 1.31: `a__b` keeps its separator, each part normalized
            name = self.naming.normalize_path(key) if key and key.strip() else ""
            if not name:
                # dlt 1.31 names an empty key `_empty` (and fails later); we keep its value
                name = EMPTY_KEY
            if name in key_map.values():
                # another key of this table already maps here: keep both, deterministically
                name = self.naming.normalize_path(f"{name}_{_short_hash(key)}")
            key_map[key] = name
        return name

    # -- contracts ----------------------------------------------------------------------------

    def _contract(self, table: str, entity: str) -> str:
        """The contract mode of `entity` for `table` (asked only when a change is about to happen)."""
        contract = self._contracts.get(table)
        if contract is None:
            contract = self._contracts[table] = table_contract(self.schema.tables, self.schema.settings, table)
        return contract[entity]

    def _violation(self, table: str, column: str | None, entity: str, row: dict[str, Any]) -> DataValidationError:
        """The error for data that breaks a frozen contract, with dlt 1.31's context fields."""
        existing = None if entity == "tables" else copy.deepcopy(self.schema.tables.get(table))
        return DataValidationError(self.schema.name, table, None if entity == "tables" else column,
                                   entity, "freeze", existing, dict(self._contracts[table]),
                                   dict(row))

    # -- the walk -----------------------------------------------------------------------------

    def normalize_item(self, table: str, item: Any, max_nesting: int | None = None,
                       merge_root: bool = False) -> list[tuple[str, dict[str, Any]]]:
        """Untyped rows `(table, row)` for one item, root row first."""
        item, row, row_id, limit = self._root_row(item, max_nesting)
        out: list[tuple[str, dict[str, Any]]] = [(table, row)]
        self._flatten(table, item, row, "", 0, limit, out, row_id, row_id if merge_root else None)
        return out

    def _root_row(self, item: Any, max_nesting: int | None) -> tuple[dict[str, Any], dict[str, Any], str, int]:
        """The item as a dict, a new root row with its dlt ids, the id and the nesting limit."""
        if not isinstance(item, dict):
            record = as_record(item)
            item = record if record is not None else {"value": item}
        row: dict[str, Any] = {}
        if self.add_load_id:
            row[LOAD_ID_COLUMN] = self.load_id
        row_id = self._new_id()
        row[ID_COLUMN] = row_id
        return item, row, row_id, DEFAULT_MAX_NESTING if max_nesting is None else max_nesting

    def normalize_item_typed(self, table: str, item: Any, max_nesting: int | None = None,
                             merge_root: bool = False) -> list[tuple[str, dict[str, Any]]]:
        """Typed rows `(table, row)` for one item: unpacking and type checks in one pass.

        Values whose type is not exactly their column's are inferred, coerced or sent to a
        variant column afterwards; rows a contract discards are left out.
        """
        item, row, row_id, limit = self._root_row(item, max_nesting)
        self._types_of(table)
        odd: list[str] = []
        out: list[Any] = [(table, row, odd)]
        self._flatten(table, item, row, "", 0, limit, out, row_id, row_id if merge_root else None,
                      None, odd)
        typed: list[tuple[str, dict[str, Any]]] = []
        for table_name, table_row, names in out:
            if names:
                try:
                    self._type_odd(table_name, table_row, names)
                except _DiscardRow:
                    continue
            if table_name not in self._registered:
                self._register_system_columns(table_name, table_row)
            typed.append((table_name, table_row))
        return typed

    def _types_of(self, table: str) -> dict[str, type | None]:
        """Known column types of `table` (types whose values need no further check)."""
        types = self._types.get(table)
        if types is None:
            if table not in self.schema.tables:
                self.schema.update_table({"name": table, "columns": {}})
            types = self._types[table] = self._known_types(table)
        return types

    def _register_system_columns(self, table: str, row: dict[str, Any]) -> None:
        """Add the dlt columns a kept row of `table` carries (ids, load id) to the schema."""
        self._registered.add(table)
        columns = self.schema.tables[table]["columns"]
        types = self._types_of(table)
        # in dlt 1.31's order: `_dlt_load_id`, `_dlt_id` in root tables; `_dlt_root_id`,
        # `_dlt_parent_id`, `_dlt_list_idx`, `_dlt_id` in nested ones
        for name in (LOAD_ID_COLUMN, ROOT_ID_COLUMN, PARENT_ID_COLUMN, LIST_IDX_COLUMN, ID_COLUMN):
            if name in row and not columns.get(name, {}).get("data_type"):
                column = system_column(name)
                self.schema.update_column(table, column)
                types[name] = _fast_type(column["data_type"])
                self.changed_tables.add(table)

    def _type_odd(self, table: str, row: dict[str, Any], names: list[str]) -> None:
        types = self._types[table]
        get = types.get
        for name in names:
            value = row.get(name)
            if value is None:
                continue
            if type(value) is str and get(name) is datetime and is_iso_timestamp(value):
                continue
            if type(value) is get(name):
                # an earlier value of this row created the column with this very type
                continue
            self._type_value(table, row, name, value, types)

    def name_maps(self) -> dict[str, dict[str, str]]:
        """raw key -> column name for every dict level seen (to compare parallel workers)."""
        return {scope: dict(names) for scope, names in self._key_maps.items()}

    def type_rows(self, table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Infer, check and coerce the values of `rows` in place; returns the rows kept."""
        kept = []
        for row in rows:
            try:
                self._type_row(table, row)
            except _DiscardRow:
                continue
            kept.append(row)
        return kept

    def _scope_names(self, table: str, prefix: str) -> dict[str, str]:
        """raw key -> final column name, for the keys of one dict level of a table."""
        scope = f"{table}\x00{prefix}" if prefix else table
        names = self._key_maps.get(scope)
        if names is None:
            names = self._key_maps[scope] = {}
        return names

    def _new_name(self, names: dict[str, str], table: str, prefix: str, key: str) -> str:
        if table.startswith("_dlt"):
            # system tables keep their fixed column names under every naming convention
            names[key] = key
            return key
        name = self._column_name(f"{table}\x00{prefix}" if prefix else table, key)
        if prefix:
            name = self.naming.shorten_fragments(prefix, name)
        names[key] = name
        return name

    def _flatten(self, table: str, item: dict[str, Any], row: dict[str, Any], prefix: str,
                 level: int, limit: int, out: list[tuple[str, dict[str, Any]]], row_id: str,
                 root_id: str | None, names: dict[str, str] | None = None,
                 odd: list[str] | None = None) -> None:
        """Put the values of `item` (a dict at `level` under `prefix`) into `row` and its lists'
        rows into `out`, in dlt 1.31's order, which is the order of the table's columns: the
        dict's own values first, then its nested dicts (the last one first, each with its own
        nested dicts before the next), then the lists found on the way, as child rows."""
        if names is None:
            names = self._scope_names(table, prefix)
        scalars = _SCALAR_TYPES
        if odd is not None:
            types = self._types.get(table)
            expected = (types if types is not None else self._types_of(table)).get
        else:
            expected = None
        nested: list[tuple[dict[str, Any], str, int]] = []
        lists: list[tuple[str, Any, int]] = []
        while True:
            for key, value in item.items():
                name = names.get(key)
                if name is None:
                    name = self._new_name(names, table, prefix, key)
                value_type = type(value)
                if value_type in scalars:
                    row[name] = value
                    if expected is not None and value is not None:
                        column_type = expected(name)
                        if value_type is not column_type and not (
                            # ISO strings in a timestamp column are converted in bulk by the writer
                            column_type is datetime and value_type is str and is_iso_timestamp(value)
                        ):
                            odd.append(name)
                elif isinstance(value, (dict, list, tuple)) and self._is_json_column(table, name):
                    row[name] = value if not isinstance(value, tuple) else list(value)
                    if odd is not None:
                        odd.append(name)
                elif isinstance(value, dict) or (record := as_record(value)) is not None:
                    # a record object (model, dataclass, named tuple) nests as its dict
                    value = value if isinstance(value, dict) else record
                    if level < limit and value:
                        nested.append((value, name, level + 1))
                    elif value:
                        row[name] = value
                        if odd is not None:
                            odd.append(name)
                elif isinstance(value, (list, tuple)):
                    if level < limit:
                        child_table = self._child_tables.get((table, name))
                        if child_table is None:
                            child_table = self._child_tables[(table, name)] = self.naming.shorten_fragments(table, name)
                        lists.append((child_table, value, level + 1))
                    elif value:
                        row[name] = list(value)
                        if odd is not None:
                            odd.append(name)
                else:
                    row[name] = value
                    if odd is not None:
                        odd.append(name)
            if not nested:
                break
            item, prefix, level = nested.pop()
            names = self._scope_names(table, prefix)
        for child_table, value, child_level in lists:
            self._child_rows(child_table, value, child_level, limit, out, row_id, root_id,
                             odd is not None, table)

    def _is_json_column(self, table: str, name: str) -> bool:
        json_columns = self._json_columns.get(table)
        if json_columns is None:
            columns = self.schema.tables.get(table, {}).get("columns", {})
            json_columns = self._json_columns[table] = {
                n for n, c in columns.items() if c.get("data_type") == "json"
            }
        return name in json_columns

    def _child_rows(self, table: str, items: Any, level: int, limit: int,
                    out: list[Any], parent_id: str, root_id: str | None,
                    fused: bool = False, parent_table: str | None = None) -> None:
        if table not in self.schema.tables:
            self._new_child_table(table, parent_table)
        if fused:
            self._types_of(table)
        append = out.append
        names = self._scope_names(table, "")
        flatten = self._flatten
        for index, element in enumerate(items):
            # unique within the child table: its parent ids are unique in the parent table
            child_id = f"{parent_id}_{index}"
            if root_id is None:
                row: dict[str, Any] = {PARENT_ID_COLUMN: parent_id, LIST_IDX_COLUMN: index, ID_COLUMN: child_id}
            else:
                row = {PARENT_ID_COLUMN: parent_id, LIST_IDX_COLUMN: index, ID_COLUMN: child_id,
                       ROOT_ID_COLUMN: root_id}
            odd: list[str] | None = [] if fused else None
            append((table, row, odd) if fused else (table, row))
            if type(element) is dict:
                flatten(table, element, row, "", level, limit, out, child_id, root_id, names, odd)
            elif isinstance(element, dict):
                self._flatten(table, element, row, "", level, limit, out, child_id, root_id, None, odd)
            elif isinstance(element, (list, tuple)) and level < limit and not hasattr(element, "_asdict"):
                # a list in a list: its values go to a child table named `list`, as in dlt 1.31
                self._child_rows(self.naming.shorten_fragments(table, "list"), element, level + 1,
                                 limit, out, child_id, root_id, fused, table)
            elif (record := as_record(element)) is not None:
                self._flatten(table, record, row, "", level, limit, out, child_id, root_id, None, odd)
            else:
                row["value"] = list(element) if isinstance(element, (list, tuple)) else element
                if odd is not None and element is not None:
                    odd.append("value")

    def _new_child_table(self, table: str, parent: str | None = None) -> None:
        if parent is not None and parent in self.schema.tables:
            self.schema.update_table({"name": table, "parent": parent, "columns": {}})
            return
        parent = table.rsplit(self.naming.path_separator, 1)[0]
        while parent not in self.schema.tables and self.naming.path_separator in parent:
            parent = parent.rsplit(self.naming.path_separator, 1)[0]
        self.schema.update_table({"name": table, "parent": parent, "columns": {}})

    # -- typing -------------------------------------------------------------------------------

    def _type_row(self, table: str, row: dict[str, Any]) -> None:
        types = self._types_of(table)
        get = types.get
        # values whose type is exactly their column's pass; the rest are looked at closely
        odd = [name for name, value in row.items()
               if value is not None and type(value) is not get(name)]
        for name in odd:
            value = row[name]
            if type(value) is str and get(name) is datetime and is_iso_timestamp(value):
                # ISO strings in a timestamp column are converted in bulk by the job writer
                continue
            self._type_value(table, row, name, value, types)

    def _known_types(self, table: str) -> dict[str, type | None]:
        columns = self.schema.tables.get(table, {}).get("columns", {})
        return {
            name: _fast_type(c["data_type"])
            for name, c in columns.items()
            if c.get("data_type")
        }

    def _type_value(self, table: str, row: dict[str, Any], name: str, value: Any,
                    types: dict[str, type | None]) -> None:
        table_schema = self.schema.tables.get(table)
        if table_schema is None:
            table_schema = self.schema.update_table({"name": table, "columns": {}})
        column = table_schema["columns"].get(name)
        value_type = infer_data_type(value, self.detect_timestamps)
        if value_type is None:
            raise UnsupportedValueError(
                f"Column '{name}' of table '{table}' got a value of type {type(value).__name__}"
                f" ({value!r:.100}), which dlt cannot store. Convert it to a str, number, date or"
                " dict in the resource or with resource.add_map(...)."
            )
        if value_type == "double" and value != value:
            # NaN loads as NULL in a column of any type and creates no column, as in dlt 1.31
            # (whose extract writes it as JSON null): a CSV file's empty cell in a text column
            # is NULL, not 'nan'
            row[name] = None
            return
        if column is None or not column.get("data_type"):
            self._check_new(table, name, value, "columns" if table in self._existing_tables else "tables", row)
            if name not in row:
                return
            new_column = {"name": name, "data_type": value_type, "nullable": True,
                          **self.schema.default_hints_for(name)}
            if name in SYSTEM_COLUMN_HINTS:
                new_column.update(nullable=False, **SYSTEM_COLUMN_HINTS[name])
            if column is not None:
                new_column = {**column, "data_type": value_type}
                new_column.setdefault("nullable", True)
            self.schema.update_column(table, new_column)
            self.changed_tables.add(table)
            if value_type == "json":
                self._json_columns.pop(table, None)
            if value_type in ("timestamp", "json", "decimal") or \
                    type(value) is not DATA_TYPE_TO_PY_TYPE.get(value_type):
                row[name] = coerce_value(value_type, value, new_column)
            types[name] = _fast_type(value_type)
            return
        data_type = column["data_type"]
        try:
            row[name] = coerce_value(data_type, value, column)
            return
        except CoercionError:
            pass
        # does not fit: a variant column keeps the value
        variant = f"{name}{VARIANT_SEPARATOR}{value_type}"
        del row[name]
        mode = self._contract(table, "data_type")
        if mode != "evolve" and variant not in table_schema["columns"]:
            if mode == "freeze":
                row[name] = value
                raise self._violation(table, name, "data_type", row)
            if mode == "discard_row":
                raise _DiscardRow()
            return
        if variant not in table_schema["columns"]:
            self.schema.update_column(table, {"name": variant, "data_type": value_type,
                                              "nullable": True, "variant": True})
            self.changed_tables.add(table)
            types[variant] = _fast_type(value_type)
        row[variant] = coerce_value(value_type, value)

    def _check_new(self, table: str, name: str, value: Any, entity: str, row: dict[str, Any]) -> None:
        """Apply the contract to a new column (`columns`) or a column of a new table (`tables`):
        evolve keeps it, freeze raises, discard_row drops the row, discard_value drops the value
        (a new table is dropped with its rows under either discard mode)."""
        mode = self._contract(table, entity)
        if mode == "evolve":
            return
        if mode == "freeze":
            raise self._violation(table, name, entity, row)
        if mode == "discard_row" or entity == "tables":
            raise _DiscardRow()
        del row[name]


_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def _fast_type(data_type: str) -> type | None:
    """The Python type whose values need no check for `data_type` (None: always check)."""
    py_type = DATA_TYPE_TO_PY_TYPE.get(data_type)
    return None if py_type is Decimal else py_type


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]

