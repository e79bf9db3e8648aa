"""`sqlite`: SQLite database files, one per dataset, `ATTACH`ed to one sqlite3 connection."""
import sqlite3
from pathlib import Path

from dlt.destinations.base import ClientContext, Destination, DestinationCapabilities
from dlt.destinations.sql_client import SqlClient, value_as_text
from dlt.destinations.sql_job_client import SqlJobClient


class SqliteSqlClient(SqlClient):
    """Datasets are database files attached under their own name; `user_version = 1` marks one
    that exists (SQLite has no CREATE SCHEMA nor information_schema)."""

    destination_name = "sqlite"
    to_driver_value = staticmethod(value_as_text)  # dates, decimals and JSON bound as text

    def __init__(self, dataset_name: str, capabilities: DestinationCapabilities, folder: Path) -> None:
        super().__init__(dataset_name, capabilities)
        self.folder = folder

    def open_connection(self) -> sqlite3.Connection:
        # autocommit: dlt's base issues BEGIN TRANSACTION / COMMIT itself
        connection = sqlite3.connect(":memory:", isolation_level=None)
        for name in (self.dataset_name, self.staging_dataset_name()):
            path = str(self.folder / f"{name}.sqlite")
            connection.execute(f"ATTACH DATABASE ? AS {self.escape_identifier(name)}", (path,))
        return connection

    def close_connection(self) -> None:
        self.native_connection.close()

    def has_dataset(self, dataset_name: str | None = None) -> bool:
        schema = self.qualified_dataset_name(dataset_name)
        return self.execute_sql(f"PRAGMA {schema}.user_version")[0][0] == 1

    def create_dataset(self, dataset_name: str | None = None) -> None:
        self.execute_sql(f"PRAGMA {self.qualified_dataset_name(dataset_name)}.user_version = 1")

    def drop_dataset(self, dataset_name: str | None = None) -> None:
        for table in self.table_columns(dataset_name):
            self.execute_sql(f"DROP TABLE {self.make_qualified_table_name(table, dataset_name)}")
        self.execute_sql(f"PRAGMA {self.qualified_dataset_name(dataset_name)}.user_version = 0")

    def table_columns(self, dataset_name: str | None = None, where: str = "") -> dict[str, dict[str, str]]:
        tables: dict[str, dict[str, str]] = {}
        for table, column, db_type in self.execute_sql(
                f"SELECT m.name, p.name, p.type FROM {self.qualified_dataset_name(dataset_name)}"
                ".sqlite_master AS m JOIN pragma_table_info(m.name, ?) AS p WHERE m.type = 'table'",
                dataset_name or self.dataset_name) or []:
            tables.setdefault(table, {})[column] = db_type
        return tables


class SqliteJobClient(SqlJobClient):
    """Everything else (migrations, merge, replace, state) comes from `SqlJobClient`."""

    destination_name = "sqlite"
    decimal_type_template = None  # TEXT keeps every digit; SQLite's DECIMAL would round to REAL
    type_mapping = {"text": "TEXT", "bigint": "INTEGER", "double": "REAL", "bool": "INTEGER",
                    "timestamp": "TEXT", "date": "TEXT", "time": "TEXT", "decimal": "TEXT",
                    "json": "TEXT", "binary": "BLOB"}


class sqlite(Destination):  # noqa: N801 - users write dlt.destinations.sqlite
    """Load into `<location>/<dataset_name>.sqlite` (location: the current directory)."""

    destination_name = "sqlite"
    config_fields = {"location": (False, False)}  # name -> (required, secret)
    gitignore_patterns = ("*.sqlite",)

    def capabilities(self) -> DestinationCapabilities:
        return DestinationCapabilities(supported_loader_file_formats=("parquet", "jsonl"),
                                       max_identifier_length=1024, max_column_identifier_length=1024)

    def data_location(self, pipeline_name: str, pipeline_dir: Path | None = None,
                      dataset_name: str | None = None) -> Path | None:
        folder = Path(self.configuration().get("location") or Path.cwd())
        return folder / f"{dataset_name}.sqlite" if dataset_name else folder

    def client(self, context: ClientContext) -> SqliteJobClient:
        folder = self.data_location(context.pipeline_name)
        sql = SqliteSqlClient(context.dataset_name, self.capabilities(), folder)
        return SqliteJobClient(context, self.capabilities(), sql)
