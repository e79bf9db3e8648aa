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
from collections.abc import Sequence
from typing import Any


from dlt.utils import typed_json
from dlt.destinations.base import (
    ClientContext,
    DestinationCapabilities,
    DestinationTerminalError,
    JobClient,
    LoadJobTerminalError,
    configured_replace_strategy,
)
from dlt.destinations.strategies import (
    active_record_timestamp,
    as_utc_datetime,
    columns_with,
    hard_delete_column,
    merge_strategy,
    row_version_column,
    validity_columns,
    verify_merge_tables,
    verify_replace_strategy,
)
from dlt.destinations.sql_client import SqlClient
from dlt.schema.typing import (
    ID_COLUMN,
    LOADS_TABLE,
    ROOT_ID_COLUMN,
    STATE_TABLE,
    VERSION_TABLE,
    DATA_TYPES,
    TTableSchema,
)


logger = logging.getLogger("dlt")


def sized_integer_type(column: dict[str, Any], widths: Sequence[tuple[int, Any]]) -> Any:
    """For a `bigint` column with a `precision` in bits, the type of the narrowest of `widths`
    (`(bits, type)` pairs, narrowest first) that holds it, as dlt 1.31 maps integers; None for
    any other column or a wider precision (the dialect's BIGINT)."""
    bits = column.get("precision")
    if column["data_type"] != "bigint" or not bits:
        return None
    return next((db_type for width, db_type in widths if bits <= width), None)


def encode_state(state: dict[str, Any]) -> str:
    """Compress pipeline state (types kept) for the `_dlt_pipeline_state.state` column."""
    return base64.b64encode(zlib.compress(typed_json.dumps(state))).decode()


def encode_schema(document: dict[str, Any]) -> str:
    """Compress a schema document for the `_dlt_version.schema` column like the state, with
    its keys in their order: a schema restored from the destination keeps its tables' column
    order (the order `SELECT *` and `dataset().df()` give)."""
    return base64.b64encode(zlib.compress(typed_json.dumps(document, sort_keys=False))).decode()


def decode_state(text: str) -> dict[str, Any]:
    """Inverse of `encode_state` (plain JSON is accepted too)."""
    if text.lstrip().startswith("{"):
        return typed_json.loads(text)
    return typed_json.loads(zlib.decompress(base64.b64decode(text)))


class SqlJobClient(JobClient):
    """A job client for destinations reachable through a `SqlClient`."""

    #: data type -> SQL type of this dialect
    type_mapping: dict[str, str] = {}
    #: the destination's name in config keys (`destination.<name>.replace_strategy`)
    destination_name: str = ""

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 sql_client: SqlClient) -> None:
        super().__init__(context, capabilities)
        self.sql = sql_client
        self._load_tables: list[str] = []
        self._load_id: str | None = None
        self._staged_roots: set[str] = set()
        self._replace_strategy: str | None = None

    def __enter__(self) -> SqlJobClient:
        self.sql.connect()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.sql.disconnect()

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
        """Drop tables from the dataset, and their copies in the staging dataset."""
        staging = self.sql.staging_dataset_name()
        has_staging = self.sql.has_dataset(staging)
        for table in tables:
            self.sql.execute_sql(f"DROP TABLE IF EXISTS {self.sql.make_qualified_table_name(table)}")
            if has_staging:
                self.sql.execute_sql(
                    f"DROP TABLE IF EXISTS {self.sql.make_qualified_table_name(table, staging)}")

    # -- schema migration ---------------------------------------------------------------------

    #: the SQL type of a decimal or wei column with a precision (None: always
    #: `type_mapping["decimal"]` / `type_mapping["wei"]`)
    decimal_type_template: str | None = "DECIMAL({precision},{scale})"

    def to_db_type(self, column: dict[str, Any]) -> str:
        """The SQL type of a column: `type_mapping[data_type]`, or `decimal_type_template`
        for a decimal or wei column with a precision (its scale 0 when not given)."""
        data_type = column["data_type"]
        sized = data_type in ("decimal", "wei") and column.get("precision")
        if sized and self.decimal_type_template:
            return self.decimal_type_template.format(precision=column["precision"],
                                                     scale=column.get("scale") or 0)
        try:
            return self.type_mapping[data_type]
        except KeyError:
            raise DestinationTerminalError(
                f"{type(self).__name__}.type_mapping has no SQL type for the data type"
                f" {data_type!r} (column {column.get('name')!r}); it must map every one of"
                f" {', '.join(DATA_TYPES)}.") from None

    def storage_columns(self, dataset_name: str | None = None) -> dict[str, dict[str, str]]:
        """Existing tables of the dataset: table -> column -> db type (`SqlClient.table_columns`)."""
        return self.sql.table_columns(dataset_name or self.dataset_name, self.catalog_filter())

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
        """Drop the tables a `refresh=` run drops, create missing tables and columns; store
        the schema version if it is new."""
        dropped = self.refresh_plan().get("dropped_tables") or []
        if dropped:
            self.drop_tables(*dropped)
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
        stored = self.schema.to_dict()
        document = encode_schema(stored)
        self.sql.execute_sql(
            f"INSERT INTO {version_table} (version, engine_version, inserted_at, schema_name,"
            f" version_hash, schema) VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
            self.schema.version, stored["engine_version"], datetime.now(timezone.utc),
            self.schema.name,
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

    # -- which tables go through the staging dataset --------------------------------------

    def replace_strategy(self) -> str:
        """The configured replace strategy (`destination.replace_strategy`), checked against
        the destination's capabilities."""
        if self._replace_strategy is None:
            strategy = configured_replace_strategy(self.destination_name)
            verify_replace_strategy(strategy, self.capabilities.supported_replace_strategies,
                                    self.destination_name or type(self).__name__)
            self._replace_strategy = strategy
        return self._replace_strategy

    def _roots(self, tables: list[str], disposition: str) -> list[str]:
        """Root tables with `disposition` among the chains of `tables`, in order."""
        roots: list[str] = []
        for table in tables:
            if table.startswith("_dlt") or table not in self.schema.tables:
                continue
            root = self.schema.root_table(table)["name"]
            if self.schema.write_disposition(table) == disposition and root not in roots:
                roots.append(root)
        return roots

    def _merge_roots(self, tables: list[str]) -> list[str]:
        return self._roots(tables, "merge")

    def _staged_replace_roots(self, tables: list[str]) -> list[str]:
        """Replace roots loaded through staging (every strategy but truncate-and-insert)."""
        roots = self._roots(tables, "replace")
        if not roots or self.replace_strategy() == "truncate-and-insert":
            return []
        return roots

    def _is_staged(self, table: str) -> bool:
        if table.startswith("_dlt") or table not in self.schema.tables:
            return False
        return self.schema.root_table(table)["name"] in self._staged_roots

    def chain(self, root: str) -> list[TTableSchema]:
        """A root table and its nested tables that have columns, parents first."""
        tables = [self.schema.tables[root], *self.schema.child_tables(root)]
        return [t for t in tables if any(c.get("data_type") for c in t["columns"].values())]

    # -- a package's transaction -----------------------------------------------------------

    def begin_load(self, load_id: str, tables: Sequence[str] = ()) -> None:
        """Check the merge hints, open a transaction, empty the tables a `refresh="drop_data"`
        run truncates, prepare staging tables and truncate replaced tables
        (truncate-and-insert)."""
        self._load_id = load_id
        self._load_tables = list(tables)
        # bad merge hints fail here, before any row reaches the destination
        verify_merge_tables(self.schema, tables, self.capabilities.supported_merge_strategies)
        merge_roots = self._merge_roots(tables)
        staged_replace = self._staged_replace_roots(tables)
        self._staged_roots = set(merge_roots) | set(staged_replace)
        if self.capabilities.supports_transactions:
            self.sql.begin_transaction()
        for table in self.refresh_plan().get("truncated_tables", []):
            if table in self.schema.tables and self.chain_has_columns(table):
                self.sql.execute_sql(self.truncate_statement(table))
        staged = [t for root in [*merge_roots, *staged_replace] for t in self.chain(root)]
        if staged:
            self.prepare_staging_tables(staged)
        replaced_roots = set(self._roots(tables, "replace")) - set(staged_replace)
        for root in sorted(replaced_roots):
            for table in self.chain(root):
                self.sql.execute_sql(self.truncate_statement(table["name"]))

    def chain_has_columns(self, table: str) -> bool:
        """True when `table` has a typed column (and so exists in the destination)."""
        return any(c.get("data_type") for c in self.schema.tables[table]["columns"].values())

    def truncate_statement(self, table: str, dataset_name: str | None = None) -> str:
        """SQL removing every row of `table` inside the load's transaction."""
        return f"DELETE FROM {self.sql.make_qualified_table_name(table, dataset_name)}"

    def prepare_staging_tables(self, tables: list[TTableSchema]) -> None:
        """Create (or bring up to date) and empty the staging tables of the package's merge
        and staged replace tables, in the `<dataset>_staging` dataset, as dlt 1.31 does. They
        keep the staged rows after the load, until the next load of the table empties them."""
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
        table for merge and staged replace)."""
        table = self.schema.tables[job.table_name]
        if self._is_staged(job.table_name):
            return table, self.qualified_staging_table(table["name"])
        return table, self.sql.make_qualified_table_name(table["name"])

    def run_jobs(self, jobs: list[Any], paths: list[Path]) -> None:
        """Run several jobs of one table and file format; destinations that read many files
        in one statement override this (DuckDB)."""
        for job, path in zip(jobs, paths):
            self.run_job(job, path)

    #: rows per `INSERT` batch of the default `copy_file`
    insert_batch_rows: int = 5000

    def copy_file(self, path: Path, table: TTableSchema, file_format: str, qualified_table: str) -> None:
        """Insert the rows of one job file (parquet, jsonl or Arrow IPC) into `qualified_table`.

        The default reads the file with `dlt.destinations.job_files.read_job_file` (Python
        values of each column's type) and inserts batches of `insert_batch_rows` rows with one
        parametrized `INSERT` (`SqlClient.insert_rows`, values through
        `SqlClient.to_driver_value`). Destinations with a bulk loader (COPY, read_parquet)
        override this. A failed insert raises `LoadJobTerminalError` (the job fails for good)
        or `DestinationTransientError` (the load is retried)."""
        from dlt.destinations.job_files import read_job_file

        try:
            names, batches = read_job_file(path, file_format, table, self.insert_batch_rows)
        except ValueError as exc:
            raise LoadJobTerminalError(path.name, str(exc)) from exc
        if not names:
            return
        columns = ", ".join(self.sql.escape_identifier(n) for n in names)
        markers = ", ".join([self.sql.param] * len(names))
        statement = f"INSERT INTO {qualified_table} ({columns}) VALUES ({markers})"
        try:
            for batch in batches:
                self.sql.insert_rows(statement, list(zip(*batch)))
        except DestinationTerminalError as exc:
            if isinstance(exc, LoadJobTerminalError):
                raise
            raise LoadJobTerminalError(path.name, str(exc)) from exc

    def staging_table_name(self, table_name: str) -> str:
        """The name of `table_name`'s table in the staging dataset (the same by default)."""
        return table_name

    # -- SQL building blocks (dialects override these, not the strategies) ---------------------

    def columns_of(self, table: TTableSchema, exclude: tuple[str, ...] = ()) -> list[str]:
        """Escaped names of the typed columns of `table`, without `exclude`."""
        return [self.sql.escape_identifier(c["name"]) for c in table["columns"].values()
                if c.get("data_type") and c["name"] not in exclude]

    def key_match(self, keys: list[str], left: str = "s", right: str = "d") -> str:
        """`left.k = right.k AND ...` for the columns `keys`."""
        q = self.sql.escape_identifier
        return " AND ".join(f"{left}.{q(k)} = {right}.{q(k)}" for k in keys)

    def keys_in(self, keys: list[str], source: str, where: str = "") -> str:
        """A condition true when the row's `keys` occur among the rows of `source`."""
        q = self.sql.escape_identifier
        columns = ", ".join(q(k) for k in keys)
        target = q(keys[0]) if len(keys) == 1 else f"({columns})"
        return f"{target} IN (SELECT {columns} FROM {source}{' WHERE ' + where if where else ''})"

    def delete_matched_statement(self, target: str, staged: str, key_sets: list[list[str]]) -> str:
        """DELETE the rows of `target` that match a staged row on any of `key_sets`."""
        match = " OR ".join(f"({self.key_match(keys, 's', 'd')})" for keys in key_sets)
        return f"DELETE FROM {target} AS d WHERE EXISTS (SELECT 1 FROM {staged} AS s WHERE {match})"

    def delete_nested_statement(self, nested: str, root: str, staged_root: str,
                                key_sets: list[list[str]]) -> str:
        """DELETE the nested rows (by `_dlt_root_id`) of the root rows matched by staged rows."""
        q = self.sql.escape_identifier
        match = " OR ".join(f"({self.key_match(keys, 's', 'd')})" for keys in key_sets)
        return (f"DELETE FROM {nested} WHERE {q(ROOT_ID_COLUMN)} IN (SELECT d.{q(ID_COLUMN)} FROM"
                f" {root} AS d WHERE EXISTS (SELECT 1 FROM {staged_root} AS s WHERE {match}))")

    def timestamp_literal(self, moment: datetime) -> str:
        """A timestamp literal of the dialect's timestamp type."""
        return f"CAST('{moment.isoformat()}' AS {self.type_mapping['timestamp']})"

    def not_deleted_condition(self, table: TTableSchema) -> str:
        """The condition keeping staged rows that the `hard_delete` column does not delete:
        a bool column deletes when true, any other column when it holds a value."""
        column = hard_delete_column(table)
        if column is None:
            return ""
        q = self.sql.escape_identifier(column)
        if table["columns"][column].get("data_type") == "bool":
            return f"({q} IS NULL OR {q} = FALSE)"
        return f"{q} IS NULL"

    def insert_select(self, table: TTableSchema, source: str, where: str = "",
                      alias: str = "s") -> str:
        """`INSERT INTO table (cols) SELECT cols FROM source AS alias [WHERE where]`."""
        columns = ", ".join(self.columns_of(table))
        select = f" SELECT {columns} FROM {source}"
        if where:
            select += f" AS {alias} WHERE {where}"
        return f"INSERT INTO {self.sql.make_qualified_table_name(table['name'])} ({columns}){select}"

    # -- merge strategies ------------------------------------------------------------------

    def merge_statements(self, root: str) -> list[str]:
        """The SQL moving the staged rows of a merge table chain into the dataset, by the
        table's merge strategy."""
        strategy = merge_strategy(self.schema.tables[root])
        if strategy == "scd2":
            return self.scd2_statements(root)
        if strategy == "insert-only":
            return self.insert_only_statements(root)
        if strategy == "upsert":
            return self.upsert_statements(root)
        return self.delete_insert_statements(root)

    def delete_insert_statements(self, root: str, use_merge_key: bool = True) -> list[str]:
        """delete-insert: remove the rows (and their nested rows) that staged rows match by
        primary key or merge key, then insert the staged rows the `hard_delete` column keeps.
        Without keys the staged rows are appended."""
        root_table = self.schema.tables[root]
        dest_root = self.sql.make_qualified_table_name(root)
        stage_root = self.qualified_staging_table(root)
        key_sets = [keys for keys in (columns_with(root_table, "primary_key", True),
                                      columns_with(root_table, "merge_key", True) if use_merge_key else [])
                    if keys]
        nested = self.chain(root)[1:]
        statements: list[str] = []
        if key_sets:
            for table in nested:
                statements.append(self.delete_nested_statement(
                    self.sql.make_qualified_table_name(table["name"]), dest_root, stage_root, key_sets))
            statements.append(self.delete_matched_statement(dest_root, stage_root, key_sets))
        return statements + self.insert_staged_statements([root_table, *nested])

    def upsert_statements(self, root: str) -> list[str]:
        """upsert: rows matched by primary key are replaced by their staged version (nested rows
        too), new keys are inserted, `hard_delete` rows removed. The `_dlt_id` of a row derives
        from its primary key, so an updated row keeps it. Done as a delete and insert by primary
        key in the load's transaction, which leaves the same rows as a MERGE."""
        return self.delete_insert_statements(root, use_merge_key=False)

    def insert_only_statements(self, root: str) -> list[str]:
        """insert-only: staged rows whose primary key is not in the table yet are inserted
        (with their nested rows); existing rows stay as they are."""
        root_table = self.schema.tables[root]
        q = self.sql.escape_identifier
        dest_root = self.sql.make_qualified_table_name(root)
        stage_root = self.qualified_staging_table(root)
        primary = columns_with(root_table, "primary_key", True)
        new_rows = f"NOT EXISTS (SELECT 1 FROM {dest_root} AS d WHERE {self.key_match(primary, 's', 'd')})"
        kept = self.not_deleted_condition(root_table)
        if kept:
            new_rows += f" AND {kept}"
        statements = []
        # nested rows first: afterwards every staged root row is in the table
        for table in self.chain(root)[1:]:
            statements.append(self.insert_select(
                table, self.qualified_staging_table(table["name"]),
                f"{q(ROOT_ID_COLUMN)} IN (SELECT s.{q(ID_COLUMN)} FROM {stage_root} AS s WHERE {new_rows})",
                alias="n"))
        statements.append(self.insert_select(root_table, stage_root, new_rows))
        return statements

    def scd2_boundary(self, root_table: TTableSchema) -> datetime:
        """The validity boundary of this load: `boundary_timestamp`, else the time the package
        was created (its load id)."""
        if root_table.get("x-boundary-timestamp") is not None:
            return as_utc_datetime(root_table["x-boundary-timestamp"])
        try:
            return datetime.fromtimestamp(float(self._load_id), timezone.utc)
        except (TypeError, ValueError):
            return datetime.now(timezone.utc)

    def scd2_statements(self, root: str) -> list[str]:
        """scd2: active records (valid-to NULL or the active record timestamp) whose row version
        is not staged are retired (valid-to = boundary); staged rows whose version is not active
        are inserted as new active records. With a merge key, only records of the staged merge
        key values can retire. Nested rows are insert-only."""
        root_table = self.schema.tables[root]
        q = self.sql.escape_identifier
        dest_root = self.sql.make_qualified_table_name(root)
        stage_root = self.qualified_staging_table(root)
        valid_from, valid_to = validity_columns(root_table)
        version = q(row_version_column(root_table))
        boundary = self.timestamp_literal(self.scd2_boundary(root_table))
        active_at = active_record_timestamp(root_table)
        active_literal = "NULL" if active_at is None else self.timestamp_literal(active_at)
        is_active = f"{q(valid_to)} IS NULL" if active_at is None else f"{q(valid_to)} = {active_literal}"
        retire = [is_active, f"{version} NOT IN (SELECT {version} FROM {stage_root})"]
        merge_keys = columns_with(root_table, "merge_key", True)
        if merge_keys:
            retire.append(self.keys_in(merge_keys, stage_root))
        natural = columns_with(root_table, "x-natural-key", True)
        if root_table.get("x-retire-absent-rows") is False and natural:
            retire.append(self.keys_in(natural, stage_root))
        statements = [f"UPDATE {dest_root} SET {q(valid_to)} = {boundary} WHERE {' AND '.join(retire)}"]
        columns = ", ".join(self.columns_of(root_table, exclude=(valid_from, valid_to)))
        statements.append(
            f"INSERT INTO {dest_root} ({columns}, {q(valid_from)}, {q(valid_to)})"
            f" SELECT {columns}, {boundary}, {active_literal} FROM {stage_root} AS s"
            f" WHERE {version} NOT IN (SELECT {version} FROM {dest_root} WHERE {is_active})"
        )
        for table in self.chain(root)[1:]:
            dest = self.sql.make_qualified_table_name(table["name"])
            statements.append(self.insert_select(
                table, self.qualified_staging_table(table["name"]),
                f"{q(ID_COLUMN)} NOT IN (SELECT {q(ID_COLUMN)} FROM {dest})"))
        return statements

    def insert_staged_statements(self, tables: list[TTableSchema]) -> list[str]:
        """`INSERT ... SELECT` of each table's staged rows into the dataset, in order; rows the
        root table's `hard_delete` column deletes are left out, with their nested rows."""
        statements = []
        if not tables:
            return statements
        root_table = tables[0]
        kept = self.not_deleted_condition(root_table) if root_table.get("write_disposition") == "merge" else ""
        stage_root = self.qualified_staging_table(root_table["name"])
        q = self.sql.escape_identifier
        for table in tables:
            staged = self.qualified_staging_table(table["name"])
            where = ""
            if kept and table is root_table:
                where = kept
            elif kept and ROOT_ID_COLUMN in table["columns"]:
                where = f"{q(ROOT_ID_COLUMN)} IN (SELECT {q(ID_COLUMN)} FROM {stage_root} WHERE {kept})"
            statements.append(self.insert_select(table, staged, where))
        return statements

    # -- replace strategies ------------------------------------------------------------------

    def replace_statements(self, root: str) -> list[str]:
        """insert-from-staging: empty the chain's tables and copy the staged rows in, in the
        load's transaction. staging-optimized does the same unless a dialect has a faster swap."""
        if self.replace_strategy() == "staging-optimized":
            return self.optimized_replace_statements(root)
        chain = self.chain(root)
        return [self.truncate_statement(t["name"]) for t in chain] + self.insert_staged_statements(chain)

    def optimized_replace_statements(self, root: str) -> list[str]:
        """staging-optimized: by default insert-from-staging (dlt falls back to it where the
        destination cannot swap tables); dialects with table clones override this."""
        chain = self.chain(root)
        return [self.truncate_statement(t["name"]) for t in chain] + self.insert_staged_statements(chain)

    def complete_load_statements(self, load_id: str, tables: list[str]) -> list[str]:
        """Merge and staged replace SQL of the package, in order."""
        statements: list[str] = []
        for root in self._merge_roots(tables):
            statements += self.merge_statements(root)
        for root in self._staged_replace_roots(tables):
            statements += self.replace_statements(root)
        return statements

    def complete_load(self, load_id: str, tables: list[str]) -> None:
        """Merge staged tables, record the load in `_dlt_loads` and commit."""
        for statement in self.complete_load_statements(load_id, tables):
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
