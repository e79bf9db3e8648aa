"""Reading one table: the query (incremental window in WHERE / ORDER BY, adapters) and the
backends that turn result rows into dicts, Arrow tables or DataFrames."""

from __future__ import annotations

import gc
import inspect
import operator
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import sqlalchemy as sa

from dlt_source_sql_database.reflection import TableSpec, describe_engine


def _positional_arity(function: Callable[..., Any]) -> int:
    try:
        params = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 2
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 4
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (when it was on), then resume it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class TableReader:
    """Runs the query of one table and yields its rows in batches through a backend."""

    def __init__(self, spec: TableSpec, *, chunk_size: int, backend: str,
                 backend_kwargs: dict[str, Any], query_adapter_callback: Callable[..., Any] | None,
                 incremental: Any) -> None:
        self.spec = spec
        self.chunk_size = chunk_size
        self.backend = backend
        self.backend_kwargs = backend_kwargs
        self.query_adapter_callback = query_adapter_callback
        self.incremental = incremental

    # -- the query ---------------------------------------------------------------------------

    def _cursor_column(self) -> Any:
        cursor_path = self.incremental.cursor_path
        columns = self.spec.selectable.columns
        if cursor_path not in columns:
            raise KeyError(
                f"The incremental cursor column '{cursor_path}' is not a column of table"
                f" '{self.spec.name}'; its columns are {', '.join(c.name for c in columns)}.")
        return columns[cursor_path]

    def make_query(self) -> Any:
        """SELECT of the selected columns, restricted to the incremental window when there is
        one (only for `max`/`min` cursors: others are filtered after reading)."""
        query = sa.select(*self.spec.selected_columns()).select_from(self.spec.selectable)
        incremental = self.incremental
        if incremental is None:
            return query
        func = incremental.last_value_func
        if func is max:
            start_op = operator.gt if incremental.range_start == "open" else operator.ge
            end_op = operator.le if incremental.range_end == "closed" else operator.lt
            ascending = incremental.row_order == "asc"
        elif func is min:
            start_op = operator.lt if incremental.range_start == "open" else operator.le
            end_op = operator.ge if incremental.range_end == "closed" else operator.gt
            ascending = incremental.row_order == "desc"
        else:
            return query
        cursor = self._cursor_column()
        conditions = []
        if incremental.last_value is not None:
            conditions.append(start_op(cursor, incremental.last_value))
        if incremental.end_value is not None:
            conditions.append(end_op(cursor, incremental.end_value))
        if conditions:
            condition = sa.and_(*conditions)
            if incremental.on_cursor_value_missing == "include":
                condition = sa.or_(condition, cursor.is_(None))
            query = query.where(condition)
        elif incremental.on_cursor_value_missing == "exclude":
            query = query.where(cursor.is_not(None))
        if incremental.row_order is not None:
            query = query.order_by(cursor.asc() if ascending else cursor.desc())
        return query

    def adapted_query(self) -> Any:
        """The query after `query_adapter_callback` (2- or 4-argument form)."""
        query = self.make_query()
        callback = self.query_adapter_callback
        if callback is None:
            return query
        if _positional_arity(callback) >= 4:
            adapted = callback(query, self.spec.selectable, self.incremental, self.spec.engine)
        else:
            adapted = callback(query, self.spec.selectable)
        return query if adapted is None else adapted

    # -- reading -----------------------------------------------------------------------------

    def batches(self) -> Iterator[Any]:
        """Each chunk of rows as the backend's item type."""
        query = self.adapted_query()
        columns = self.spec.columns()
        engine = self.spec.engine
        try:
            with engine.connect() as connection:
                result = connection.execution_options(
                    stream_results=True, max_row_buffer=self.chunk_size).execute(query)
                names = list(result.keys())
                partitions = result.partitions(self.chunk_size)
                while True:
                    # a chunk allocates one tuple per row and, for Arrow, one list per column,
                    # none of them cyclic: the cyclic garbage collector would only re-scan them
                    # over and over, so it is paused while a chunk is fetched and converted
                    with gc_paused():
                        partition = next(partitions, None)
                        if partition is None:
                            break
                        item = self._convert(names, partition, columns)
                    del partition
                    yield item
        except sa.exc.DBAPIError as exc:
            raise RuntimeError(
                f"Reading table '{self.spec.name}' from {describe_engine(engine)} failed:"
                f" {exc.orig}") from exc
        finally:
            if getattr(engine, "may_dispose_after_use", False):
                engine.dispose()

    def _convert(self, names: list[str], rows: list[Any], columns: dict[str, Any]) -> Any:
        if self.backend == "sqlalchemy":
            binary = [i for i, n in enumerate(names) if columns.get(n, {}).get("data_type") == "binary"]
            out = []
            for row in rows:
                record = dict(zip(names, row))
                for i in binary:
                    value = row[i]
                    if isinstance(value, memoryview):
                        record[names[i]] = value.tobytes()
                out.append(record)
            return out
        from dlt_source_sql_database.arrow import rows_to_arrow

        table = rows_to_arrow(names, rows, columns, tz=self.backend_kwargs.get("tz", "UTC"))
        if self.backend == "pyarrow":
            return table
        from dlt_source_sql_database.arrow import arrow_to_pandas

        return arrow_to_pandas(table)
