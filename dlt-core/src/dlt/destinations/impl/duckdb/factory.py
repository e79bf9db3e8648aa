"""`duckdb`: the destination factory of the embedded DuckDB destination."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from dlt.configuration.redaction import forget_secret
from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities, DestinationTerminalError

DEFAULT_MEMORY_LIMIT = "64MB"
"""DuckDB's memory cap on connections dlt opens (a load raises it for what its INSERTs need)."""


PIPELINE_KEYWORD = ":pipeline:"
"""`credentials` naming `<pipeline_name>.duckdb` in the pipeline's working folder."""
MEMORY_KEYWORD = ":memory:"
"""`credentials` naming DuckDB's in-memory database: refused (`InvalidInMemoryDuckdbCredentials`)."""
URL_SCHEME = "duckdb:///"


def _without_scheme(text: str) -> str:
    """A `credentials` text without its `duckdb:///` scheme (`duckdb:///path` is `path`)."""
    return text[len(URL_SCHEME):] if text.startswith(URL_SCHEME) else text


class InvalidInMemoryDuckdbCredentials(DestinationTerminalError):
    """`credentials=":memory:"`: every connection would open a new empty database, so the
    loaded data would be gone before anyone could read it (dlt 1.31 refuses it too)."""

    def __init__(self) -> None:
        super().__init__(
            'duckdb credentials ":memory:" would load into a database that is gone when the load'
            " closes its connection. To load into memory, open the connection yourself and pass it:"
            ' conn = duckdb.connect(":memory:"); dlt.pipeline(..., destination=dlt.destinations.duckdb(conn)).'
            ' To keep the data, pass a file path (or ":pipeline:" for a file in the pipeline\'s folder).')


class DuckDBSpec(BaseModel):
    """Settings of the DuckDB destination: a database path or an open connection."""

    model_config = ConfigDict(extra="allow", arbitrary_types_allowed=True)
    credentials: Any = None
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    preserve_insertion_order: bool = False

    @field_validator("credentials")
    @classmethod
    def _path_or_connection(cls, value: Any) -> Any:
        if value is None or isinstance(value, (str, Path)) or hasattr(value, "execute"):
            return value
        raise ValueError("must be a database file path or a duckdb connection")


class duckdb(Destination):  # noqa: N801 - the public name users write: dlt.destinations.duckdb
    """Load into a DuckDB database file (default `<pipeline_name>.duckdb` in the current dir).

    `credentials` may be a path, `:memory:`-less file name, or an open `duckdb` connection;
    it can also come from `DESTINATION__DUCKDB__CREDENTIALS`.
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
        """The settings; `credentials=":memory:"` is refused here, before any data moves."""
        settings = super().configuration()
        credentials = settings.get("credentials")
        keyword = _without_scheme(credentials.strip()) if isinstance(credentials, str) else None
        if keyword in (PIPELINE_KEYWORD, MEMORY_KEYWORD):
            # a keyword is no secret: messages may show it (a path stays redacted, as the
            # value of a secret setting)
            forget_secret(credentials)
            if keyword == MEMORY_KEYWORD:
                raise InvalidInMemoryDuckdbCredentials()
        return settings

    def database_path(self, pipeline_name: str, pipeline_dir: Path | None = None) -> Any:
        """The database file (or connection) this destination writes to.

        Default `<destination_name>.duckdb` for a named destination, else
        `<pipeline_name>.duckdb`, in the current directory; `:pipeline:` puts that file in the
        pipeline's working dir; `duckdb:///path` and plain paths are used as given."""
        credentials = self.configuration().get("credentials")
        named = self.name != type(self).destination_name
        default_name = f"{self.name if named else pipeline_name}.duckdb"
        if credentials is None:
            return str(Path.cwd() / default_name)
        if isinstance(credentials, (str, Path)):
            text = _without_scheme(str(credentials))
            if text == PIPELINE_KEYWORD:
                folder = pipeline_dir or _working_dir_of(pipeline_name)
                return str(Path(folder) / f"{pipeline_name}.duckdb") if folder else str(Path.cwd() / default_name)
            return text
        return credentials

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
        # DuckDB caches up to 80% of RAM by default; loading does not need that (job files come
        # in row groups or batches of bounded size), and merges spill to disk past the limit
        connection_settings = {
            "memory_limit": settings.get("memory_limit") or DEFAULT_MEMORY_LIMIT,
            "preserve_insertion_order": bool(settings.get("preserve_insertion_order", False)),
        }
        sql = DuckDBSqlClient(context.dataset_name, self.capabilities(),
                              self.database_path(context.pipeline_name, context.pipeline_dir),
                              connection_settings)
        client = DuckDBJobClient(context, self.capabilities(), sql)
        # dlt's own default cap grows for loads that need more (wide tables); a limit the user
        # set, in config or on a connection of their own, is theirs to keep
        client.raise_default_memory_limit = not settings.get("memory_limit") and isinstance(
            sql.database, (str, Path))
        return client


def _working_dir_of(pipeline_name: str) -> Path | None:
    """The working dir of the running or last created pipeline named `pipeline_name`."""
    from dlt.pipeline import registry
    from dlt.utils.context import active_pipeline

    for candidate in (active_pipeline.get(), registry.last_pipeline()):
        if candidate is not None and getattr(candidate, "pipeline_name", None) == pipeline_name:
            folder = getattr(candidate, "working_dir", None)
            return Path(folder) if folder else None
    return None
