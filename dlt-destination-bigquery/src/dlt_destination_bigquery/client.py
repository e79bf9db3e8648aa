"""`BigQueryJobClient`: schema migration, load jobs, merge and replace on BigQuery.

How a package loads exactly once without a transaction across load jobs:

- every job file becomes one BigQuery load job whose id is derived from the pipeline, dataset,
  load id and job file name; resubmitting it after a crash or retry meets `Conflict` (409) and
  the job is looked up instead (`get_job`), so rows are never loaded twice;
- rows of merge and replace tables go to per-package staging tables
  (`<dataset>_staging.<table>__<load id>`) that nothing ever clears mid-package, so a resumed
  package still finds the rows of the jobs that completed before the crash;
- `complete_load` runs one script transaction that moves staged rows (MERGE by delete-insert,
  replace by delete-all-insert) and writes the `_dlt_loads` row, then drops the staging tables.

`bigquery_adapter` hints (see table_hints.py) shape CREATE TABLE (partitioning, clustering,
table and column OPTIONS), let load jobs detect the schema of append tables
(`autodetect_schema`), or stream the rows of append tables with insertAll (`insert_api`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from concurrent.futures import TimeoutError as FutureTimeoutError
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.cloud import bigquery as bq

from dlt.destinations.base import (
    ClientContext,
    DestinationCapabilities,
    DestinationTerminalError,
    DestinationTransientError,
    LoadJobTerminalError,
)
from dlt.destinations.strategies import verify_merge_tables
from dlt.destinations.sql_job_client import SqlJobClient, decode_state
from dlt.schema.typing import LOADS_TABLE, STATE_TABLE, TTableSchema
from dlt_destination_bigquery import table_hints
from dlt_destination_bigquery.bigquery_adapter import (
    PARTITION_EXPIRATION_DAYS_HINT,
    TABLE_DESCRIPTION_HINT,
    TABLE_EXPIRATION_HINT,
)
from dlt_destination_bigquery.sql_client import (
    BigQuerySqlClient,
    is_transient,
    string_literal,
    translate_error,
)
from dlt_destination_bigquery.streaming import stream_file

__all__ = ["BigQueryJobClient", "BigQuerySqlClient", "job_id_for"]

logger = logging.getLogger("dlt.destinations.bigquery")

SOURCE_FORMATS = {"jsonl": "NEWLINE_DELIMITED_JSON", "parquet": "PARQUET"}


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def job_id_for(project: str, dataset: str, pipeline_name: str, load_id: str, job_file: str) -> str:
    """The BigQuery job id of one job file: the same file always gets the same id.

    Readable parts (table, load id) plus a hash over everything that makes the job unique in
    the project, so two pipelines never share an id.
    """
    digest = hashlib.sha256(
        "\x1f".join((project, dataset, pipeline_name, load_id, job_file)).encode()
    ).hexdigest()[:20]
    table = _safe(job_file.split(".")[0])[:100]
    return f"dlt_{table}_{_safe(load_id)}_{digest}"


class BigQueryJobClient(SqlJobClient):
    """Loads jsonl and parquet job files with BigQuery load jobs (`load_table_from_file`)."""

    type_mapping = {
        "text": "STRING",
        "bigint": "INT64",
        "double": "FLOAT64",
        "bool": "BOOL",
        "timestamp": "TIMESTAMP",
        "date": "DATE",
        "time": "TIME",
        "decimal": "NUMERIC",
        "wei": "BIGNUMERIC",  # as dlt 1.31, whatever its precision hints
        "json": "JSON",
        "binary": "BYTES",
    }

    #: how many times one job is submitted again after a transient failure, per `run_job`
    job_retries = 4
    #: seconds of the first backoff between attempts (doubles each time)
    retry_backoff = 1.0
    #: seconds to wait for one load job
    job_timeout = 3600.0

    sql: BigQuerySqlClient

    def __init__(self, context: ClientContext, capabilities: DestinationCapabilities,
                 sql_client: BigQuerySqlClient) -> None:
        super().__init__(context, capabilities, sql_client)
        self._load_id: str | None = None
        self._staged_roots: set[str] = set()

    # -- schema migration ---------------------------------------------------------------------

    def to_db_type(self, column: dict[str, Any]) -> str:
        """The BigQuery type of a column; decimals become NUMERIC(p,s) or BIGNUMERIC(p,s)."""
        data_type = column["data_type"]
        if data_type == "decimal" and column.get("precision"):
            precision, scale = column["precision"], column.get("scale") or 0
            if scale <= 9 and precision - scale <= 29:
                return f"NUMERIC({precision}, {scale})"
            if scale <= 38 and precision - scale <= 38:
                return f"BIGNUMERIC({precision}, {scale})"
            raise DestinationTerminalError(
                f"Column {column['name']} has decimal({precision},{scale}), which no BigQuery type"
                " holds (NUMERIC: scale <= 9 and 29 integer digits; BIGNUMERIC: scale <= 38 and 38"
                " integer digits). Lower its precision/scale hints."
            )
        return self.type_mapping[data_type]

    def storage_columns(self, dataset_name: str | None = None) -> dict[str, dict[str, str]]:
        """Existing tables of a dataset from INFORMATION_SCHEMA.COLUMNS: table -> column -> type."""
        dataset = dataset_name or self.dataset_name
        if not self.sql.has_dataset(dataset):
            return {}
        rows = self.sql.execute_sql(
            "SELECT table_name, column_name, data_type FROM"
            f" {self.sql.qualified_dataset_name(dataset)}.INFORMATION_SCHEMA.COLUMNS"
        ) or []
        tables: dict[str, dict[str, str]] = {}
        for table, column, data_type in rows:
            tables.setdefault(table, {})[column] = data_type
        return tables

    def column_definition(self, column: dict[str, Any], table_name: str = "") -> str:
        """`name TYPE [NOT NULL] [OPTIONS (rounding_mode=..., description=...)]`."""
        definition = super().column_definition(column)
        options = table_hints.column_options(column, table_name or "?", string_literal)
        return f"{definition} OPTIONS ({', '.join(options)})" if options else definition

    def columns_ddl(self, table: TTableSchema) -> str:
        """The column list of a CREATE TABLE, with each column's OPTIONS."""
        return ",\n  ".join(self.column_definition(c, table["name"])
                            for c in table_hints.typed_columns(table))

    def table_options(self, table: TTableSchema) -> str:
        """`PARTITION BY`, `CLUSTER BY` and `OPTIONS (...)` of a CREATE TABLE, from the core
        `partition`/`cluster` column hints and the `bigquery_adapter` hints."""
        q = self.sql.escape_identifier
        naming = getattr(self.schema, "naming", None)
        clauses = []
        partition = table_hints.partition_clause(table, q, naming)
        if partition:
            clauses.append(partition)
        cluster = table_hints.cluster_columns(table, naming)
        if cluster:
            clauses.append("CLUSTER BY " + ", ".join(q(name) for name in cluster))
        options = table_hints.table_options(table, self.schema.tables, string_literal)
        if options:
            clauses.append(f"OPTIONS ({', '.join(options)})")
        return ("\n" + "\n".join(clauses)) if clauses else ""

    def autodetects_schema(self, table_name: str) -> bool:
        """True when load jobs create `table_name` from the detected schema of its data
        (`bigquery_adapter(autodetect_schema=True)` on it or on its root table)."""
        return table_hints.autodetects_schema(self.schema.tables, table_name)

    def migration_statements(self, table: TTableSchema, existing: dict[str, str] | None,
                             dataset_name: str | None = None) -> list[str]:
        """CREATE TABLE (with partitioning, clustering and options) or one ALTER TABLE adding
        all new columns; nothing for tables whose schema BigQuery detects.

        One ALTER per table: BigQuery rate-limits metadata updates of a table.
        """
        if self.autodetects_schema(table["name"]):
            return []
        qualified = self.sql.make_qualified_table_name(table["name"], dataset_name)
        if existing is None:
            return [self.create_table_statement(table, qualified)]
        columns = [c for c in table["columns"].values() if c.get("data_type")]
        missing = [c for c in columns if c["name"] not in existing]
        if not missing:
            return []
        if table_hints.has_table_options(table):
            logger.info("Table options of %s (description, expiration) are set only when it is"
                        " created; they are not applied to the existing table.", table["name"])
        # added columns are nullable: old rows have no value for them
        additions = ",\n  ".join(
            f"ADD COLUMN {self.column_definition({**c, 'nullable': True}, table['name'])}"
            for c in missing
        )
        return [f"ALTER TABLE {qualified}\n  {additions}"]

    # -- staging ------------------------------------------------------------------------------

    destination_name = "bigquery"

    def keys_in(self, keys: list[str], source: str, where: str = "") -> str:
        """BigQuery has no row-value IN: several key columns compare as STRUCTs."""
        if len(keys) == 1:
            return super().keys_in(keys, source, where)
        q = self.sql.escape_identifier
        columns = ", ".join(q(k) for k in keys)
        return (f"STRUCT({columns}) IN (SELECT AS STRUCT {columns} FROM {source}"
                f"{' WHERE ' + where if where else ''})")

    def staging_table_name(self, table_name: str, load_id: str | None = None) -> str:
        """The staging table of `table_name` for one package: `<table>__<load id>`."""
        return f"{table_name}__{_safe(load_id or self._load_id or '')}"

    def _chain(self, root: str) -> list[TTableSchema]:
        tables = [self.schema.tables[root], *self.schema.child_tables(root)]
        return [t for t in tables if any(c.get("data_type") for c in t["columns"].values())]

    def _roots(self, tables: list[str], disposition: str) -> list[str]:
        roots: list[str] = []
        for table in tables:
            if table.startswith("_dlt") or table not in self.schema.tables:
                continue
            root = self.schema.root_table(table)["name"]
            if self.schema.write_disposition(table) == disposition and root not in roots:
                roots.append(root)
        return roots

    def _is_staged(self, table: str) -> bool:
        return (not table.startswith("_dlt") and table in self.schema.tables
                and self.schema.root_table(table)["name"] in self._staged_roots)

    def begin_load(self, load_id: str, tables: list[str]) -> None:
        """Create this package's staging tables for merge and replace tables (kept if they exist)."""
        self._load_id = load_id
        self._load_tables = list(tables)
        # bad merge hints and adapter hints that cannot load fail here, before any job starts
        verify_merge_tables(self.schema, tables, self.capabilities.supported_merge_strategies)
        self.verify_insert_hints(tables)
        self._staged_roots = set(self._roots(tables, "merge")) | set(self._roots(tables, "replace"))
        if not self._staged_roots:
            return
        staging = self.sql.staging_dataset_name()
        self.sql.create_dataset(staging)
        for root in sorted(self._staged_roots):
            for table in self._chain(root):
                qualified = self.sql.make_qualified_table_name(self.staging_table_name(table["name"]), staging)
                self.sql.execute_sql(f"CREATE TABLE IF NOT EXISTS {qualified} (\n  {self.columns_ddl(table)}\n)")

    def verify_insert_hints(self, tables: list[str]) -> None:
        """Refuse adapter hints that cannot load the package's tables: streaming inserts and
        schema autodetection work for `append` tables only (merge and replace go through
        staging tables that dlt creates), streaming needs a table dlt creates, and a table
        that load jobs create cannot get an expiration time."""
        for name in tables:
            if name.startswith("_dlt") or name not in self.schema.tables:
                continue
            table = self.schema.tables[name]
            disposition = self.schema.write_disposition(name)
            streaming = table_hints.insert_api(table) == "streaming"
            autodetect = self.autodetects_schema(name)
            if streaming and disposition != "append":
                raise DestinationTerminalError(
                    f"BigQuery streaming insert can only be used with write_disposition='append',"
                    f" but table {name} has write_disposition='{disposition}'. Use"
                    " bigquery_adapter(..., insert_api='default') for it."
                )
            if autodetect and disposition != "append":
                raise DestinationTerminalError(
                    f"Table {name} has autodetect_schema and write_disposition='{disposition}';"
                    " this destination detects schemas for append tables only (merge and replace"
                    " load through staging tables created from the dlt schema). Drop"
                    " autodetect_schema for it, or load it with write_disposition='append'."
                )
            if autodetect and streaming:
                raise DestinationTerminalError(
                    f"Table {name} has both autodetect_schema and insert_api='streaming'; streaming"
                    " inserts need an existing table, which autodetection leaves to load jobs."
                    " Use one of them."
                )
            if autodetect and table.get(TABLE_EXPIRATION_HINT):
                raise DestinationTerminalError(
                    f"Table {name} has a table expiration time"
                    f" ({table[TABLE_EXPIRATION_HINT]}), which cannot be set with BigQuery schema"
                    " autodetection (load jobs create the table). Drop table_expiration_datetime"
                    " or autodetect_schema."
                )

    # -- load jobs ----------------------------------------------------------------------------

    def run_job(self, job: Any, path: Path) -> None:
        """Load one job file with a BigQuery load job and wait for it (exactly once per file);
        tables with `insert_api="streaming"` get their rows through streaming inserts."""
        if job.table_name not in self.schema.tables:
            raise LoadJobTerminalError(job.job_file, f"table {job.table_name} is not in schema {self.schema.name}.")
        if self._is_staged(job.table_name):
            target = self.sql.table_id(self.staging_table_name(job.table_name, job.load_id),
                                       self.sql.staging_dataset_name())
        else:
            target = self.sql.table_id(job.table_name)
            if table_hints.insert_api(self.schema.tables[job.table_name]) == "streaming":
                self.stream_file(path, job.job_file, job.load_id, job.file_format, target)
                return
        self.load_file(path, job.job_file, job.load_id, job.file_format, target,
                       table_name=job.table_name)

    def stream_file(self, path: Path, job_file: str, load_id: str, file_format: str,
                    target: str) -> int:
        """Insert the rows of one job file with streaming inserts (tabledata.insertAll) in
        batches of `batch_size`; returns the number of rows."""
        job_key = job_id_for(self.sql.project_id, self.dataset_name, self.context.pipeline_name,
                             load_id, job_file)
        settings = self.sql.settings
        return stream_file(self.sql.native_connection, path, job_file, file_format, target,
                           job_key, settings.batch_size, settings.ignore_unknown_values,
                           self.sql.api_call_options())

    def job_config(self, file_format: str, target: str, table_name: str | None = None) -> Any:
        """The load job configuration: append to the existing table, never create it.

        jsonl jobs carry the table's schema so that BYTES arrive base64-decoded and JSON, NUMERIC
        and TIMESTAMP keep their types; parquet jobs take the types from the file. For a table
        with `autodetect_schema` the job detects the schema and creates the table instead.
        """
        source_format = SOURCE_FORMATS.get(file_format)
        if source_format is None:
            raise DestinationTerminalError(
                f"BigQuery loads jsonl and parquet job files, not {file_format}; set"
                " loader_file_format to one of them."
            )
        config = bq.LoadJobConfig(
            source_format=source_format,
            write_disposition=bq.WriteDisposition.WRITE_APPEND,
            create_disposition=bq.CreateDisposition.CREATE_NEVER,
            ignore_unknown_values=self.sql.settings.ignore_unknown_values,
        )
        if table_name is not None and self.autodetects_schema(table_name):
            return self.autodetect_job_config(config, self.schema.tables[table_name])
        if file_format == "jsonl":
            try:
                config.schema = self.sql.native_connection.get_table(
                    target, **self.sql.api_call_options()).schema
            except google_exceptions.GoogleAPICallError as exc:
                raise translate_error(exc, f"reading the schema of {target}") from exc
        return config

    def autodetect_job_config(self, config: Any, table: TTableSchema) -> Any:
        """`config` made to detect the schema, create the table when missing and add new
        columns; partitioning, clustering and the description go into the job (load jobs
        that create a table cannot take DDL), as in dlt 1.31."""
        config.autodetect = True
        config.create_disposition = bq.CreateDisposition.CREATE_IF_NEEDED
        config.schema_update_options = [bq.SchemaUpdateOption.ALLOW_FIELD_ADDITION]
        if table_hints.partition_transformation(table) is not None:
            raise DestinationTerminalError(
                f"Table {table['name']} has autodetect_schema and a partition expression"
                " (bigquery_partition); a load job that creates a table partitions by a column"
                " only. Pass partition='<column>' instead, or drop autodetect_schema."
            )
        partition = table_hints.partition_columns(table)
        if partition:
            column = partition[0]
            kind = table_hints.partition_column_type(column, table["name"])
            days = table.get(PARTITION_EXPIRATION_DAYS_HINT)
            expiration_ms = int(days) * 86_400_000 if days else None
            if kind in ("date", "timestamp"):
                config.time_partitioning = bq.TimePartitioning(
                    type_=bq.TimePartitioningType.DAY, field=column["name"],
                    expiration_ms=expiration_ms)
            else:
                start, end, step = table_hints.INTEGER_PARTITION_RANGE
                config.range_partitioning = bq.RangePartitioning(
                    field=column["name"], range_=bq.PartitionRange(start=start, end=end,
                                                                   interval=step))
        cluster = table_hints.cluster_columns(table, getattr(self.schema, "naming", None))
        if cluster:
            config.clustering_fields = cluster
        description = table_hints.inherited_hint(self.schema.tables, table["name"],
                                                 TABLE_DESCRIPTION_HINT)
        if description:
            config.destination_table_description = str(description)
        return config

    def load_file(self, path: Path, job_file: str, load_id: str, file_format: str, target: str,
                  table_name: str | None = None) -> None:
        """Submit (or find) the load job of `job_file` and wait; retry transient failures.

        The first attempt uses the job id of the file, later ones `<id>_retry<n>`. A job id that
        exists already (409 Conflict) is looked up: a finished job is not loaded again, a running
        one is waited for, a failed one decides whether to try the next id.
        """
        client = self.sql.native_connection
        base_id = job_id_for(self.sql.project_id, self.dataset_name, self.context.pipeline_name,
                             load_id, job_file)
        config = self.job_config(file_format, target, table_name)
        submissions = 0
        attempt = 0
        while True:
            job_id = base_id if attempt == 0 else f"{base_id}_retry{attempt}"
            try:
                with open(path, "rb") as handle:
                    bq_job = client.load_table_from_file(
                        handle, target, job_id=job_id, job_config=config,
                        timeout=self.sql.settings.file_upload_timeout)
                submitted = True
                submissions += 1
            except google_exceptions.Conflict:
                bq_job = client.get_job(job_id, **self.sql.api_call_options())
                submitted = False
                logger.info("BigQuery job %s of %s exists already; using its outcome", job_id, job_file)
            except Exception as exc:
                if not is_transient(exc):
                    raise LoadJobTerminalError(job_file, f"BigQuery refused load job {job_id}:"
                                               f" {getattr(exc, 'message', exc)}") from exc
                # the job may or may not exist now: the same id again finds out (Conflict)
                submissions += 1
                if submissions > self.job_retries:
                    raise translate_error(exc, f"submitting load job {job_id} of {job_file}") from exc
                time.sleep(self.retry_backoff * 2 ** (submissions - 1))
                continue
            error = self._wait(bq_job, job_file)
            if error is None:
                return
            transient, message = error
            if not transient:
                raise LoadJobTerminalError(job_file, f"BigQuery load job {job_id} into {target} failed: {message}")
            if submissions > self.job_retries:
                raise DestinationTransientError(
                    f"BigQuery load job {job_id} of {job_file} failed {submissions} times with a"
                    f" transient error: {message}"
                )
            if submitted:
                time.sleep(self.retry_backoff * 2 ** (submissions - 1))
            attempt += 1

    def _wait(self, bq_job: Any, job_file: str) -> tuple[bool, str] | None:
        """None when the job succeeded, else (transient, message with every error BigQuery gave)."""
        try:
            bq_job.result(timeout=self.job_timeout)
        except google_exceptions.GoogleAPICallError:
            pass  # the job's error_result and errors say what happened
        except FutureTimeoutError as exc:
            raise DestinationTransientError(
                f"BigQuery load job {bq_job.job_id} of {job_file} did not finish within"
                f" {self.job_timeout:.0f} s; it keeps running and is picked up on the next attempt."
            ) from exc
        except Exception as exc:
            if is_transient(exc):
                raise translate_error(exc, f"waiting for load job {bq_job.job_id}") from exc
            raise
        if bq_job.error_result is None:
            return None
        reason = bq_job.error_result.get("reason", "")
        messages = [bq_job.error_result.get("message", "")]
        for detail in bq_job.errors or []:
            text = detail.get("message", "")
            if text and text not in messages:
                messages.append(text)
        message = "; ".join(m for m in messages[:6] if m) + (f" (reason: {reason})" if reason else "")
        transient = reason in {"backendError", "internalError", "rateLimitExceeded",
                               "jobBackendError", "jobInternalError", "jobRateLimitExceeded"}
        return transient, message

    # -- completing a package -----------------------------------------------------------------

    def replace_statements(self, root: str) -> list[str]:
        """SQL replacing every row of a replace chain with its staged rows."""
        chain = self._chain(root)
        deletes = [f"DELETE FROM {self.sql.make_qualified_table_name(t['name'])} WHERE TRUE" for t in chain]
        return deletes + self.insert_staged_statements(chain)

    def loads_row_statement(self, load_id: str) -> str:
        """INSERT of the `_dlt_loads` row (literals: it runs inside a script)."""
        now = datetime.now(timezone.utc).isoformat()
        return (
            f"INSERT INTO {self.sql.make_qualified_table_name(LOADS_TABLE)} (load_id, schema_name,"
            f" status, inserted_at, schema_version_hash) VALUES ({string_literal(load_id)},"
            f" {string_literal(self.schema.name)}, 0, TIMESTAMP {string_literal(now)},"
            f" {string_literal(self.schema.version_hash)})"
        )

    def complete_load_statements(self, load_id: str, tables: list[str]) -> list[str]:
        """Merge and replace SQL of the package followed by its `_dlt_loads` row."""
        self._load_id = load_id
        statements: list[str] = []
        for root in self._roots(tables, "merge"):
            statements += self.merge_statements(root)
        for root in self._roots(tables, "replace"):
            statements += self.replace_statements(root)
        return [*statements, self.loads_row_statement(load_id)]

    def complete_load(self, load_id: str, tables: list[str]) -> None:
        """Move staged rows and record the load in one script transaction; drop staging tables."""
        statements = self.complete_load_statements(load_id, tables)
        if len(statements) == 1:
            self.sql.execute_sql(statements[0])
        else:
            self.sql.execute_script(statements, transaction=True)
        self._drop_staging_tables(load_id)

    def _drop_staging_tables(self, load_id: str) -> None:
        staging = self.sql.staging_dataset_name()
        for root in sorted(self._staged_roots):
            for table in self._chain(root):
                table_id = self.sql.table_id(self.staging_table_name(table["name"], load_id), staging)
                try:
                    self.sql.native_connection.delete_table(table_id, not_found_ok=True)
                except google_exceptions.GoogleAPICallError as exc:  # the load is recorded already
                    logger.warning("Could not drop the staging table %s: %s", table_id, exc)
        self._staged_roots = set()

    def abort_load(self) -> None:
        """Nothing to roll back: finished load jobs are kept and found again by their job ids."""

    # -- state --------------------------------------------------------------------------------

    def get_stored_state(self, pipeline_name: str) -> dict[str, Any] | None:
        """The newest state row of `pipeline_name` from a package recorded in `_dlt_loads`.

        Without a transaction the state row can land before its package is recorded; such a
        row belongs to an unfinished package and is not restored.
        """
        existing = self.storage_columns()
        if STATE_TABLE not in existing or LOADS_TABLE not in existing:
            return None
        rows = self.sql.execute_sql(
            f"SELECT s.state FROM {self.sql.make_qualified_table_name(STATE_TABLE)} AS s"
            f" JOIN {self.sql.make_qualified_table_name(LOADS_TABLE)} AS l ON l.load_id = s._dlt_load_id"
            " WHERE s.pipeline_name = ? ORDER BY s.version DESC, s.created_at DESC LIMIT 1",
            pipeline_name,
        )
        return decode_state(rows[0][0]) if rows else None
