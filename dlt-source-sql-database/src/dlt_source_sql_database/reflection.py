"""Reflection: which tables a database has, and each table's columns as dlt column schemas."""

from __future__ import annotations

import logging
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.sql import sqltypes

logger = logging.getLogger("dlt.sources.sql_database")


def describe_engine(engine: Any) -> str:
    """The database an engine points at, for messages: its URL with the password hidden."""
    return engine.url.render_as_string(hide_password=True)


def reflect_tables(engine: Any, *, schema: str | None, metadata: Any, table_names: list[str] | None,
                   include_views: bool, resolve_foreign_keys: bool, defer: bool) -> list[Any]:
    """The reflected `Table`s of `table_names` (every table, and views on request, when None).

    With `defer` the names are returned as they are; each is reflected when its resource runs.
    An unknown table name raises `sqlalchemy.exc.NoSuchTableError` naming the database.
    """
    metadata = metadata if metadata is not None else sa.MetaData(schema=schema)
    if defer:
        if not table_names:
            raise ValueError(
                "defer_table_reflect=True needs table_names: without reflection dlt cannot know"
                " which tables the database has.")
        return list(table_names)
    effective_schema = metadata.schema if metadata.schema is not None else schema
    if table_names:
        tables = []
        for name in table_names:
            tables.append(reflect_table(engine, name, metadata=metadata, schema=effective_schema,
                                        resolve_foreign_keys=resolve_foreign_keys))
        return tables
    metadata.reflect(bind=engine, schema=effective_schema, views=include_views,
                     resolve_fks=resolve_foreign_keys)
    return list(metadata.tables.values())


def reflect_table(engine: Any, name: str, *, metadata: Any, schema: str | None,
                  resolve_foreign_keys: bool = False) -> Any:
    """One reflected table or view; a name the database does not have is a clear error."""
    try:
        return sa.Table(name, metadata, autoload_with=engine, schema=schema,
                        resolve_fks=resolve_foreign_keys, extend_existing=True)
    except sa.exc.NoSuchTableError as exc:
        inspector = sa.inspect(engine)
        try:
            available = sorted(inspector.get_table_names(schema=schema)
                               + inspector.get_view_names(schema=schema))
        except Exception:  # listing is only a hint in the message
            available = []
        where = f"schema '{schema}' of " if schema else ""
        raise sa.exc.NoSuchTableError(
            f"Table '{name}' was not found in {where}the database {describe_engine(engine)}."
            f" Available tables: {', '.join(available) or 'none'}. Check table_names / table"
            " (and schema=).") from exc


def sql_type_to_column(name: str, sql_type: Any, nullable: bool | None, reflection_level: str,
                       type_adapter_callback: Callable[[Any], Any] | None,
                       skip_nested_on_minimal: bool = False) -> dict[str, Any] | None:
    """The dlt column schema of one SQL column: at "minimal" only name and nullability.

    `nullable` is None when the database does not say (columns of a subquery); the column then
    has no nullability hint. With `skip_nested_on_minimal` a JSON or ARRAY column gets no hint
    at "minimal" (None), so its values are normalized into nested tables, as in dlt 1.31.
    """
    column: dict[str, Any] = {"name": name}
    if nullable is not None:
        column["nullable"] = bool(nullable)
    if reflection_level == "minimal":
        if skip_nested_on_minimal and isinstance(sql_type, (sqltypes.JSON, sqltypes.ARRAY)):
            return None
        return column
    if type_adapter_callback is not None:
        sql_type = type_adapter_callback(sql_type)
        if isinstance(sql_type, type):
            sql_type = sql_type()
    if sql_type is None:
        return column
    with_precision = reflection_level == "full_with_precision"
    if isinstance(sql_type, sqltypes.Float):  # not a Numeric since SQLAlchemy 2.1
        column["data_type"] = "double"
    elif isinstance(sql_type, sqltypes.Numeric):
        if not sql_type.asdecimal:
            column["data_type"] = "double"
        else:
            column["data_type"] = "decimal"
            if sql_type.precision is not None:
                column["precision"] = sql_type.precision
                if sql_type.scale is not None:
                    column["scale"] = sql_type.scale
                elif getattr(sql_type, "decimal_return_scale", None) is not None:
                    column["scale"] = sql_type.decimal_return_scale
    elif isinstance(sql_type, sqltypes.Boolean):
        column["data_type"] = "bool"
    elif isinstance(sql_type, sqltypes.Integer):
        column["data_type"] = "bigint"
        # as dlt 1.31: only SMALLINT gets a size (32 bits, so it loads as INTEGER); INTEGER is
        # a bigint (SQLite's INTEGER holds 64 bits)
        if with_precision and isinstance(sql_type, sqltypes.SmallInteger):
            column["precision"] = 32
    elif _is_uuid(sql_type):
        column["data_type"] = "text"
    elif isinstance(sql_type, sqltypes.String):
        column["data_type"] = "text"
        if with_precision and sql_type.length:
            column["precision"] = sql_type.length
    elif isinstance(sql_type, sqltypes._Binary):
        column["data_type"] = "binary"
        if with_precision and sql_type.length:
            column["precision"] = sql_type.length
    elif isinstance(sql_type, sqltypes.DateTime):
        column["data_type"] = "timestamp"
        column["timezone"] = bool(sql_type.timezone) or sql_type.__visit_name__ == "DATETIMEOFFSET"
    elif isinstance(sql_type, sqltypes.Date):
        column["data_type"] = "date"
    elif isinstance(sql_type, sqltypes.Time):
        column["data_type"] = "time"
    elif isinstance(sql_type, (sqltypes.JSON, sqltypes.ARRAY)):
        column["data_type"] = "json"
    else:
        logger.warning(
            "Column '%s' has the SQL type %s, which dlt does not map; its type is inferred from"
            " the data (pass type_adapter_callback to choose one).", name, sql_type)
    return column


def _is_uuid(sql_type: Any) -> bool:
    uuid_type = getattr(sqltypes, "Uuid", None)
    return (uuid_type is not None and isinstance(sql_type, uuid_type)) or \
        sql_type.__class__.__name__.upper() == "UUID"


class TableSpec:
    """What a table resource reads: the (adapted) selectable, its columns and primary key."""

    def __init__(self, engine: Any, table: Any, *, schema: str | None, reflection_level: str,
                 table_adapter_callback: Callable[[Any], Any] | None,
                 type_adapter_callback: Callable[[Any], Any] | None,
                 included_columns: list[str] | None, excluded_columns: list[str] | None,
                 deferred: bool) -> None:
        self.engine = engine
        self.schema = schema
        self.reflection_level = reflection_level
        self.table_adapter_callback = table_adapter_callback
        self.type_adapter_callback = type_adapter_callback
        self.included_columns = included_columns
        self.excluded_columns = excluded_columns
        self.deferred = deferred
        self.name: str = table if isinstance(table, str) else table.name
        self._table = None if isinstance(table, str) else table
        self._selectable: Any = None
        self._pk: list[str] | None = None

    @property
    def table(self) -> Any:
        """The reflected `Table` (reflected now when deferred)."""
        if self._table is None:
            self._table = reflect_table(self.engine, self.name, metadata=sa.MetaData(),
                                        schema=self.schema)
        return self._table

    @property
    def selectable(self) -> Any:
        """The table after `table_adapter_callback` and column selection: what is queried."""
        if self._selectable is None:
            table = self.table
            self._pk = [c.name for c in table.primary_key.columns] or None
            if self.table_adapter_callback is not None:
                adapted = self.table_adapter_callback(table)
                if adapted is not None:
                    table = adapted
            self._check_column_names(table)
            self._selectable = table
        return self._selectable

    def _check_column_names(self, table: Any) -> None:
        names = [c.name for c in table.columns]
        for option in ("included_columns", "excluded_columns"):
            unknown = [c for c in getattr(self, option) or [] if c not in names]
            if unknown:
                raise ValueError(
                    f"{option} of table '{self.name}' names columns the table does not have:"
                    f" {', '.join(unknown)}; its columns are {', '.join(names)}.")

    def selected_columns(self) -> list[Any]:
        """The SQLAlchemy columns to read, in table order."""
        columns = list(self.selectable.columns)
        if self.included_columns is not None:
            columns = [c for c in columns if c.name in self.included_columns]
        if self.excluded_columns:
            columns = [c for c in columns if c.name not in self.excluded_columns]
        return columns

    def columns_for(self, backend: str) -> dict[str, dict[str, Any]]:
        """The column schemas for rows read with `backend`: the sqlalchemy backend yields JSON
        and ARRAY values as Python objects, which dlt 1.31 nests at "minimal" reflection, so
        those columns get no hint there."""
        return self.columns(skip_nested_on_minimal=backend == "sqlalchemy")

    def columns(self, skip_nested_on_minimal: bool = False) -> dict[str, dict[str, Any]]:
        """The dlt column schemas of the selected columns, at the reflection level (without the
        JSON and ARRAY columns at "minimal" when `skip_nested_on_minimal`)."""
        columns = {}
        for c in self.selected_columns():
            column = sql_type_to_column(c.name, c.type, getattr(c, "nullable", None),
                                        self.reflection_level, self.type_adapter_callback,
                                        skip_nested_on_minimal)
            if column is not None:
                columns[c.name] = column
        return columns

    def references(self) -> list[dict[str, Any]]:
        """The table's foreign keys as dlt table references, one per referenced table of the
        same schema (as dlt 1.31 gives them with `resolve_foreign_keys=True`)."""
        by_table: dict[str, dict[str, Any]] = {}
        table = self.table
        for constraint in table.foreign_key_constraints:
            try:
                referred = constraint.referred_table
            except sa.exc.NoReferencedTableError as exc:
                logger.warning("A foreign key of table '%s' names a table that was not reflected;"
                               " it gets no reference: %s", self.name, exc)
                continue
            if referred.schema != table.schema:
                continue
            reference = by_table.setdefault(referred.name, {
                "referenced_table": referred.name, "referenced_columns": [], "columns": []})
            reference["columns"].extend(column.name for column in constraint.columns)
            reference["referenced_columns"].extend(element.column.name
                                                   for element in constraint.elements)
        return list(by_table.values())

    def primary_key(self) -> list[str] | None:
        """The reflected primary key columns that are read, or None."""
        self.selectable
        names = {c.name for c in self.selected_columns()}
        key = [c for c in self._pk or [] if c in names]
        return key or None
