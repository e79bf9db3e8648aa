"""`FilesystemSqlClient`: SQL over the files of a filesystem dataset, through DuckDB in memory.

Each table of the schema that has files becomes a view in a schema named after the dataset:
jsonl files (plain or gzip) through DuckDB's JSON reader and csv files through its csv reader,
both with the schema's column types, parquet files through its parquet reader, all together
when a table has several formats. `_dlt_version` is read from the stored schema version
records. The views are made when the connection opens, so a client sees the files as they
were then; `pipeline.sql_client()` and `pipeline.dataset()` read through it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlt.destinations.impl.duckdb.client import JSON_BUFFER_MIB, DuckDBJobClient, DuckDBSqlClient, _mebibytes
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
        self._make_room_for_json_reads()
        for table_name in self.job_client.schema.tables:
            select = self._table_select(table_name)
            if select:
                self._connection.execute(
                    f"CREATE OR REPLACE VIEW {self.make_qualified_table_name(table_name)} AS {select}")
        self._use_dataset()

    def _make_room_for_json_reads(self) -> None:
        """Raise the memory limit to what DuckDB's JSON reader holds (32 MiB buffers, about
        threads + 2 at once, more for gzip files) when the dataset has jsonl files."""
        if not any(self._files(t, ".jsonl", ".jsonl.gz", ".typed-jsonl", ".typed-jsonl.gz")
                   for t in self.job_client.schema.tables):
            return
        limit, threads = self._connection.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
        needed = JSON_BUFFER_MIB * (int(threads) + 4)
        if _mebibytes(limit) < needed:
            self._connection.execute(f"SET memory_limit = '{needed}MiB'")

    def _files(self, table_name: str, *suffixes: str) -> list[Path]:
        return [f for f in self.job_client.table_files(table_name)
                if any(f.name.endswith(suffix) for suffix in suffixes)]

    def _table_select(self, table_name: str) -> str | None:
        """The SELECT reading every file of a table, or None when it has no files."""
        if table_name == VERSION_TABLE:
            return self._version_select()
        selects = []
        columns = self.job_client.schema.tables[table_name]["columns"]
        mapping = DuckDBJobClient.type_mapping
        typed = {name: mapping[c["data_type"]] for name, c in columns.items() if c.get("data_type")}
        spec = ", ".join(f"{self.escape_string(name)}: {self.escape_string(sql_type)}" for name, sql_type in typed.items())
        jsonl = self._files(table_name, ".jsonl", ".jsonl.gz", ".typed-jsonl", ".typed-jsonl.gz")
        if jsonl:
            selects.append(f"SELECT * FROM read_json({_file_list(jsonl)}, format = 'newline_delimited',"
                           f" columns = {{{spec}}})")
        parquet = self._files(table_name, ".parquet")
        if parquet:
            selects.append(f"SELECT * FROM read_parquet({_file_list(parquet)}, union_by_name = true)")
        csv = self._files(table_name, ".csv", ".csv.gz")
        if csv:
            # header names map to the schema's types; a file lacking a column reads it as null
            selects.append(f"SELECT * FROM read_csv({_file_list(csv)}, header = true, union_by_name = true,"
                           f" types = {{{spec}}})")
        return " UNION ALL BY NAME ".join(selects) or None

    def _version_select(self) -> str | None:
        """`_dlt_version` rows from the stored schema version records."""
        documents = self._files(VERSION_TABLE, ".jsonl")
        if not documents:
            return None
        return (
            "SELECT CAST(version AS BIGINT) AS version, CAST(engine_version AS BIGINT) AS engine_version,"
            " CAST(inserted_at AS TIMESTAMP WITH TIME ZONE) AS inserted_at, schema_name, version_hash,"
            f" schema FROM read_json({_file_list(documents)}, format = 'newline_delimited',"
            " columns = {version: 'BIGINT', engine_version: 'BIGINT', inserted_at: 'VARCHAR',"
            " schema_name: 'VARCHAR', version_hash: 'VARCHAR', schema: 'VARCHAR'})"
        )


def _file_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
