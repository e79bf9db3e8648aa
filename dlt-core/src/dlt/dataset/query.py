"""`SelectQuery`: the one SELECT statement a relation stands for, built from quoted parts.

A relation's operations (`select`, `where`, `order_by`, `limit`, `join`, `max`) change one
clause of this statement and return a new, frozen query. Operations keep one flat statement
(like dlt 1.31, `where` after `limit` filters before limiting); only a statement that already
aggregates becomes a derived table (`SELECT ... FROM (<query>) AS _dlt_subquery`) before the
next operation. Names and values are quoted by the destination's SQL client, so the text is
the destination's dialect.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

SUBQUERY_ALIAS = "_dlt_subquery"


@dataclass(frozen=True)
class OutputColumn:
    """A column of the result: its name and the expression that computes it."""

    name: str
    expression: str


@dataclass(frozen=True)
class SelectQuery:
    """`SELECT <columns> FROM <source> <joins> WHERE ... ORDER BY ... LIMIT n`.

    `columns` None selects every column of the source (`*`); `qualifier` is the quoted alias
    that qualifies column names of a table source (None for a derived table).
    """

    source: str
    qualifier: str | None = None
    columns: tuple[OutputColumn, ...] | None = None
    joins: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()
    limit: int | None = None
    aggregated: bool = False

    def expression_of(self, name: str, quote: Callable[[str], str]) -> str:
        """The SQL expression for the column called `name` in this query."""
        for column in self.columns or ():
            if column.name == name:
                return column.expression
        if self.qualifier:
            return f"{self.qualifier}.{quote(name)}"
        return quote(name)

    def to_sql(self, quote: Callable[[str], str]) -> str:
        """The statement's text."""
        if self.columns is None:
            items = f"{self.qualifier}.*" if self.qualifier and self.joins else "*"
        else:
            items = ", ".join(f"{c.expression} AS {quote(c.name)}" for c in self.columns)
        parts = [f"SELECT {items} FROM {self.source}", *self.joins]
        if self.where:
            parts.append("WHERE " + " AND ".join(self.where))
        if self.order_by:
            parts.append("ORDER BY " + ", ".join(self.order_by))
        if self.limit is not None:
            parts.append(f"LIMIT {int(self.limit)}")
        return " ".join(parts)

    def derived(self, quote: Callable[[str], str]) -> SelectQuery:
        """This statement as a derived table of a new one that selects all its columns."""
        columns = None
        if self.columns is not None and not self.aggregated:
            columns = tuple(OutputColumn(c.name, quote(c.name)) for c in self.columns)
        return SelectQuery(source=f"({self.to_sql(quote)}) AS {quote(SUBQUERY_ALIAS)}", columns=columns)

    def with_changes(self, **changes: object) -> SelectQuery:
        """A copy with some clauses replaced."""
        return replace(self, **changes)  # type: ignore[arg-type]


def from_sql(sql: str, quote: Callable[[str], str]) -> SelectQuery:
    """A query over the result of the SQL text `sql` (a derived table)."""
    body = sql.strip().rstrip(";").strip()
    return SelectQuery(source=f"({body}) AS {quote(SUBQUERY_ALIAS)}")
