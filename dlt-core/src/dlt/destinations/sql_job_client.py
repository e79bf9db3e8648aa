"""`SqlJobClient`: schema migration, merge/replace and system tables for SQL destinations.

A SQL destination subclasses this and implements `copy_file` (how a job file gets into a table)
and `type_mapping`. Packages load in one transaction when the destination has transactions:
truncating replaced tables, inserting rows, merging staged rows and recording `_dlt_loads`.
"""

from __future__ import annotations

import base64
import logging
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


from dlt.utils import typed_json
from dlt.destinations.base import ClientContext, DestinationCapabilities, JobClient
from dlt.destinations.sql_client import SqlClient
from dlt.schema.typing import (
    ID_COLUMN,
    LOADS_TABLE,
    ROOT_ID_COLUMN,
    STATE_TABLE,
    VERSION_TABLE,
    TTableSchema,
)


logger = logging.getLogger("dlt.load")


def encode_state(state: dict[str, Any]) -> str:
    """Compress pipeline state (types kept) for the `_dlt_pipeline_state.state` column."""
    return base64.b64encode(zlib.compress(typed_json.dumps(state))).decode()


def decode_state(text: str) -> dict[str, Any]:
    """Inverse of `encode_state` (plain JSON is accepted too)."""
    if text.lstrip().startswith("{"):
        return typed_json.loads(text)
    return typed_json.loads(zlib.decompress(base64.b64decode(text)))


class SqlJobClient(JobClient):
    """A job client for destinations reachable through a `SqlClient`."""

    #: data type -> SQL type of this dialect
    type_mapping: dict[str, str] = {}

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 sql_client: SqlClient) -> None:
        super().__init__(context, capabilities)
        self.sql = sql_client
        self._load_tables: list[str] = []

    def __enter__(self) -> SqlJobClient:
        self.sql.open_connection()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.sql.close_connection()

    def sql_client(self) -> SqlClient:
        """The SQL client of this job client (already connected inside `with`)."""
        return self.sql

    # -- storage ------------------------------------------------------------------------------

    def initialize_storage(self) -> None:
        """Create the dataset when missing."""
        if not self.sql.has_dataset():
            self.sql.create_dataset()

    def is_storage_initialized(self) -> bool:
        """True when the dataset exists."""
        return self.sql.has_dataset()

    def drop_storage(self) -> None:
        """Drop the dataset and its staging dataset."""
        self.sql.drop_dataset()
        self.sql.drop_dataset(self.sql.staging_dataset_name())

    def drop_tables(self, *tables: str) -> None:
        """Drop tables (and nothing else) from the dataset."""
        for table in tables:
            self.sql.execute_sql(f"DROP TABLE IF EXISTS {self.sql.make_qualified_table_name(table)}")

    # -- schema migration ---------------------------------------------------------------------

    def to_db_type(self, column: dict[str, Any]) -> str:
        """The SQL type of a column."""
        data_type = column["data_type"]
        if data_type == "decimal" and column.get("precision"):
            return f"DECIMAL({column['precision']},{column.get('scale') or 0})"
        return self.type_mapping[data_type]

    def storage_columns(self, dataset_name: str | None = None) -> dict[str, dict[str, str]]:
        """Existing tables of the dataset: table -> column -> db type."""
        rows = self.sql.execute_sql(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            f" WHERE table_schema = {self.sql.param}" + self.catalog_filter(),
            dataset_name or self.dataset_name,
        ) or []
        tables: dict[str, dict[str, str]] = {}
        for table, column, data_type in rows:
            tables.setdefault(table, {})[column] = data_type
        return tables

    def catalog_filter(self) -> str:
        """An extra WHERE clause limiting information_schema to this database, if needed."""
        return ""

    def column_definition(self, column: dict[str, Any]) -> str:
        """`"name" TYPE [NOT NULL]` for CREATE and ALTER."""
        nullable = column.get("nullable", True)
        definition = f"{self.sql.escape_identifier(column['name'])} {self.to_db_type(column)}"
        return definition if nullable else definition + " NOT NULL"

    def columns_ddl(self, table: TTableSchema) -> str:
        """The column list of a CREATE TABLE: one definition per typed column of `table`."""
        return ",\n  ".join(self.column_definition(c) for c in table["columns"].values() if c.get("data_type"))

    def create_table_statement(self, table: TTableSchema, qualified: str) -> str:
        """CREATE TABLE `qualified` with the columns of `table` and the destination's
        `table_options()`."""
        return f"CREATE TABLE {qualified} (\n  {self.columns_ddl(table)}\n){self.table_options(table)}"

    def table_options(self, table: TTableSchema) -> str:
        """Clauses after the column list of a CREATE TABLE (partitioning, sort keys); none here."""
        return ""

    def migration_statements(self, table: TTableSchema, existing: dict[str, str] | None,
                             dataset_name: str | None = None) -> list[str]:
        """CREATE TABLE or ALTER TABLE ADD COLUMN statements to bring `table` up to date."""
        qualified = self.sql.make_qualified_table_name(table["name"], dataset_name)
        if existing is None:
            return [self.create_table_statement(table, qualified)]
        columns = [c for c in table["columns"].values() if c.get("data_type")]
        missing = [c for c in columns if c["name"] not in existing]
        # added columns are nullable: old rows have no value for them
        return [
            f"ALTER TABLE {qualified} ADD COLUMN {self.column_definition({**c, 'nullable': True})}"
            for c in missing
        ]

    def update_stored_schema(self) -> list[str]:
        """Create missing tables and columns; store the schema version if it is new."""
        existing = self.storage_columns()
        statements: list[str] = []
        tables = [self.schema.tables[name] for name in (VERSION_TABLE, LOADS_TABLE, STATE_TABLE)]
        tables += self.schema.data_tables()
        for table in tables:
            statements += self.migration_statements(table, existing.get(table["name"]))
        for statement in statements:
            self.sql.execute_sql(statement)
        self._store_schema_version()
        return statements

    def _store_schema_version(self) -> None:
        version_table = self.sql.make_qualified_table_name(VERSION_TABLE)
        p = self.sql.param
        found = self.sql.execute_sql(
            f"SELECT 1 FROM {version_table} WHERE version_hash = {p} AND schema_name = {p}",
            self.schema.version_hash, self.schema.name,
        )
        if found:
            return
        # compressed like the state: a schema fits Redshift's 64 KB VARCHAR limit
        document = encode_state(self.schema.to_dict())
        self.sql.execute_sql(
            f"INSERT INTO {version_table} (version, engine_version, inserted_at, schema_name,"
            f" version_hash, schema) VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
            self.schema.version, 1, datetime.now(timezone.utc), self.schema.name,
            self.schema.version_hash, document,
        )

    # -- loading ------------------------------------------------------------------------------

    def is_load_recorded(self, load_id: str) -> bool:
        """True when `_dlt_loads` already holds `load_id`."""
        if LOADS_TABLE not in self.storage_columns():
            return False
        rows = self.sql.execute_sql(
            f"SELECT 1 FROM {self.sql.make_qualified_table_name(LOADS_TABLE)}"
            f" WHERE load_id = {self.sql.param}", load_id,
        )
        return bool(rows)

    def _merge_roots(self, tables: list[str]) -> list[str]:
        roots = []
        for table in tables:
            root = self.schema.root_table(table)["name"]
            if self.schema.write_disposition(table) == "merge" and root not in roots:
                roots.append(root)
        return roots

    def _is_staged(self, table: str) -> bool:
        return self.schema.write_disposition(table) == "merge" and not table.startswith("_dlt")

    def begin_load(self, load_id: str, tables: list[str]) -> None:
        """Open a transaction, prepare staging tables and truncate replaced tables."""
        self._load_tables = list(tables)
        if self.capabilities.supports_transactions:
            self.sql.begin_transaction()
        merge_roots = self._merge_roots(tables)
        staged = [t for t in self.schema.data_tables() if self._is_staged(t["name"])
                  and self.schema.root_table(t["name"])["name"] in merge_roots]
        if staged:
            self.prepare_staging_tables(staged)
        replaced_roots = {self.schema.root_table(t)["name"] for t in tables
                          if self.schema.write_disposition(t) == "replace" and not t.startswith("_dlt")}
        for root in sorted(replaced_roots):
            for table in [self.schema.tables[root], *self.schema.child_tables(root)]:
                if any(c.get("data_type") for c in table["columns"].values()):
                    self.sql.execute_sql(f"DELETE FROM {self.sql.make_qualified_table_name(table['name'])}")

    def prepare_staging_tables(self, tables: list[TTableSchema]) -> None:
        """Create (or bring up to date) and empty the staging tables of the package's merge
        tables, in the staging dataset."""
        staging = self.sql.staging_dataset_name()
        if not self.sql.has_dataset(staging):
            self.sql.create_dataset(staging)
        existing = self.storage_columns(staging)
        for table in tables:
            for statement in self.migration_statements(table, existing.get(table["name"]), staging):
                self.sql.execute_sql(statement)
            self.sql.execute_sql(f"DELETE FROM {self.qualified_staging_table(table['name'])}")

    def qualified_staging_table(self, table_name: str) -> str:
        """The qualified staging table of `table_name`: its merge rows land there first."""
        return self.sql.make_qualified_table_name(self.staging_table_name(table_name),
                                                  self.sql.staging_dataset_name())

    def run_job(self, job: Any, path: Path) -> None:
        """Copy one job file into its table (or its staging table for merge)."""
        table, qualified_table = self.job_target(job)
        self.copy_file(path, table, job.file_format, qualified_table)

    def job_target(self, job: Any) -> tuple[TTableSchema, str]:
        """The table schema of a job and the qualified table its rows go to (the staging
        table for merge)."""
        table = self.schema.tables[job.table_name]
        if self._is_staged(job.table_name):
            return table, self.qualified_staging_table(table["name"])
        return table, self.sql.make_qualified_table_name(table["name"])

    def run_jobs(self, jobs: list[Any], paths: list[Path]) -> None:
        """Run several jobs of one table and file format; destinations that read many files
        in one statement override this (DuckDB)."""
        for job, path in zip(jobs, paths):
            self.run_job(job, path)

    def copy_file(self, path: Path, table: TTableSchema, file_format: str, qualified_table: str) -> None:
        """Insert the rows of a job file into `qualified_table`."""
        raise NotImplementedError

    def merge_statements(self, root: str) -> list[str]:
        """Delete-insert SQL moving staged rows of a merge table chain into the dataset."""
        schema = self.schema
        root_table = schema.tables[root]
        q = self.sql.escape_identifier
        dest_root = self.sql.make_qualified_table_name(root)
        stage_root = self.qualified_staging_table(root)
        primary = [n for n, c in root_table["columns"].items() if c.get("primary_key")]
        merge = [n for n, c in root_table["columns"].items() if c.get("merge_key")]
        conditions = []
        for keys in (primary, merge):
            if keys:
                conditions.append(" AND ".join(f"s.{q(k)} = d.{q(k)}" for k in keys))
        children = [t for t in schema.child_tables(root) if any(c.get("data_type") for c in t["columns"].values())]
        statements = []
        if conditions:
            match = " OR ".join(f"({c})" for c in conditions)
            exists = f"EXISTS (SELECT 1 FROM {stage_root} AS s WHERE {match})"
            for child in children:
                dest_child = self.sql.make_qualified_table_name(child["name"])
                statements.append(
                    f"DELETE FROM {dest_child} WHERE {q(ROOT_ID_COLUMN)} IN"
                    f" (SELECT d.{q(ID_COLUMN)} FROM {dest_root} AS d WHERE {exists})"
                )
            statements.append(f"DELETE FROM {dest_root} AS d WHERE {exists}")
        return statements + self.insert_staged_statements([root_table, *children])

    def staging_table_name(self, table_name: str) -> str:
        """The name of `table_name`'s table in the staging dataset (the same by default)."""
        return table_name

    def insert_staged_statements(self, tables: list[TTableSchema]) -> list[str]:
        """`INSERT ... SELECT` of each table's staged rows into the dataset, in order."""
        statements = []
        for table in tables:
            columns = ", ".join(self.sql.escape_identifier(c["name"])
                                for c in table["columns"].values() if c.get("data_type"))
            staged = self.qualified_staging_table(table["name"])
            statements.append(
                f"INSERT INTO {self.sql.make_qualified_table_name(table['name'])} ({columns})"
                f" SELECT {columns} FROM {staged}"
            )
        return statements

    def complete_load(self, load_id: str, tables: list[str]) -> None:
        """Merge staged tables, record the load in `_dlt_loads` and commit."""
        for root in self._merge_roots(tables):
            for statement in self.merge_statements(root):
                self.sql.execute_sql(statement)
        p = self.sql.param
        self.sql.execute_sql(
            f"INSERT INTO {self.sql.make_qualified_table_name(LOADS_TABLE)} (load_id, schema_name,"
            f" status, inserted_at, schema_version_hash) VALUES ({p}, {p}, {p}, {p}, {p})",
            load_id, self.schema.name, 0, datetime.now(timezone.utc), self.schema.version_hash,
        )
        if self.capabilities.supports_transactions:
            self.sql.commit_transaction()

    def abort_load(self) -> None:
        """Roll back the package's transaction."""
        if self.capabilities.supports_transactions and self.sql.in_transaction:
            try:
                self.sql.rollback_transaction()
            except Exception:
                logger.warning("rollback of the load transaction failed; the connection is closed")

    # -- state and schema restore -------------------------------------------------------------

    def get_stored_state(self, pipeline_name: str) -> dict[str, Any] | None:
        """The newest state row of `pipeline_name`, decoded."""
        if STATE_TABLE not in self.storage_columns():
            return None
        # only state rows of packages recorded in _dlt_loads: a half-loaded package's state
        # (possible on destinations without transactions) must not be restored
        rows = self.sql.execute_sql(
            f"SELECT state FROM {self.sql.make_qualified_table_name(STATE_TABLE)}"
            f" WHERE pipeline_name = {self.sql.param} AND _dlt_load_id IN"
            f" (SELECT load_id FROM {self.sql.make_qualified_table_name(LOADS_TABLE)})"
            " ORDER BY version DESC, created_at DESC LIMIT 1",
            pipeline_name,
        )
        return decode_state(rows[0][0]) if rows else None

    def get_stored_schema(self, schema_name: str) -> dict[str, Any] | None:
        """The newest stored version of schema `schema_name`, as a dict."""
        if VERSION_TABLE not in self.storage_columns():
            return None
        rows = self.sql.execute_sql(
            f"SELECT schema FROM {self.sql.make_qualified_table_name(VERSION_TABLE)}"
            f" WHERE schema_name = {self.sql.param} ORDER BY inserted_at DESC, version DESC LIMIT 1",
            schema_name,
        )
        return decode_state(rows[0][0]) if rows else None
