"""`sqlalchemy`: the destination factory of the SQLAlchemy plugin."""

from __future__ import annotations

from typing import Any

from dlt.configuration.redaction import remember_secret
from dlt.configuration.specs import ConnectionStringCredentials
from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities, DestinationTerminalError

#: identifier limits of the backends we know (characters); others get 127
IDENTIFIER_LIMITS = {"mysql": 64, "mariadb": 64, "postgresql": 63, "mssql": 128, "oracle": 128}


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def backend_of(credentials: Any) -> str:
    """The backend name (`sqlite`, `mysql`, ...) of a URL, an Engine or credentials."""
    if isinstance(credentials, ConnectionStringCredentials):
        return (credentials.drivername or "").split("+")[0]
    if isinstance(credentials, str):
        return credentials.split(":", 1)[0].split("+")[0]
    dialect = getattr(credentials, "dialect", None)
    return getattr(dialect, "name", "") or ""


class sqlalchemy(Destination):  # noqa: N801 - the public name users write: dlt.destinations.sqlalchemy
    """Load into any database SQLAlchemy 2 connects to.

    `credentials` is an SQLAlchemy URL (`sqlite:///data.db`, `mysql+pymysql://u:pw@host/db`),
    a `ConnectionStringCredentials` or an `Engine` (used as is, never disposed), from the
    argument or `DESTINATION__SQLALCHEMY__CREDENTIALS`. On SQLite each dataset other than
    `main` is the file `<db>__<dataset>.db` next to the database, attached to the connection.
    `create_primary_keys` / `create_unique_indexes` (default false) turn the `primary_key` /
    `unique` hints into constraints. `engine_args` are passed to `create_engine`.
    """

    destination_name = "sqlalchemy"
    config_fields = {"credentials": (True, True), "create_primary_keys": (False, False),
                     "create_unique_indexes": (False, False), "engine_args": (False, False)}

    def __init__(self, credentials: Any = None, create_primary_keys: bool | None = None,
                 create_unique_indexes: bool | None = None, engine_args: dict[str, Any] | None = None,
                 destination_name: str | None = None, environment: str | None = None,
                 **settings: Any) -> None:
        super().__init__(credentials, destination_name, environment,
                         create_primary_keys=create_primary_keys,
                         create_unique_indexes=create_unique_indexes, engine_args=engine_args,
                         **settings)

    def capabilities(self) -> DestinationCapabilities:
        """Parquet (or jsonl, Arrow IPC) jobs inserted in batches through SQLAlchemy Core;
        identifiers are shortened to the limit of the backend the credentials name (64 on
        MySQL/MariaDB), whether they are given here or in configuration."""
        credentials = self.explicit.get("credentials")
        if credentials is None:
            try:
                credentials = self.resolve_settings().get("credentials")
            except Exception:  # noqa: BLE001 - missing credentials fail later, with their keys
                credentials = None
        limit = IDENTIFIER_LIMITS.get(backend_of(credentials), 127) if credentials is not None else 127
        return DestinationCapabilities(
            preferred_loader_file_format="parquet",
            supported_loader_file_formats=("parquet", "jsonl", "arrow"),
            max_identifier_length=limit,
            max_column_identifier_length=limit,
            supports_transactions=True,
            supports_merge=True,
            max_query_length=8 * 1024 * 1024,
            decimal_precision=(38, 9),
            notes={"decimal": "SQLite stores decimals as floating point numbers"},
        )

    def configuration(self) -> dict[str, Any]:
        """Settings with `credentials` as a URL string, `ConnectionStringCredentials` or Engine."""
        resolved = self.resolve_settings()
        credentials = resolved.get("credentials")
        if isinstance(credentials, ConnectionStringCredentials):
            if credentials.password:
                remember_secret(credentials.password)
        elif isinstance(credentials, dict):
            credentials = ConnectionStringCredentials(credentials)
        elif credentials is not None and not isinstance(credentials, str) \
                and not hasattr(credentials, "connect"):
            raise DestinationTerminalError(
                "SQLAlchemy credentials are a URL like 'sqlite:///data.db', ConnectionStringCredentials"
                f" or an sqlalchemy Engine, not {type(credentials).__name__}.")
        resolved["credentials"] = credentials
        for flag in ("create_primary_keys", "create_unique_indexes"):
            resolved[flag] = _as_bool(resolved.get(flag, False))
        return resolved

    def client(self, context: ClientContext) -> Any:
        """A job client on the database (imports SQLAlchemy only here)."""
        from dlt_destination_sqlalchemy.client import SqlAlchemyJobClient

        return SqlAlchemyJobClient(context, self.capabilities(), self.configuration())

    def __repr__(self) -> str:
        return f"<destination {self.name} (SQLAlchemy)>"
