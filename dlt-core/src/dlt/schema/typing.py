"""Type names used in schemas: data types, write dispositions, table and column dicts."""

from __future__ import annotations

from typing import Any, Literal

TDataType = Literal[
    "text", "bigint", "double", "bool", "timestamp", "date", "time", "decimal", "wei", "json",
    "binary",
]
DATA_TYPES: tuple[str, ...] = (
    "text", "bigint", "double", "bool", "timestamp", "date", "time", "decimal", "wei", "json",
    "binary",
)
"""The data types of columns, as in dlt 1.31; `wei` is a big integer (blockchain amounts,
up to 78 digits) stored as the destination's widest exact numeric (DuckDB `DECIMAL(38,0)`)."""
TWriteDisposition = Literal["append", "replace", "merge", "skip"]
WRITE_DISPOSITIONS: tuple[str, ...] = ("append", "replace", "merge", "skip")
COLUMN_HINTS: tuple[str, ...] = (
    "primary_key", "merge_key", "unique", "partition", "cluster", "sort", "nullable",
    "root_key", "parent_key", "row_key", "dedup_sort", "hard_delete", "incremental",
)

# A table schema and a column schema are plain dicts, as in dlt: easy to export as YAML/JSON.
TTableSchema = dict[str, Any]
TColumnSchema = dict[str, Any]

LOADS_TABLE = "_dlt_loads"
VERSION_TABLE = "_dlt_version"
STATE_TABLE = "_dlt_pipeline_state"
SYSTEM_TABLES = (VERSION_TABLE, LOADS_TABLE, STATE_TABLE)

LOAD_ID_COLUMN = "_dlt_load_id"
ID_COLUMN = "_dlt_id"
PARENT_ID_COLUMN = "_dlt_parent_id"
LIST_IDX_COLUMN = "_dlt_list_idx"
ROOT_ID_COLUMN = "_dlt_root_id"
VARIANT_SEPARATOR = "__v_"
PATH_SEPARATOR = "__"

# Names dlt 1.31 users import from `dlt.common.schema.typing` (type hints only).
TTableSchemaColumns = dict[str, TColumnSchema]
TPartialTableSchema = TTableSchema
"""dlt 1.31's name of a table schema that holds only some of a table's columns or hints."""
TWriteDispositionConfig = Any
"""A `TWriteDisposition` or its dict form (`{"disposition": "merge", "strategy": "upsert"}`)."""
TColumnProp = str
"""The name of a column property (`data_type`, `nullable`, `primary_key`, ...)."""
TSimpleRegex = str
"""A column or table name, or `re:<pattern>`, as schema settings take them."""
TSchemaTables = dict[str, TTableSchema]
TColumnType = dict[str, Any]
TColumnNames = Any  # a column name or a sequence of names
TAnySchemaColumns = Any  # columns as a dict, a list of column schemas or a pydantic model
TStoredSchema = dict[str, Any]  # a schema as `Schema.to_dict()` gives it
TSchemaEvolutionMode = Literal["evolve", "discard_value", "freeze", "discard_row"]
TSchemaContractEntities = Literal["tables", "columns", "data_type"]
TSchemaContractDict = dict[str, TSchemaEvolutionMode]
TSchemaContract = Any  # a TSchemaEvolutionMode or a TSchemaContractDict
TTableFormat = Literal["iceberg", "delta", "hive", "native"]
TFileFormat = Literal["jsonl", "parquet", "arrow", "csv", "insert_values", "typed-jsonl"]
TColumnHint = Literal[
    "primary_key", "merge_key", "unique", "partition", "cluster", "sort", "nullable",
    "root_key", "parent_key", "row_key", "hard_delete", "dedup_sort",
]
TTypeDetections = Literal["timestamp", "iso_timestamp", "iso_date", "large_integer",
                          "hexbytes_to_text", "wei_to_double"]
