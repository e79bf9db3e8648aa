"""`duckdb`: the destination factory of the embedded DuckDB destination."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from dlt.configuration.redaction import forget_secret
from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities
from dlt.destinations.impl.duckdb.configuration import (
    URL_SCHEME,
    DuckDbCredentials,
    InvalidInMemoryDuckdbCredentials,
    resolve_credentials,
)

DEFAULT_MEMORY_LIMIT = "64MB"
"""DuckDB's memory cap on connections dlt opens (a load raises it for what its INSERTs need)."""


PIPELINE_KEYWORD = ":pipeline:"
"""`credentials` naming `<pipeline_name>.duckdb` in the pipeline's working folder."""
MEMORY_KEYWORD = ":memory:"
"""`credentials` naming DuckDB's in-memory database: refused
(`InvalidInMemoryDuckdbCredentials`)."""
MEMORY_SETTINGS = ("memory_limit", "max_memory")
"""DuckDB's names of its memory cap: set in the credentials' configs, it is the user's to keep."""


class DuckDBSpec(BaseModel):
    """Settings of the DuckDB destination: a database path or an open connection."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
    credentials: Any = None
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    preserve_insertion_order: bool = False

    @field_validator("credentials")
    @classmethod
    def _path_or_connection(cls, value: Any) -> Any:
        if value is None or isinstance(value, (str, Path, dict, DuckDbCredentials)) or hasattr(
                value, "execute"):
            return value
        raise ValueError("must be a database file path, a duckdb connection, DuckDbCredentials"
                         " or a dict of their fields")


class duckdb(Destination):  # noqa: N801 - the public name users write: dlt.destinations.duckdb
    """Load into a DuckDB database file (default `<pipeline_name>.duckdb` in the current dir).

    `credentials` may be a path, `:memory:`-less file name, an open `duckdb` connection or
    `DuckDbCredentials` (with extensions, configs, pragmas and statements for the
    connections); it can also come from `DESTINATION__DUCKDB__CREDENTIALS`, or field by field
    from `DESTINATION__DUCKDB__CREDENTIALS__<FIELD>`.
    """

    destination_name = "duckdb"
    spec = DuckDBSpec
    config_fields = {
        "credentials": (False, True),
        "memory_limit": (False, False),
        "preserve_insertion_order": (False, False),
    }

    def __init__(self, credentials: Any = None, destination_name: str | None = None,
                 environment: str | None = None, **settings: Any) -> None:
        super().__init__(credentials, destination_name, environment, **settings)

    def capabilities(self) -> DestinationCapabilities:
        """Parquet loads through DuckDB's native reader and Arrow data through its Arrow scan;
        transactional, merges supported."""
        return DestinationCapabilities(
            preferred_loader_file_format="parquet",
            supported_loader_file_formats=("parquet", "jsonl", "arrow"),
            # Arrow tables load from Arrow IPC files: written and scanned without encoding
            preferred_arrow_file_format="arrow",
            max_identifier_length=65536,
            max_column_identifier_length=65536,
            supports_transactions=True,
            supports_merge=True,
        )

    def configuration(self) -> dict[str, Any]:
        """The settings, `credentials` as `DuckDbCredentials` (fields may come one by one from
        `destination.duckdb.credentials.<field>`); `:memory:` is refused here, before any data
        moves."""
        settings = self._validate(self.resolve_settings(skip=("credentials",)))
        explicit = settings.get("credentials")
        credentials = resolve_credentials(explicit, self.name)
        database = credentials.database
        keyword = database.strip() if isinstance(database, str) else None
        if credentials.connection is None and keyword in (PIPELINE_KEYWORD, MEMORY_KEYWORD):
            # a keyword is no secret: messages may show it (a path given as the credentials
            # stays redacted, as the value of a secret setting)
            for remembered in (explicit, database, URL_SCHEME + database):
                forget_secret(remembered)
            if keyword == MEMORY_KEYWORD:
                raise InvalidInMemoryDuckdbCredentials()
        settings["credentials"] = credentials
        return settings

    def database_path(self, pipeline_name: str, pipeline_dir: Path | None = None) -> Any:
        """The database file (or connection) this destination writes to.

        Default `<destination_name>.duckdb` for a named destination, else
        `<pipeline_name>.duckdb`, in the current directory; `:pipeline:` puts that file in the
        pipeline's working dir; `duckdb:///path` and plain paths are used as given."""
        return self._database_of(self.configuration()["credentials"], pipeline_name, pipeline_dir)

    def _database_of(self, credentials: DuckDbCredentials, pipeline_name: str,
                     pipeline_dir: Path | None) -> Any:
        """`database_path` of resolved `credentials`."""
        if credentials.connection is not None:
            return credentials.connection
        named = self.name != type(self).destination_name
        default_name = f"{self.name if named else pipeline_name}.duckdb"
        database = credentials.database
        if not database:
            return str(Path.cwd() / default_name)
        if database.strip() == PIPELINE_KEYWORD:
            folder = pipeline_dir or _working_dir_of(pipeline_name)
            if folder:
                return str(Path(folder) / f"{pipeline_name}.duckdb")
            return str(Path.cwd() / default_name)
        return database

    gitignore_patterns = ("*.duckdb", "*.duckdb.wal")

    def data_location(self, pipeline_name: str, pipeline_dir: Path | None = None,
                      dataset_name: str | None = None) -> Path | None:
        """The database file (None for a connection the user opened)."""
        location = self.database_path(pipeline_name, pipeline_dir)
        return Path(location) if isinstance(location, (str, Path)) else None

    def client(self, context: ClientContext) -> Any:
        """A job client on the DuckDB database for `context`."""
        from dlt.destinations.impl.duckdb.client import DuckDBJobClient, DuckDBSqlClient

        settings = self.configuration()
        credentials: DuckDbCredentials = settings["credentials"]
        # DuckDB caches up to 80% of RAM by default; loading does not need that (job files come
        # in row groups or batches of bounded size), and merges spill to disk past the limit
        connection_settings = {
            "memory_limit": settings.get("memory_limit") or DEFAULT_MEMORY_LIMIT,
            "preserve_insertion_order": bool(settings.get("preserve_insertion_order", False)),
        }
        database = self._database_of(credentials, context.pipeline_name, context.pipeline_dir)
        sql = DuckDBSqlClient(context.dataset_name, self.capabilities(), database,
                              connection_settings, credentials=credentials)
        client = DuckDBJobClient(context, self.capabilities(), sql)
        # dlt's own default cap grows for loads that need more (wide tables); a limit the user
        # set, in config, in the credentials or on a connection of their own, is theirs to keep
        client.raise_default_memory_limit = (
            not settings.get("memory_limit") and isinstance(sql.database, (str, Path))
            and not _sets_memory(credentials))
        return client


def _sets_memory(credentials: DuckDbCredentials) -> bool:
    """True when the credentials' `global_config` or `local_config` set DuckDB's memory cap."""
    configs = (credentials.global_config or {}, credentials.local_config or {})
    return any(str(name).lower() in MEMORY_SETTINGS for config in configs for name in config)


def _working_dir_of(pipeline_name: str) -> Path | None:
    """The working dir of the running or last created pipeline named `pipeline_name`."""
    from dlt.pipeline import registry
    from dlt.utils.context import active_pipeline

    for candidate in (active_pipeline.get(), registry.last_pipeline()):
        if candidate is not None and getattr(candidate, "pipeline_name", None) == pipeline_name:
            folder = getattr(candidate, "working_dir", None)
            return Path(folder) if folder else None
    return None
