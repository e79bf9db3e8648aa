"""The `sql_database` source of dlt: every table of a SQLAlchemy database as a resource.

Importable as `dlt.sources.sql_database` when this distribution is installed. SQLAlchemy is
imported only when a source or table is created, so `import dlt` stays fast.
"""

from dlt_source_sql_database.source import (
    ReflectionLevel,
    TableBackend,
    TQueryAdapter,
    TTableAdapter,
    TTypeAdapter,
    engine_from_credentials,
    remove_nullability_adapter,
    sql_database,
    sql_table,
)
from dlt_source_sql_database.version import __version__

__all__ = [
    "ReflectionLevel",
    "TableBackend",
    "TQueryAdapter",
    "TTableAdapter",
    "TTypeAdapter",
    "__version__",
    "engine_from_credentials",
    "remove_nullability_adapter",
    "sql_database",
    "sql_table",
]
