"""Errors of datasets and relations, under dlt 1.31's names (`dlt.dataset.exceptions`)."""

from __future__ import annotations

from dlt.utils.exceptions import DltException


class DatasetException(DltException):
    """A dataset or relation cannot do what was asked."""


class RelationHasQueryException(DatasetException):
    """A relation made from a SQL query cannot change `attempted_change`."""

    def __init__(self, attempted_change: str) -> None:
        super().__init__(f"This relation was made from a SQL query, so its `{attempted_change}`"
                         " cannot change: change the query instead.")


class RelationUnknownColumnException(DatasetException):
    """A column that the relation's schema does not know."""

    def __init__(self, column_name: str) -> None:
        self.column_name = column_name
        super().__init__(f"The column `{column_name}` is not in the dlt schema of this relation.")


class LineageFailedException(DltException):
    """The columns of a relation cannot be traced to its tables (an unknown column selected)."""

    def __init__(self, msg: str | None = None, *, resource_name: str | None = None) -> None:
        super().__init__(msg)
        self.resource_name = resource_name
