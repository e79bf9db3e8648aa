"""`FilesystemSqlClient`: SQL over the files of a filesystem dataset, through DuckDB in memory.

Each table of the schema that has files becomes a view in a schema named after the dataset:
jsonl files through DuckDB's JSON reader with the schema's column types, parquet files through
its parquet reader, both when a table has both. `_dlt_version` is read from the stored schema
documents. The views are made when the connection opens, so a client sees the files as they
were then; `pipeline.sql_client()` and `pipeline.dataset()` read through it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlt.destinations.impl.duckdb.client import DuckDBJobClient, DuckDBSqlClient
from dlt.destinations.impl.duckdb.factory import DEFAULT_MEMORY_LIMIT
from dlt.schema.typing import VERSION_TABLE

if TYPE_CHECKING:
    from dlt.destinations.impl.filesystem.client import FilesystemJobClient


class FilesystemSqlClient(DuckDBSqlClient):
    """A DuckDB connection in memory with one view per table of the filesystem dataset."""

    def __init__(self, job_client: FilesystemJobClient) -> None:
        super().__init__(job_client.dataset_name, job_client.capabilities, ":memory:",
                         {"memory_limit": DEFAULT_MEMORY_LIMIT})
        self.job_client = job_client

    def open_connection(self) -> Any:
        """Connect and create the views over the dataset's files (on the first `with` only)."""
        fresh = self._connection is None
        connection = super().open_connection()
        if fresh:
            self._create_views()
        return connection

    def _create_views(self) -> None:
        self._connection.execute(f"CREATE SCHEMA IF NOT EXISTS {self.qualified_dataset_name()}")
        for table_name in self.job_client.schema.tables:
            select = self._table_select(table_name)
            if select:
                self._connection.execute(
                    f"CREATE OR REPLACE VIEW {self.make_qualified_table_name(table_name)} AS {select}")
        self._use_dataset()

    def _files(self, table_name: str, suffix: str) -> list[Path]:
        folder = self.job_client.dataset_path / table_name
        return sorted(folder.glob(f"*{suffix}")) if folder.is_dir() else []

    def _table_select(self, table_name: str) -> str | None:
        """The SELECT reading every file of a table, or None when it has no files."""
        if table_name == VERSION_TABLE:
            return self._version_select()
        selects = []
        jsonl = self._files(table_name, ".jsonl")
        if jsonl:
            columns = self.job_client.schema.tables[table_name]["columns"]
            mapping = DuckDBJobClient.type_mapping
            spec = ", ".join(f"{self.escape_string(name)}: {self.escape_string(mapping[c['data_type']])}"
                             for name, c in columns.items() if c.get("data_type"))
            selects.append(f"SELECT * FROM read_json({_file_list(jsonl)}, format = 'newline_delimited',"
                           f" columns = {{{spec}}})")
        parquet = self._files(table_name, ".parquet")
        if parquet:
            selects.append(f"SELECT * FROM read_parquet({_file_list(parquet)}, union_by_name = true)")
        return " UNION ALL BY NAME ".join(selects) or None

    def _version_select(self) -> str | None:
        """`_dlt_version` rows from the stored schema documents (inserted_at: the file's time)."""
        documents = self._files(VERSION_TABLE, ".json")
        if not documents:
            return None
        return (
            "SELECT CAST(json_extract(content, '$.version') AS BIGINT) AS version,"
            " CAST(json_extract(content, '$.engine_version') AS BIGINT) AS engine_version,"
            " CAST(last_modified AS TIMESTAMP WITH TIME ZONE) AS inserted_at,"
            " json_extract_string(content, '$.name') AS schema_name,"
            " json_extract_string(content, '$.version_hash') AS version_hash,"
            f" content AS schema FROM read_text({_file_list(documents)})"
        )


def _file_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
