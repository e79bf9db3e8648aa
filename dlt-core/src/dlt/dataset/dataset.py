"""`Dataset`: read access to the tables a pipeline loaded (dlt 1.31's `dlt.Dataset`).

`pipeline.dataset()` or `dlt.dataset(destination, dataset_name)` gives one. Tables are
relations (`dataset.items`, `dataset["items"]`, `dataset.table("items")`), SQL strings are
relations too (`dataset("SELECT ...")`), and `row_counts()` counts rows per table. Every
destination whose job client has a SQL client gets this API; the filesystem destination's SQL
client is DuckDB over its files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dlt.dataset.query import OutputColumn, SelectQuery
from dlt.dataset.relation import Relation
from dlt.destinations import resolve_destination
from dlt.destinations.base import Destination, DestinationError, client_context
from dlt.schema import Schema
from dlt.schema.typing import LOADS_TABLE, VERSION_TABLE

LOAD_ID_COLUMN = "_dlt_load_id"


class Dataset:
    """The tables of one dataset on a destination, read through the destination's SQL client.

    Each read opens a connection and closes it after; inside `with dataset:` reads share one.
    """

    def __init__(self, destination: Any, dataset_name: str,
                 schema: Schema | str | Sequence[Schema] | None = None, *,
                 pipeline_name: str | None = None, pipeline_dir: Path | None = None,
                 live_schemas: Callable[[], Sequence[Schema]] | None = None) -> None:
        """`live_schemas` (given by `pipeline.dataset()`) returns the pipeline's schemas as they
        are now, so the dataset sees the tables and columns later runs add, as dlt 1.31's does;
        while it returns none, `schema` is resolved as usual."""
        resolved = resolve_destination(destination)
        if resolved is None:
            raise ValueError("dlt.dataset() needs a destination, e.g. 'duckdb' or dlt.destinations.duckdb(path).")
        self._destination: Destination = resolved
        self._dataset_name = dataset_name
        self._pipeline_name = pipeline_name or dataset_name
        self._pipeline_dir = pipeline_dir
        self._schema_arg = schema
        self._schemas: list[Schema] | None = None
        self._live_schemas = live_schemas
        self._sql_client: Any = None
        self._opened = 0

    # -- schemas ----------------------------------------------------------------------------

    @property
    def dataset_name(self) -> str:
        """The name of the dataset (the destination's schema or folder)."""
        return self._dataset_name

    @property
    def schemas(self) -> tuple[Schema, ...]:
        """The dlt schemas of the dataset, the default one first."""
        if self._live_schemas is not None:
            live = tuple(self._live_schemas())
            if live:
                return live
        if self._schemas is None:
            self._schemas = self._resolve_schemas()
        return tuple(self._schemas)

    @property
    def schema(self) -> Schema:
        """The default dlt schema of the dataset (from the pipeline, or stored in the destination)."""
        return self.schemas[0]

    def _resolve_schemas(self) -> list[Schema]:
        arg = self._schema_arg
        if isinstance(arg, Schema):
            return [arg]
        if isinstance(arg, Sequence) and not isinstance(arg, str):
            if not arg:
                raise ValueError("dataset(schema=[...]) needs at least one schema.")
            return list(arg)
        name = arg if isinstance(arg, str) else None
        stored = self._stored_schema(name)
        return [stored or Schema(name or self._dataset_name)]

    def _stored_schema(self, name: str | None) -> Schema | None:
        """The newest schema stored in the destination (named `name` when given), or None."""
        client = self._job_client(Schema(name or self._dataset_name))
        try:
            with client:
                if name is None:
                    name = self._newest_schema_name(client)
                    if name is None:
                        return None
                document = client.get_stored_schema(name)
        except DestinationError:
            return None
        return Schema.from_dict(document) if document else None

    @staticmethod
    def _newest_schema_name(client: Any) -> str | None:
        try:
            sql = client.sql_client()
            rows = sql.execute_sql(
                f"SELECT schema_name FROM {sql.make_qualified_table_name(VERSION_TABLE)}"
                " ORDER BY inserted_at DESC LIMIT 1")
        except DestinationError:
            return None
        return rows[0][0] if rows else None

    @property
    def tables(self) -> list[str]:
        """Names of the data tables that hold data, then dlt's `_dlt_*` tables."""
        names: list[str] = []
        for schema in self.schemas:
            for name in schema.data_table_names() + schema.dlt_table_names():
                if name not in names:
                    names.append(name)
        return names

    def _schema_of(self, table_name: str) -> Schema:
        for schema in self.schemas:
            if table_name in schema.tables:
                return schema
        return self.schema

    def _table_columns(self, table_name: str) -> list[str]:
        """The typed columns of `table_name`, in schema order."""
        columns = self._schema_of(table_name).tables[table_name]["columns"]
        return [name for name, column in columns.items() if column.get("data_type")]

    def _table_query(self, table_name: str) -> SelectQuery:
        """`SELECT <columns> FROM <table>`: data tables list their schema columns, dlt's
        tables select `*`."""
        client = self.sql_client
        alias = client.escape_identifier(table_name)
        source = f"{client.make_qualified_table_name(table_name)} AS {alias}"
        if table_name.startswith("_dlt"):
            return SelectQuery(source=source, qualifier=alias)
        columns = tuple(OutputColumn(c, f"{alias}.{client.escape_identifier(c)}")
                        for c in self._table_columns(table_name))
        return SelectQuery(source=source, qualifier=alias, columns=columns or None)

    # -- clients ----------------------------------------------------------------------------

    def _job_client(self, schema: Schema | None = None) -> Any:
        context = client_context(self._destination, schema or self.schema, self._dataset_name,
                                 self._pipeline_name, self._pipeline_dir)
        return self._destination.client(context)

    @property
    def destination_client(self) -> Any:
        """A job client of the destination for the dataset's default schema."""
        return self._job_client()

    @property
    def sql_client(self) -> Any:
        """The SQL client that reads the dataset (one per dataset, connected inside `with`)."""
        if self._sql_client is None:
            job_client = self._job_client()
            try:
                self._sql_client = job_client.sql_client()
            except DestinationError as exc:
                raise DestinationError(
                    f"Dataset {self._dataset_name}: the destination {self._destination.name} has no"
                    " SQL client to read it with."
                ) from exc
        return self._sql_client

    def __enter__(self) -> Dataset:
        """Keep one connection open for the reads inside the block."""
        self.sql_client.connect()
        self._opened += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        self._opened -= 1
        self.sql_client.disconnect()

    # -- relations --------------------------------------------------------------------------

    def query(self, query: str, query_dialect: str | None = None) -> Relation:
        """A relation over the result of a SQL query; unqualified table names are the dataset's."""
        return Relation(dataset=self, query=query)

    def __call__(self, query: str, query_dialect: str | None = None) -> Relation:
        """The same as `query()`."""
        return self.query(query, query_dialect)

    def table(self, table_name: str, **_: Any) -> Relation:
        """A relation over one table; a table the dataset does not have raises `ValueError`."""
        if table_name not in self.tables:
            raise ValueError(
                f"Table `{table_name}` is not in dataset {self._dataset_name}. Its tables: {self.tables}."
            )
        return Relation(dataset=self, table_name=table_name)

    def __getitem__(self, table_name: str) -> Relation:
        """`dataset["table"]`; a table the dataset does not have raises `KeyError`."""
        if table_name not in self.tables:
            raise KeyError(
                f"Table `{table_name}` is not in dataset {self._dataset_name}. Its tables: {self.tables}."
            )
        return self.table(table_name)

    def __getattr__(self, name: str) -> Relation:
        """`dataset.table_name`; unknown tables raise `AttributeError`."""
        # private attributes are never tables; dlt's own tables start with `_dlt`
        if name.startswith("__") or (name.startswith("_") and not name.startswith("_dlt")):
            raise AttributeError(name)
        try:
            return self.table(name)
        except ValueError as exc:
            raise AttributeError(str(exc)) from None

    def loads_table(self) -> Relation:
        """The `_dlt_loads` table: one row per completed load."""
        return Relation(dataset=self, table_name=LOADS_TABLE)

    def load_ids(self, schema_name: str | None = None) -> list[str]:
        """Load ids of the loads of a schema (the default one), oldest first."""
        relation = (self.loads_table().where("schema_name", "eq", schema_name or self.schema.name)
                    .select("load_id").order_by("load_id"))
        return [row[0] for row in relation.fetchall()]

    def latest_load_id(self, schema_name: str | None = None) -> str | None:
        """The newest load id of a schema (the default one), or None."""
        relation = (self.loads_table().where("schema_name", "eq", schema_name or self.schema.name)
                    .select("load_id").max())
        return relation.fetchscalar()

    def row_counts(self, *, data_tables: bool = True, dlt_tables: bool = False,
                   table_names: list[str] | None = None, load_id: str | None = None) -> Relation:
        """A relation with columns `table_name` and `row_count`, one row per table.

        By default the data tables; `dlt_tables=True` adds the `_dlt_*` tables, `table_names`
        picks tables (and overrides both), `load_id` counts only rows of that load (tables
        without a `_dlt_load_id` column are left out).
        """
        selected = list(table_names or [])
        if not selected:
            for schema in self.schemas:
                names = (schema.data_table_names(seen_data_only=True) if data_tables else []) + \
                        (schema.dlt_table_names() if dlt_tables else [])
                selected += [n for n in names if n not in selected]
        if load_id:
            selected = [t for t in selected if LOAD_ID_COLUMN in self._schema_of(t).tables.get(t, {}).get("columns", {})]
        client = self.sql_client
        q, literal = client.escape_identifier, client.literal
        parts = []
        for table in selected:
            part = (f"SELECT {literal(table)} AS {q('table_name')}, COUNT(*) AS {q('row_count')}"
                    f" FROM {client.make_qualified_table_name(table)}")
            if load_id:
                part += f" WHERE {q(LOAD_ID_COLUMN)} = {literal(load_id)}"
            parts.append(part)
        if not parts:
            parts.append(f"SELECT {literal('')} AS {q('table_name')}, 0 AS {q('row_count')} WHERE 1 = 0")
        return self.query(" UNION ALL ".join(parts))

    def __repr__(self) -> str:
        return f"<dlt.Dataset {self._dataset_name} destination={self._destination.name}>"

    def __str__(self) -> str:
        tables = ", ".join(self.schema.data_table_names()) or "no data tables"
        return f"Dataset `{self._dataset_name}` on {self._destination.name} with schema `{self.schema.name}`: {tables}"


def dataset(destination: Any, dataset_name: str,
            schema: Schema | str | Sequence[Schema] | None = None) -> Dataset:
    """A `Dataset` on `destination` without a pipeline (dlt 1.31's `dlt.dataset`)."""
    return Dataset(destination, dataset_name, schema)
