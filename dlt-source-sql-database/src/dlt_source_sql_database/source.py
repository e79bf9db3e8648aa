"""`sql_database` (a source of table resources) and `sql_table` (one table as a resource).

Annotations here are real objects, not strings: dlt reads them to inject configuration and to
find the `incremental` argument that `apply_hints(incremental=...)` binds into.
"""

from typing import Any, Callable, Dict, Iterator, List, Literal, Optional

import dlt
from dlt.configuration.specs import ConnectionStringCredentials
from dlt.extract.incremental import Incremental

ReflectionLevel = Literal["minimal", "full", "full_with_precision"]
TableBackend = Literal["sqlalchemy", "pyarrow", "pandas", "connectorx"]
TTypeAdapter = Callable[[Any], Any]
TTableAdapter = Callable[[Any], Any]
TQueryAdapter = Callable[..., Any]

BACKENDS = ("sqlalchemy", "pyarrow", "pandas")
REFLECTION_LEVELS = ("minimal", "full", "full_with_precision")


def engine_from_credentials(credentials: Any, may_dispose_after_use: bool = False) -> Any:
    """A SQLAlchemy `Engine` for a URL string, `ConnectionStringCredentials` or an `Engine`.

    An engine passed in is used as it is; the others get `may_dispose_after_use` set, so the
    source closes their connections when a table has been read.
    """
    import sqlalchemy as sa

    if isinstance(credentials, sa.engine.Engine):
        return credentials
    if isinstance(credentials, ConnectionStringCredentials):
        url = credentials.to_native_representation()
    elif isinstance(credentials, str):
        url = credentials
    elif isinstance(credentials, dict):
        url = ConnectionStringCredentials(credentials).to_native_representation()
    else:
        raise TypeError(
            "sql_database credentials must be a connection URL string, ConnectionStringCredentials"
            f" or a SQLAlchemy Engine; got {type(credentials).__name__}. Set"
            " sources.sql_database.credentials or pass credentials=...")
    engine = sa.create_engine(url)
    engine.may_dispose_after_use = may_dispose_after_use  # type: ignore[attr-defined]
    return engine


def remove_nullability_adapter(table: Any) -> Any:
    """A `table_adapter_callback` that marks every column nullable (as the NOT NULL of a source
    database need not hold in the destination); primary key columns keep theirs."""
    for column in table.columns:
        if not column.primary_key:
            column.nullable = True
    return table


def _check_choices(backend: str, reflection_level: Optional[str]) -> None:
    if backend not in BACKENDS:
        raise ValueError(
            f"backend={backend!r} is not supported; use one of {', '.join(BACKENDS)}.")
    if reflection_level is not None and reflection_level not in REFLECTION_LEVELS:
        raise ValueError(
            f"reflection_level={reflection_level!r} is not known; use one of"
            f" {', '.join(REFLECTION_LEVELS)}.")


@dlt.source(name="sql_database", section="sql_database")
def sql_database(
    credentials: Any = dlt.secrets.value,
    schema: Optional[str] = None,
    metadata: Optional[Any] = None,
    table_names: Optional[List[str]] = None,
    chunk_size: int = 50000,
    backend: str = "sqlalchemy",
    detect_precision_types: Optional[bool] = False,
    reflection_level: Optional[str] = "full",
    defer_table_reflect: Optional[bool] = None,
    table_adapter_callback: Optional[Callable[[Any], Any]] = None,
    backend_kwargs: Optional[Dict[str, Any]] = None,
    include_views: bool = False,
    type_adapter_callback: Optional[Callable[[Any], Any]] = None,
    query_adapter_callback: Optional[Callable[..., Any]] = None,
    resolve_foreign_keys: bool = False,
    engine_adapter_callback: Optional[Callable[[Any], Any]] = None,
) -> Iterator[Any]:
    """A source with one resource per table (and view, with `include_views=True`) of a database.

    Args:
        credentials: A connection URL, `ConnectionStringCredentials` or a SQLAlchemy `Engine`
            (config key `sources.sql_database.credentials`).
        schema: The database schema to reflect; the connection's default schema when None.
        metadata: A SQLAlchemy `MetaData` to reflect into (its schema wins over `schema`).
        table_names: The tables to load; every table when None. An unknown name is an error.
        chunk_size: Rows read per batch; each batch is one item (a list of dicts, an Arrow
            table or a DataFrame).
        backend: "sqlalchemy" (dicts), "pyarrow" (Arrow tables) or "pandas" (DataFrames).
        detect_precision_types: Deprecated in dlt; True means reflection_level="full_with_precision".
        reflection_level: "minimal" (names and nullability), "full" (dlt types, decimal
            precision and scale) or "full_with_precision" (text and binary sizes too, and SMALLINT
            as a 32-bit integer, as in dlt 1.31).
        defer_table_reflect: Reflect each table only when its resource runs (table names
            must then be given).
        table_adapter_callback: Called with each reflected `Table`; may change it in place or
            return a replacement selectable (a subquery with computed columns, ...).
        backend_kwargs: Extra options of the backend (`tz` for the Arrow backends).
        include_views: Load views as well as tables.
        type_adapter_callback: Called with each column's SQL type; returns the type to use, or
            None to leave the column's type to inference from the data.
        query_adapter_callback: `f(query, table)` or `f(query, table, incremental, engine)`
            returning the query to run (a changed select or a `text()` query).
        resolve_foreign_keys: Reflect tables referenced by foreign keys too.
        engine_adapter_callback: Called with the engine before use; returns the engine to use.
    """
    from dlt_source_sql_database.reflection import reflect_tables

    _check_choices(backend, reflection_level)
    if detect_precision_types:
        reflection_level = "full_with_precision"
    engine = engine_from_credentials(credentials)
    if engine_adapter_callback is not None:
        engine = engine_adapter_callback(engine)
    tables = reflect_tables(
        engine, schema=schema, metadata=metadata, table_names=table_names,
        include_views=include_views, resolve_foreign_keys=resolve_foreign_keys,
        defer=bool(defer_table_reflect),
    )
    for table in tables:
        yield _table_resource(
            engine, table, schema=schema, incremental=None, chunk_size=chunk_size,
            backend=backend, reflection_level=reflection_level,
            defer_table_reflect=bool(defer_table_reflect),
            table_adapter_callback=table_adapter_callback, backend_kwargs=backend_kwargs,
            type_adapter_callback=type_adapter_callback, included_columns=None,
            excluded_columns=None, query_adapter_callback=query_adapter_callback,
            write_disposition="append", primary_key=None, merge_key=None,
            resolve_foreign_keys=resolve_foreign_keys,
        )


def sql_table(
    credentials: Any = dlt.secrets.value,
    table: str = dlt.config.value,
    schema: Optional[str] = None,
    metadata: Optional[Any] = None,
    incremental: Optional[Incremental[Any]] = None,
    chunk_size: int = 50000,
    backend: str = "sqlalchemy",
    detect_precision_types: Optional[bool] = None,
    reflection_level: Optional[str] = "full",
    defer_table_reflect: Optional[bool] = None,
    table_adapter_callback: Optional[Callable[[Any], Any]] = None,
    backend_kwargs: Optional[Dict[str, Any]] = None,
    type_adapter_callback: Optional[Callable[[Any], Any]] = None,
    included_columns: Optional[List[str]] = None,
    excluded_columns: Optional[List[str]] = None,
    query_adapter_callback: Optional[Callable[..., Any]] = None,
    resolve_foreign_keys: bool = False,
    engine_adapter_callback: Optional[Callable[[Any], Any]] = None,
    write_disposition: Any = "append",
    primary_key: Any = None,
    merge_key: Any = None,
) -> Any:
    """One database table as a resource named after it; the arguments are those of
    `sql_database`, plus:

    Args:
        table: The table (or view) name.
        incremental: A `dlt.sources.incremental` on a column; its window becomes the query's
            WHERE (and ORDER BY with `row_order`), and the cursor is kept in state.
        included_columns: Only these columns are read.
        excluded_columns: These columns are not read.
        write_disposition: As for any resource ("append" by default).
        primary_key: Overrides the primary key reflected from the table.
        merge_key: The merge key of the resource.
    """
    credentials, table, schema = _resolve_table_config(credentials, table, schema)
    from dlt_source_sql_database.reflection import reflect_tables

    _check_choices(backend, reflection_level)
    if detect_precision_types:
        reflection_level = "full_with_precision"
    engine = engine_from_credentials(credentials, may_dispose_after_use=True)
    if engine_adapter_callback is not None:
        engine = engine_adapter_callback(engine)
    (reflected,) = reflect_tables(
        engine, schema=schema, metadata=metadata, table_names=[table], include_views=True,
        resolve_foreign_keys=resolve_foreign_keys, defer=bool(defer_table_reflect),
    )
    return _table_resource(
        engine, reflected, schema=schema, incremental=incremental, chunk_size=chunk_size,
        backend=backend, reflection_level=reflection_level,
        defer_table_reflect=bool(defer_table_reflect),
        table_adapter_callback=table_adapter_callback, backend_kwargs=backend_kwargs,
        type_adapter_callback=type_adapter_callback, included_columns=included_columns,
        excluded_columns=excluded_columns, query_adapter_callback=query_adapter_callback,
        write_disposition=write_disposition, primary_key=primary_key, merge_key=merge_key,
        resolve_foreign_keys=resolve_foreign_keys,
    )


def _table_config(credentials: Any = dlt.secrets.value, table: str = dlt.config.value,
                  schema: Optional[str] = None) -> Any:
    """The configurable arguments of `sql_table` (looked up under `sources.sql_database`)."""
    return credentials, table, schema


def _resolve_table_config(credentials: Any, table: Any, schema: Any) -> Any:
    """`sql_table`'s credentials, table and schema, with those left to config injected."""
    from dlt.configuration.resolve import inject_arguments, source_candidates

    name = table if isinstance(table, str) else "sql_table"
    kwargs = {"credentials": credentials, "table": table}
    if schema is not None and isinstance(schema, str):
        kwargs["schema"] = schema
    args, kwargs = inject_arguments(
        _table_config, (), kwargs, lambda arg: source_candidates("sql_database", name, arg))
    return _table_config(*args, **kwargs)


def _table_resource(engine: Any, table: Any, *, schema: Optional[str], incremental: Any,
                    chunk_size: int, backend: str, reflection_level: Optional[str],
                    defer_table_reflect: bool, table_adapter_callback: Any, backend_kwargs: Any,
                    type_adapter_callback: Any, included_columns: Any, excluded_columns: Any,
                    query_adapter_callback: Any, write_disposition: Any, primary_key: Any,
                    merge_key: Any, resolve_foreign_keys: bool = False) -> Any:
    """The resource reading `table` (a reflected `Table`, or a bare name when deferred)."""
    from dlt_source_sql_database.reflection import TableSpec

    spec = TableSpec(
        engine, table, schema=schema, reflection_level=reflection_level or "full",
        table_adapter_callback=table_adapter_callback, type_adapter_callback=type_adapter_callback,
        included_columns=included_columns, excluded_columns=excluded_columns,
        deferred=defer_table_reflect,
    )
    hints: Dict[str, Any] = {"write_disposition": write_disposition, "merge_key": merge_key}
    if not defer_table_reflect:
        hints["columns"] = spec.columns_for(backend)
        hints["primary_key"] = primary_key if primary_key is not None else spec.primary_key()
        if resolve_foreign_keys:
            hints["references"] = spec.references()
    elif primary_key is not None:
        hints["primary_key"] = primary_key
    resource = dlt.resource(table_rows, name=spec.name, section="sql_database", **hints)
    return resource(
        spec, chunk_size=chunk_size, backend=backend, backend_kwargs=backend_kwargs or {},
        query_adapter_callback=query_adapter_callback, incremental=incremental,
    )


def table_rows(
    spec: Any,
    chunk_size: int = 50000,
    backend: str = "sqlalchemy",
    backend_kwargs: Optional[Dict[str, Any]] = None,
    query_adapter_callback: Optional[Callable[..., Any]] = None,
    incremental: Optional[Incremental[Any]] = None,
) -> Iterator[Any]:
    """Rows of one table in batches of `chunk_size`, filtered by `incremental` in the query.

    A table whose reflection was deferred is reflected here; an empty page marked with its
    reflected columns and primary key comes first, so they reach the schema as in dlt 1.31
    (the reflected primary key wins over one given to `sql_table`, as there).
    """
    from dlt_source_sql_database.reader import TableReader

    if spec.deferred:
        yield dlt.mark.with_hints([], dlt.mark.make_hints(
            columns=spec.columns_for(backend),
            primary_key=spec.primary_key(),
        ))
    reader = TableReader(spec, chunk_size=chunk_size, backend=backend,
                         backend_kwargs=backend_kwargs or {},
                         query_adapter_callback=query_adapter_callback, incremental=incremental)
    yield from reader.batches()


__all__ = [
    "ReflectionLevel", "TableBackend", "TQueryAdapter", "TTableAdapter", "TTypeAdapter",
    "engine_from_credentials", "remove_nullability_adapter", "sql_database", "sql_table",
]
