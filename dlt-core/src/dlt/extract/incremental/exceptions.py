"""Errors of incremental loading, named as in dlt 1.31 (`dlt.extract.incremental.exceptions`).

Each error names the resource (`pipe_name`, as in dlt) and the cursor, and says what to do.
"""

from __future__ import annotations

from typing import Any

from dlt.utils.exceptions import DltException


def _preview(item: Any) -> str:
    text = repr(item)
    return text if len(text) <= 200 else text[:197] + "..."


class IncrementalError(DltException):
    """Base of the errors raised while a resource's items pass its incremental cursor."""

    def __init__(self, pipe_name: str | None, msg: str) -> None:
        self.pipe_name = pipe_name
        super().__init__(msg)


class IncrementalCursorPathMissing(IncrementalError):
    """An item has no field at the incremental's `cursor_path`."""

    def __init__(self, pipe_name: str | None, json_path: str | None, item: Any = None,
                 msg: str | None = None) -> None:
        self.json_path = json_path
        self.item = item
        super().__init__(pipe_name, msg or (
            f"Resource '{pipe_name}' yielded an item without the incremental cursor '{json_path}':"
            f" {_preview(item)}. Every item must have this field (use the names of your data,"
            " which may differ from the column names in the database), or construct the"
            " incremental with on_cursor_value_missing='include' or 'exclude' to load or skip"
            " such items."
        ))


class IncrementalCursorPathHasValueNone(IncrementalError):
    """An item has `None` at the incremental's `cursor_path`."""

    def __init__(self, pipe_name: str | None, json_path: str | None, item: Any = None,
                 msg: str | None = None) -> None:
        self.json_path = json_path
        self.item = item
        super().__init__(pipe_name, msg or (
            f"Resource '{pipe_name}' yielded an item whose incremental cursor '{json_path}' is"
            f" None: {_preview(item)}. Every item needs a value there; construct the incremental"
            " with on_cursor_value_missing='include' or 'exclude' to load or skip such items."
        ))


class IncrementalCursorInvalidCoercion(IncrementalError):
    """A cursor value of the data cannot be compared with the incremental's start or end value."""

    def __init__(self, pipe_name: str | None, cursor_path: str, cursor_value: Any,
                 cursor_value_type: str, item: Any, item_type: Any, details: str) -> None:
        self.cursor_path = cursor_path
        self.cursor_value = cursor_value
        self.cursor_value_type = cursor_value_type
        self.item = item
        super().__init__(pipe_name, (
            f"Resource '{pipe_name}': the incremental {cursor_value_type} {cursor_value!r}"
            f" ({type(cursor_value).__name__}) cannot be compared with the value"
            f" {_preview(item)} ({item_type}) at cursor '{cursor_path}': {details}. Give the"
            f" incremental a {cursor_value_type} of the data's type, or cast the data with"
            " add_map() on the resource."
        ))


class IncrementalPrimaryKeyMissing(IncrementalError):
    """An item lacks a column of the primary key the incremental de-duplicates by."""

    def __init__(self, pipe_name: str | None, primary_key_column: str, item: Any) -> None:
        self.primary_key_column = primary_key_column
        self.item = item
        super().__init__(pipe_name, (
            f"Resource '{pipe_name}' yielded an item without the primary key column"
            f" '{primary_key_column}' that its incremental de-duplicates by: {_preview(item)}."
            " Every item must have it (use the names of your data), or pass primary_key=() to"
            " dlt.sources.incremental to switch de-duplication off."
        ))


class IncrementalUnboundError(IncrementalError):
    """The cursor's state was asked for outside a resource run."""

    def __init__(self, cursor_path: str | None) -> None:
        super().__init__(None, (
            f"The incremental on cursor '{cursor_path}' is not bound to a resource, so it has no"
            " state yet. Read last_value inside the resource function that takes the"
            " incremental as an argument, or attach it with resource.apply_hints(incremental=...)."
        ))
