"""Table hints of resources: validated on the way in, turned into table schemas on the way out."""

from __future__ import annotations

import copy
from typing import Any

from dlt.utils.exceptions import DictValidationException
from dlt.schema.contracts import CONTRACT_ENTITIES, CONTRACT_MODES, InvalidContractError, validate_contract  # noqa: F401
from dlt.schema.typing import DATA_TYPES, WRITE_DISPOSITIONS, TTableSchema

TableHints = dict[str, Any]



class InvalidHintError(DictValidationException):
    """A resource hint has a value dlt cannot use (a `DictValidationException`, as in 1.31)."""


def _key_list(value: Any, hint: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        # "" clears the key, as an empty list does (dlt 1.31)
        return [value] if value else []
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise InvalidHintError(f"The '{hint}' hint must be a column name or a list of names, got {value!r}.")


DYNAMIC_HINTS = ("write_disposition", "primary_key", "merge_key", "columns")
"""Hints that may be functions of the data item (`table_name` too, evaluated per item); in
the order of `make_hints`' unpacking of them."""


def _is_dynamic(value: Any) -> bool:
    """A function given as a hint (a pydantic model class as `columns` is not one)."""
    return callable(value) and not isinstance(value, type)


def evaluate_dynamic_hints(hints: TableHints, item: Any, resource_name: str) -> TableHints:
    """`hints` with each dynamic hint (a function of the item) replaced by its value for
    `item`, checked as if it had been given so."""
    dynamic = {name: hints[name] for name in DYNAMIC_HINTS if _is_dynamic(hints.get(name))}
    if not dynamic:
        return hints
    if item is None:
        from dlt.extract.errors import DataItemRequiredForDynamicTableHints

        raise DataItemRequiredForDynamicTableHints(
            f"Resource '{resource_name}' has hints that are functions of the item"
            f" ({', '.join(dynamic)}): its table schema needs an item, compute_table_schema(item)."
        )
    values = {name: function(item) for name, function in dynamic.items()}
    evaluated = {key: value for key, value in hints.items() if key not in dynamic}
    evaluated.update(make_hints(**values, _partial=True))
    return evaluated


def _references(references: Any) -> list[dict[str, Any]] | None:
    if references is None:
        return None
    keys = {"referenced_table", "columns", "referenced_columns"}
    if not isinstance(references, (list, tuple)) or not all(
            isinstance(r, dict) and keys <= set(r) for r in references):
        raise InvalidHintError(
            "references must be a list of dicts with referenced_table, columns and"
            f" referenced_columns, got {references!r}."
        )
    return [dict(reference) for reference in references]


def _additional_hints(hints: Any) -> dict[str, Any] | None:
    if hints is None:
        return None
    if not isinstance(hints, dict) or not all(isinstance(key, str) for key in hints):
        raise InvalidHintError(f"additional_table_hints must be a dict of hint names to values, got {hints!r}.")
    return dict(hints)


PYDANTIC_CONTRACT = {"tables": "evolve", "columns": "discard_value", "data_type": "freeze"}
"""The schema contract a pydantic model given as `columns` implies, as in dlt 1.31."""


def _is_pydantic_model(columns: Any) -> bool:
    return isinstance(columns, type) and hasattr(columns, "model_fields")


def _nested_hints(nested: Any) -> dict[tuple[str, ...], TableHints] | None:
    """`{"purchases": hints, ("a", "b"): hints}` -> hints by path below the root table."""
    if nested is None:
        return None
    if not isinstance(nested, dict):
        raise InvalidHintError(
            "nested_hints must be a dict of a nested path (a name or a tuple of names) to hints"
            f" made with dlt.mark.make_nested_hints(...), got {type(nested).__name__}."
        )
    result: dict[tuple[str, ...], TableHints] = {}
    for path, hints in nested.items():
        key = (path,) if isinstance(path, str) else tuple(path)
        if not key or not all(isinstance(part, str) for part in key):
            raise InvalidHintError(f"nested_hints has an invalid path {path!r}; use a name or a tuple of names.")
        result[key] = hints if isinstance(hints, dict) else {}
    return result


def normalize_columns(columns: Any) -> dict[str, dict[str, Any]] | None:
    """Accept columns as a dict, a list of column dicts, or a pydantic model class."""
    if columns is None:
        return None
    if _is_pydantic_model(columns):
        from dlt.extract.pydantic_columns import columns_from_model

        return columns_from_model(columns)
    if isinstance(columns, dict):
        items = [{"name": name, **(spec or {})} for name, spec in columns.items()]
    elif isinstance(columns, (list, tuple)):
        items = [dict(c) for c in columns]
    else:
        raise InvalidHintError(
            f"The 'columns' hint must be a dict, a list of column dicts or a pydantic model, got {type(columns).__name__}."
        )
    result: dict[str, dict[str, Any]] = {}
    for column in items:
        name = column.get("name")
        if not name:
            raise InvalidHintError(f"A column in the 'columns' hint has no name: {column!r}.")
        data_type = column.get("data_type")
        if data_type == "complex":
            column["data_type"] = data_type = "json"
        if data_type is not None and data_type not in DATA_TYPES:
            raise InvalidHintError(
                f"Column '{name}' has data_type '{data_type}'; use one of: {', '.join(DATA_TYPES)}."
            )
        result[name] = column
    return result


def normalize_contract(contract: Any) -> Any:
    """Validate a `schema_contract` hint and return it as given (`"freeze"` stays a string, as
    `source.schema_contract` and `resource.schema_contract` show it in dlt 1.31)."""
    try:
        return validate_contract(contract)
    except InvalidContractError as exc:
        raise InvalidHintError(str(exc)) from exc


MERGE_STRATEGY_OPTIONS = (
    "validity_column_names", "active_record_timestamp", "boundary_timestamp",
    "row_version_column_name", "retire_absent_rows", "natural_key",
)
"""Keys of a merge `write_disposition` dict besides `disposition` and `strategy` (scd2 settings)."""


def parse_write_disposition(write_disposition: Any) -> tuple[Any, dict[str, Any] | None]:
    """Split `write_disposition` into the disposition and its merge strategy settings.

    `"merge"` gives `("merge", None)`; `{"disposition": "merge", "strategy": "scd2",
    "boundary_timestamp": ...}` gives `("merge", {"strategy": "scd2", "boundary_timestamp": ...})`.
    Strategy names are checked later, where the table is known (`table_schema_from_hints`).
    """
    if not isinstance(write_disposition, dict):
        return write_disposition, None
    unknown = set(write_disposition) - {"disposition", "strategy", *MERGE_STRATEGY_OPTIONS}
    if unknown:
        raise InvalidHintError(
            f"write_disposition has unknown keys: {', '.join(sorted(unknown))}; a merge disposition"
            f" takes 'disposition', 'strategy' and {', '.join(MERGE_STRATEGY_OPTIONS)}."
        )
    disposition = write_disposition.get("disposition")
    settings = {k: v for k, v in write_disposition.items() if k != "disposition" and v is not None}
    if settings and disposition != "merge":
        raise InvalidHintError(
            f"write_disposition {write_disposition!r} sets a merge strategy but its disposition is"
            f" {disposition!r}; use {{'disposition': 'merge', 'strategy': ...}}."
        )
    return disposition, settings or None


def make_hints(
    table_name: Any = None,
    write_disposition: Any = None,
    primary_key: Any = None,
    merge_key: Any = None,
    columns: Any = None,
    max_table_nesting: int | None = None,
    schema_contract: Any = None,
    file_format: str | None = None,
    incremental: Any = None,
    table_format: str | None = None,
    nested_hints: Any = None,
    merge_strategy: dict[str, Any] | None = None,
    additional_table_hints: dict[str, Any] | None = None,
    references: Any = None,
    _partial: bool = False,
) -> TableHints:
    """Validate hints and return them as a dict; with `_partial`, only the given ones.

    A pydantic model as `columns` also sets `validator_model` (items are validated against it
    in extract) and, unless `schema_contract` is given, the contract such a model implies.
    `merge_strategy` is the parsed form of a merge `write_disposition` dict (see
    `parse_write_disposition`), as stored in the returned hints. `additional_table_hints`
    (e.g. `{"x-owner": "sales"}`) are copied into the table schema as they are, and so are
    `references` (dlt 1.31's table references: dicts of `referenced_table`, `columns` and
    `referenced_columns`).
    """
    # a function of the item is a dynamic hint (dlt 1.31): it is evaluated, and its value
    # checked, when the item's table first gets its schema (`table_schema_from_hints`)
    given = (write_disposition, primary_key, merge_key, columns)
    dynamic = {name: value for name, value in zip(DYNAMIC_HINTS, given) if _is_dynamic(value)}
    write_disposition, primary_key, merge_key, columns = (
        None if _is_dynamic(value) else value for value in given)
    write_disposition, strategy = parse_write_disposition(write_disposition)
    if strategy is None:
        strategy = merge_strategy
    elif write_disposition is None:
        write_disposition = "merge"
    if write_disposition is not None and write_disposition not in WRITE_DISPOSITIONS:
        raise InvalidHintError(
            f"write_disposition '{write_disposition}' is unknown; use one of: append, replace, merge."
        )
    if table_name is not None and not (callable(table_name) or isinstance(table_name, str)):
        raise InvalidHintError(f"table_name must be a string or a function, got {table_name!r}.")
    if max_table_nesting is not None and (not isinstance(max_table_nesting, int) or max_table_nesting < 0):
        raise InvalidHintError(f"max_table_nesting must be an integer >= 0, got {max_table_nesting!r}.")
    model = columns if _is_pydantic_model(columns) else None
    if model is not None and schema_contract is None:
        schema_contract = PYDANTIC_CONTRACT
    hints: TableHints = {
        "table_name": table_name,
        "write_disposition": write_disposition,
        "merge_strategy": strategy,
        "primary_key": _key_list(primary_key, "primary_key"),
        # a key given as one name dedups incremental rows by its value, a list by a list
        "primary_key_is_name": None if primary_key is None else isinstance(primary_key, str),
        "merge_key": _key_list(merge_key, "merge_key"),
        "columns": normalize_columns(columns),
        "max_table_nesting": max_table_nesting,
        "schema_contract": normalize_contract(schema_contract),
        "file_format": file_format,
        "incremental": incremental,
        "table_format": table_format,
        "nested_hints": _nested_hints(nested_hints),
        "validator_model": model,
        "additional_table_hints": _additional_hints(additional_table_hints),
        "references": _references(references),
    }
    hints.update(dynamic)
    if _partial:
        return {key: value for key, value in hints.items() if value is not None}
    return hints


def normalized_columns(columns: dict[str, dict[str, Any]], naming: Any) -> dict[str, dict[str, Any]]:
    """`columns` keyed and named by the column names the naming convention gives them."""
    normalized = {}
    for name, column in columns.items():
        column_name = naming.normalize_path(name)
        normalized[column_name] = {**column, "name": column_name}
    return normalized


def mark_cursor_column(columns: dict[str, dict[str, Any]], incremental: Any) -> None:
    """Give the cursor column of `incremental` (an `Incremental`, or None) the column hint
    `incremental: True`, as dlt 1.31 does; a cursor path that is not one plain field name
    (`$.nested.value`) marks no column."""
    get_name = getattr(incremental, "get_cursor_column_name", None)
    name = get_name() if get_name is not None else None
    if name:
        columns.setdefault(name, {"name": name})["incremental"] = True


def table_schema_from_hints(hints: TableHints, table_name: str, resource_name: str,
                            item: Any = None) -> TTableSchema:
    """The partial table schema a resource's hints describe (columns may lack data types);
    dynamic hints are evaluated for `item`."""
    hints = evaluate_dynamic_hints(hints, item, resource_name)
    columns: dict[str, dict[str, Any]] = {
        name: dict(column) for name, column in (hints.get("columns") or {}).items()
    }
    for key_hint in ("primary_key", "merge_key"):
        for name in hints.get(key_hint) or []:
            column = columns.setdefault(name, {"name": name})
            column[key_hint] = True
            # as in dlt 1.31, primary and merge key columns are NOT NULL unless a column hint
            # says otherwise
            column.setdefault("nullable", False)
    mark_cursor_column(columns, hints.get("incremental"))
    table: TTableSchema = {"name": table_name, "resource": resource_name, "columns": columns}
    for hint, value in (hints.get("additional_table_hints") or {}).items():
        table.setdefault(hint, value)  # type: ignore[misc]
    if hints.get("write_disposition"):
        table["write_disposition"] = hints["write_disposition"]
    if hints.get("merge_strategy") and hints.get("write_disposition") in (None, "merge"):
        _apply_merge_strategy(table, columns, hints["merge_strategy"], resource_name)
    if hints.get("max_table_nesting") is not None:
        table["x-max-nesting"] = hints["max_table_nesting"]
    if hints.get("schema_contract"):
        table["schema_contract"] = hints["schema_contract"]
    if hints.get("file_format"):
        table["file_format"] = hints["file_format"]
    if hints.get("references"):
        table["references"] = copy.deepcopy(hints["references"])
    if hints.get("table_format"):
        table["table_format"] = hints["table_format"]
    return table


def _apply_merge_strategy(table: TTableSchema, columns: dict[str, dict[str, Any]],
                          settings: dict[str, Any], resource_name: str) -> None:
    """Write a merge strategy and its scd2 settings into a table schema as dlt 1.31 stores
    them: `x-merge-strategy` on the table, validity and row version hints on columns."""
    from dlt.destinations.strategies import DEFAULT_VALIDITY_COLUMNS, MERGE_STRATEGIES

    strategy = settings.get("strategy") or "delete-insert"
    where = f"resource '{resource_name}' (table '{table['name']}')"
    if strategy not in MERGE_STRATEGIES:
        raise InvalidHintError(
            f"The write_disposition of {where} asks for merge strategy '{strategy}'; use one of:"
            f" {', '.join(MERGE_STRATEGIES)}."
        )
    table["x-merge-strategy"] = strategy
    if strategy != "scd2":
        extra = sorted(set(settings) - {"strategy"})
        if extra:
            raise InvalidHintError(
                f"The write_disposition of {where} sets {', '.join(extra)}, which only the scd2"
                f" strategy takes; its strategy is '{strategy}'."
            )
        return
    names = settings.get("validity_column_names") or DEFAULT_VALIDITY_COLUMNS
    if isinstance(names, str) or len(names) != 2 or not all(isinstance(n, str) and n for n in names):
        raise InvalidHintError(
            f"validity_column_names of {where} must be two column names [valid_from, valid_to],"
            f" got {names!r}."
        )
    valid_from, valid_to = names
    # the validity columns come first in the table, as in dlt 1.31
    validity = {
        valid_from: {**columns.get(valid_from, {}), "name": valid_from, "data_type": "timestamp",
                     "nullable": True, "x-valid-from": True},
        valid_to: {**columns.get(valid_to, {}), "name": valid_to, "data_type": "timestamp",
                   "nullable": True, "x-valid-to": True,
                   "x-active-record-timestamp": settings.get("active_record_timestamp")},
    }
    if settings.get("active_record_timestamp") is not None:
        from dlt.destinations.strategies import as_utc_datetime

        as_utc_datetime(settings["active_record_timestamp"])  # a clear error now, not at load
    rest = {n: c for n, c in columns.items() if n not in validity}
    columns.clear()
    columns.update(validity)
    columns.update(rest)
    version = settings.get("row_version_column_name")
    if version:
        columns.setdefault(version, {"name": version})["x-row-version"] = True
    else:
        # the row hash is the row key: versions of a record share it, so it is not unique
        columns.setdefault("_dlt_id", {"name": "_dlt_id"}).update(
            {"x-row-version": True, "unique": False, "row_key": False})
    if settings.get("boundary_timestamp") is not None:
        from dlt.destinations.strategies import as_utc_datetime

        as_utc_datetime(settings["boundary_timestamp"])
        table["x-boundary-timestamp"] = settings["boundary_timestamp"]
    if settings.get("retire_absent_rows") is not None:
        table["x-retire-absent-rows"] = bool(settings["retire_absent_rows"])
    if settings.get("natural_key"):
        column = columns.setdefault(settings["natural_key"], {"name": settings["natural_key"]})
        column["x-natural-key"] = True
