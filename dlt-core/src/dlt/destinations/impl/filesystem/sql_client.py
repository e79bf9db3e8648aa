"""`FilesystemSqlClient`: SQL over the files of a filesystem dataset, through DuckDB in memory.

Each table of the schema that has files becomes a view in a schema named after the dataset:
jsonl files (plain or gzip) through DuckDB's JSON reader and csv files through its csv reader,
both with the schema's column types, parquet files through its parquet reader, all together
when a table has several formats. Files of a bucket that is not local are read through its fsspec
filesystem registered into DuckDB (no DuckDB extension needed). Delta and Iceberg tables are read
by `deltalake` / `pyiceberg` as Arrow data registered into DuckDB (DuckDB's own delta and iceberg
extensions are not used). `_dlt_version` is read from the stored schema version records. The views are made when the connection opens, so a client sees the files as they
were then; `pipeline.sql_client()` and `pipeline.dataset()` read through it.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any, Callable, Mapping

from dlt.destinations.impl.duckdb.client import JSON_BUFFER_MIB, DuckDBJobClient, DuckDBSqlClient, _mebibytes
from dlt.schema.typing import VERSION_TABLE

QUERY_MEMORY_LIMIT = "96MB"
"""DuckDB's memory cap for queries over a filesystem dataset's files (DuckDB spills beyond it;
a load's cap is lower because a load raises it for what its INSERTs need)."""

if TYPE_CHECKING:
    from dlt.destinations.impl.filesystem.client import FilesystemJobClient


class FilesystemSqlClient(DuckDBSqlClient):
    """A DuckDB connection in memory with one view per table of the filesystem dataset."""

    def __init__(self, job_client: FilesystemJobClient) -> None:
        super().__init__(job_client.dataset_name, job_client.capabilities, ":memory:",
                         {"memory_limit": QUERY_MEMORY_LIMIT})
        self.job_client = job_client
        self._registered: list[str] = []

    def open_connection(self) -> Any:
        """Connect and create the views over the dataset's files (on the first `with` only)."""
        fresh = self._connection is None
        connection = super().open_connection()
        if fresh:
            self._create_views()
        return connection

    def _create_views(self) -> None:
        bucket = self.job_client.bucket
        if not bucket.is_local:
            self._connection.register_filesystem(bucket.fs)
        self._connection.execute(f"CREATE SCHEMA IF NOT EXISTS {self.qualified_dataset_name()}")
        self._make_room_for_json_reads()
        for table_name in self.job_client.schema.tables:
            if self.job_client.table_format(table_name):
                select = self._open_table_select(table_name)
            else:
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

    def _files(self, table_name: str, *suffixes: str) -> list[str]:
        """URLs of the table's files whose names end with one of `suffixes` (none for Delta
        and Iceberg tables: their library reads them)."""
        if self.job_client.table_format(table_name):
            return []
        bucket = self.job_client.bucket
        return [bucket.url(f) for f in self.job_client.table_files(table_name)
                if any(posixpath.basename(f).endswith(suffix) for suffix in suffixes)]

    def _open_table_select(self, table_name: str) -> str | None:
        """The SELECT over a Delta or Iceberg table, read by its library and registered as Arrow."""
        client = self.job_client
        location = client.table_location(table_name)
        if not client.bucket.exists(location):
            return None
        if client.table_format(table_name) == "delta":
            data = client.delta_tables().arrow_dataset(client.delta_location(table_name))
        else:
            data = client.iceberg_tables().arrow_table(table_name, location)
        if data is None:
            return None
        name = f"_dlt_arrow_{len(self._registered)}_{table_name}"
        self._registered.append(name)
        self._connection.register(name, data)
        return f"SELECT * FROM {self.escape_identifier(name)}"

    def _table_select(self, table_name: str) -> str | None:
        """The SELECT reading every file of a table, or None when it has no files."""
        if table_name == VERSION_TABLE:
            return self._version_select()
        selects = []
        spec = typed_columns_spec(self.job_client.schema.tables[table_name]["columns"], self.escape_string)
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


def typed_columns_spec(columns: Mapping[str, Any], escape: Callable[[str], str]) -> str:
    """The `columns`/`types` argument of DuckDB's json and csv readers for a table's typed columns."""
    mapping = DuckDBJobClient.type_mapping
    return ", ".join(f"{escape(name)}: {escape(mapping[c['data_type']])}"
                     for name, c in columns.items() if c.get("data_type"))


def _file_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
