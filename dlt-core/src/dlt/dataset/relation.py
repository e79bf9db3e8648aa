"""`Relation`: a lazy, immutable query on a dataset: a table or a SQL string, refined with
`select`, `where`, `order_by`, `limit`, `join`, `max`/`min`, and read with `df()`, `arrow()`,
`fetchall()` and the chunked `iter_*` readers (dlt 1.31's `dlt.Relation`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dlt.dataset.exceptions import LineageFailedException
from dlt.dataset.query import OutputColumn, SelectQuery, from_sql

if TYPE_CHECKING:
    from dlt.dataset.dataset import Dataset

FILTER_OPERATORS = {"eq": "=", "ne": "!=", "gt": ">", "lt": "<", "gte": ">=", "lte": "<=",
                    "in": "IN", "not_in": "NOT IN"}
"""The operators of `where(column, operator, value)` and their SQL."""

JOIN_KINDS = {"inner": "INNER JOIN", "left": "LEFT JOIN", "right": "RIGHT JOIN", "full": "FULL OUTER JOIN"}
"""The `kind`s of `join()` and their SQL."""

PARENT_ID, ROW_ID, ROOT_ID = "_dlt_parent_id", "_dlt_id", "_dlt_root_id"


class Relation:
    """A query on a dataset that runs only when read. Every modifier returns a new relation;
    the one it was called on is unchanged."""

    def __init__(self, *, dataset: Dataset, query: str | None = None, table_name: str | None = None,
                 select: SelectQuery | None = None) -> None:
        if query is None and table_name is None and select is None:
            raise ValueError("A Relation needs a `table_name` or a SQL `query`.")
        self._dataset = dataset
        self._sql = query
        self._table_name = table_name
        self._select = select

    # -- SQL --------------------------------------------------------------------------------

    def _quote(self, name: str) -> str:
        return self._dataset.sql_client.escape_identifier(name)

    def _query(self) -> SelectQuery:
        """The statement this relation stands for."""
        if self._select is not None:
            return self._select
        if self._sql is not None:
            return from_sql(self._sql, self._quote)
        return self._dataset._table_query(self._table_name)  # type: ignore[arg-type]

    def to_sql(self, pretty: bool = False) -> str:
        """The SQL that reading this relation runs, in the destination's dialect."""
        if self._select is None and self._sql is not None:
            return self._sql
        return self._query().to_sql(self._quote)

    def _derive(self, select: SelectQuery) -> Relation:
        return Relation(dataset=self._dataset, table_name=self._table_name, select=select)

    def _open_query(self) -> SelectQuery:
        """The statement to add a clause to: a derived table when this one aggregates."""
        query = self._query()
        return query.derived(self._quote) if query.aggregated else query

    # -- modifiers --------------------------------------------------------------------------

    def limit(self, limit: int) -> Relation:
        """The first `limit` rows (a `LIMIT` clause)."""
        query = self._query()
        new_limit = limit if query.limit is None else min(query.limit, limit)
        return self._derive(query.with_changes(limit=new_limit))

    def head(self, limit: int = 5) -> Relation:
        """The first `limit` rows, 5 by default."""
        return self.limit(limit)

    def select(self, *columns: str) -> Relation:
        """Only the named columns, in this order."""
        if len(columns) == 1 and isinstance(columns[0], (list, tuple)):
            columns = tuple(columns[0])
        query = self._open_query()
        if query.columns is not None and not query.aggregated:
            known = [c.name for c in query.columns]
            unknown = [name for name in columns if name not in known]
            if unknown:
                # as in dlt 1.31, before the query runs
                raise LineageFailedException(
                    f"select(): columns {unknown} are not in this relation. Its columns: {known}.")
        projection = tuple(OutputColumn(name, query.expression_of(name, self._quote)) for name in columns)
        return self._derive(query.with_changes(columns=projection))

    def __getitem__(self, columns: str | Sequence[str]) -> Relation:
        """`relation[["a", "b"]]`: `select("a", "b")`; unknown columns raise `KeyError`."""
        names = [columns] if isinstance(columns, str) else list(columns)
        known = self.columns
        unknown = [c for c in names if c not in known]
        if unknown:
            raise KeyError(f"Columns {unknown} are not in this relation. Its columns: {known}.")
        return self.select(*names)

    def order_by(self, column_name: str, direction: str = "asc") -> Relation:
        """Rows ordered by a column, `"asc"` (default) or `"desc"`."""
        if direction not in ("asc", "desc"):
            raise ValueError(f"order_by(): '{direction}' is not a sort order; use 'asc' or 'desc'.")
        query = self._open_query()
        clause = f"{query.expression_of(column_name, self._quote)} {direction.upper()}"
        return self._derive(query.with_changes(order_by=(*query.order_by, clause)))

    def where(self, column_or_expr: str, operator: str | None = None, value: Any = None) -> Relation:
        """Rows matching a condition: `where("id", "in", [1, 2])` with an operator of
        `FILTER_OPERATORS`, or a SQL condition such as `where("city = 'berlin'")`."""
        query = self._open_query()
        if operator is None and value is None:
            condition = f"({column_or_expr})"
        else:
            condition = self._condition(query, column_or_expr, operator or "eq", value)
        return self._derive(query.with_changes(where=(*query.where, condition)))

    def filter(self, column_or_expr: str, operator: str | None = None, value: Any = None) -> Relation:  # noqa: A003
        """The same as `where()`."""
        return self.where(column_or_expr, operator, value)

    def _condition(self, query: SelectQuery, column: str, operator: str, value: Any) -> str:
        if operator not in FILTER_OPERATORS:
            raise ValueError(
                f"where(): '{operator}' is not an operator; use one of {', '.join(FILTER_OPERATORS)}."
            )
        expression = query.expression_of(column, self._quote)
        literal = self._dataset.sql_client.literal
        if operator in ("in", "not_in"):
            values = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
            if not values:
                return "FALSE" if operator == "in" else "TRUE"
            return f"{expression} {FILTER_OPERATORS[operator]} ({', '.join(literal(v) for v in values)})"
        return f"{expression} {FILTER_OPERATORS[operator]} {literal(value)}"

    def _aggregate(self, function: str) -> Relation:
        query = self._query()
        if query.limit is not None or query.aggregated:
            query = query.derived(self._quote)
        if query.columns is None or len(query.columns) != 1:
            raise ValueError(
                f"{function.lower()}() needs exactly one selected column: call"
                f" .select('<column>').{function.lower()}()."
            )
        column = query.columns[0]
        aggregate = OutputColumn(f"{function.lower()}", f"{function}({column.expression})")
        return self._derive(query.with_changes(columns=(aggregate,), order_by=(), aggregated=True))

    def max(self) -> Relation:  # noqa: A003
        """The largest value of the one selected column."""
        return self._aggregate("MAX")

    def min(self) -> Relation:  # noqa: A003
        """The smallest value of the one selected column."""
        return self._aggregate("MIN")

    def join(self, other: str | Relation, on: str | None = None, *, kind: str = "inner",
             alias: str | None = None) -> Relation:
        """Join another table of the dataset; its columns are added as `<alias>__<column>`
        (alias defaults to the table name). Without `on`, tables join along dlt's parent/child
        references (`_dlt_parent_id` = `_dlt_id`, or `_dlt_root_id`); `on` is a SQL condition
        naming the tables (`"orders._dlt_parent_id = users._dlt_id"`)."""
        if kind not in JOIN_KINDS:
            raise ValueError(f"join(): '{kind}' is not a join kind; use one of {', '.join(JOIN_KINDS)}.")
        if alias == "":
            raise ValueError("join(): `alias` must be a non-empty string when given.")
        target = other if isinstance(other, str) else other._table_name
        if not target:
            raise ValueError("join(): pass a table name or a relation made with dataset.table(...).")
        schema = self._dataset.schema
        if target not in schema.tables:
            raise ValueError(f"join(): table '{target}' is not in the schema {schema.name} of the dataset.")
        query = self._open_query()
        if on is None:
            on = self._reference_condition(target)
        left = query
        if query.columns is None:
            left = query.with_changes(columns=tuple(
                OutputColumn(c, query.expression_of(c, self._quote)) for c in self.columns))
        prefix = alias or target
        target_alias = self._quote(target)
        joined = tuple(OutputColumn(f"{prefix}__{c}", f"{target_alias}.{self._quote(c)}")
                       for c in self._dataset._table_columns(target))
        clause = (f"{JOIN_KINDS[kind]} {self._dataset.sql_client.make_qualified_table_name(target)}"
                  f" AS {target_alias} ON {on}")
        return self._derive(left.with_changes(columns=(*(left.columns or ()), *joined),
                                              joins=(*left.joins, clause)))

    def _reference_condition(self, target: str) -> str:
        """The join condition along dlt's references between this relation's table and `target`."""
        left = self._table_name
        if not left or self._sql is not None:
            raise ValueError("join() without `on` needs a relation made with dataset.table(...).")
        schema = self._dataset.schema
        q = self._quote
        left_table, right_table = schema.tables.get(left, {}), schema.tables[target]
        if right_table.get("parent") == left:
            return f"{q(target)}.{q(PARENT_ID)} = {q(left)}.{q(ROW_ID)}"
        if left_table.get("parent") == target:
            return f"{q(left)}.{q(PARENT_ID)} = {q(target)}.{q(ROW_ID)}"
        if ROOT_ID in right_table.get("columns", {}) and schema.root_table(target)["name"] == left:
            return f"{q(target)}.{q(ROOT_ID)} = {q(left)}.{q(ROW_ID)}"
        if ROOT_ID in left_table.get("columns", {}) and schema.root_table(left)["name"] == target:
            return f"{q(left)}.{q(ROOT_ID)} = {q(target)}.{q(ROW_ID)}"
        raise ValueError(
            f"join(): tables '{left}' and '{target}' have no parent/child reference in schema"
            f" {schema.name}; pass the join condition as `on=`."
        )

    # -- columns ----------------------------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        """The names of the relation's columns."""
        names = self._columns_without_query()
        if names is not None:
            return names
        with self._cursor(self.limit(0).to_sql()) as cursor:
            return cursor.columns

    def _columns_without_query(self) -> list[str] | None:
        """The column names when the statement itself says them, else None (a query must run)."""
        query = self._query()
        if query.columns is not None and not query.aggregated:
            return [c.name for c in query.columns]
        return None

    @property
    def columns_schema(self) -> dict[str, Any]:
        """dlt column schemas of the relation's columns: a table's own columns from the
        dataset's schema; the others (computed columns, the columns of a SQL query) with the
        data type of their values, read from the Arrow schema of the query's empty result. A
        SQL query's column takes the schema of the column of that name in a table the query
        names, when the data types agree (there is no SQL parser to follow it further)."""
        tables = self._dataset.schema.tables
        table = tables.get(self._table_name or "", {}).get("columns", {})
        names = self._columns_without_query()
        if names is not None and all(name in table for name in names):
            return {name: dict(table[name]) for name in names}
        # one query with no rows gives both the names and the types
        result_schema = self.limit(0).arrow().schema
        names = names if names is not None else result_schema.names
        typed = _data_types(result_schema)
        referenced = self._referenced_columns() if self._table_name is None else {}
        schema: dict[str, Any] = {}
        for name in names:
            if name in table:
                schema[name] = dict(table[name])
                continue
            column: dict[str, Any] = {"name": name}
            if typed.get(name):
                column["data_type"] = typed[name]
            known = referenced.get(name)
            if known is not None and known.get("data_type") == column.get("data_type"):
                column = dict(known)
            schema[name] = column
        return schema

    def _referenced_columns(self) -> dict[str, dict[str, Any]]:
        """Columns of the dataset's tables that the SQL text names, by name; a name found in
        two of those tables is left out (which one the query reads is unknown)."""
        import re

        words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", self.to_sql()))
        found: dict[str, dict[str, Any]] = {}
        ambiguous: set[str] = set()
        for table_name, table in self._dataset.schema.tables.items():
            if table_name not in words:
                continue
            for name, column in table.get("columns", {}).items():
                if name in found:
                    ambiguous.add(name)
                found[name] = column
        return {name: column for name, column in found.items() if name not in ambiguous}

    @property
    def schema(self) -> dict[str, Any]:
        """The relation's table schema: `{"columns": columns_schema}`."""
        return {"columns": self.columns_schema}

    # -- reading ----------------------------------------------------------------------------

    @contextmanager
    def _cursor(self, sql: str | None = None) -> Iterator[Any]:
        client = self._dataset.sql_client
        with client, client.execute_query(sql or self.to_sql()) as cursor:
            yield cursor

    def df(self, chunk_size: int | None = None) -> Any:
        """All rows as a pandas DataFrame."""
        with self._cursor() as cursor:
            return cursor.df(chunk_size)

    def arrow(self, chunk_size: int | None = None) -> Any:
        """All rows as an Arrow table."""
        with self._cursor() as cursor:
            return cursor.arrow(chunk_size)

    def fetchall(self) -> list[tuple[Any, ...]]:
        """All rows as tuples."""
        with self._cursor() as cursor:
            return cursor.fetchall()

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        """The first `size` rows as tuples (1 without a size)."""
        with self._cursor() as cursor:
            return cursor.fetchmany(size)

    def fetchone(self) -> tuple[Any, ...] | None:
        """The first row, or None."""
        with self._cursor() as cursor:
            return cursor.fetchone()

    def fetchscalar(self) -> Any:
        """The single value of a one-row, one-column result (None without rows)."""
        rows = self.fetchmany(2)
        if not rows:
            return None
        if len(rows) != 1 or len(rows[0]) != 1:
            raise ValueError(
                "fetchscalar() expects a result of one row with one column; select one column"
                " and aggregate it (for example .select('id').max())."
            )
        return rows[0][0]

    def iter_fetch(self, chunk_size: int) -> Iterator[list[tuple[Any, ...]]]:
        """Lists of `chunk_size` rows."""
        with self._cursor() as cursor:
            yield from cursor.iter_fetch(chunk_size)

    def iter_df(self, chunk_size: int | None = None) -> Iterator[Any]:
        """pandas DataFrames of `chunk_size` rows."""
        with self._cursor() as cursor:
            yield from cursor.iter_df(chunk_size)

    def iter_arrow(self, chunk_size: int | None = None) -> Iterator[Any]:
        """Arrow tables of `chunk_size` rows."""
        with self._cursor() as cursor:
            yield from cursor.iter_arrow(chunk_size)

    def __repr__(self) -> str:
        return f"<dlt.Relation dataset={self._dataset.dataset_name} query={self.to_sql()!r}>"

    def __str__(self) -> str:
        return f"Relation query:\n  {self.to_sql()}\n"


def _data_types(arrow_schema: Any) -> dict[str, str]:
    """Column name -> dlt data type of an Arrow result schema (none for a null-typed column)."""
    import pyarrow as pa

    from dlt.normalize.arrow import data_type_of

    return {field.name: data_type_of(field.type)["data_type"] for field in arrow_schema
            if not pa.types.is_null(field.type)}
