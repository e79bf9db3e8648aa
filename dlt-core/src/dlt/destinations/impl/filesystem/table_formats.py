"""Delta and Iceberg tables of the filesystem destination (`table_format="delta"` / `"iceberg"`).

Each table of such a resource, its nested tables included, is one table-format table in the
folder `<dataset>/<table_name>/`. The load jobs of a table are gathered during the load and
written in one commit per table when the package completes: `append` appends, `replace`
overwrites, `merge` upserts by the primary key (nested tables by `_dlt_id`) or inserts only new
keys (`insert-only`), as dlt 1.31 does on these formats. New columns are added to the table
(schema evolution). Each commit carries the load id (`dlt.load_id` in the Delta commit info
and the Iceberg snapshot summary), so a package retried after a partial completion does not write
a table twice. Delta goes through the `deltalake` package, Iceberg through `pyiceberg` with
a SQLite catalog in memory that registers the newest metadata file of each table it opens, as
dlt 1.31 does when no catalog is configured. Both are optional extras of dlt-core.
"""

from __future__ import annotations

import warnings
from typing import Any

import pyarrow as pa

from dlt.destinations.base import DestinationTerminalError

TABLE_FORMATS = ("delta", "iceberg")
LOAD_ID_PROPERTY = "dlt.load_id"
"""The commit / snapshot property holding the load id of the package that wrote it."""
RECENT_COMMITS = 20
"""Delta commits looked at for the load id of a retried package (one commit per table and load)."""
TABLE_FORMAT_MERGE_STRATEGIES = {"delta": ("upsert", "insert-only"), "iceberg": ("upsert", "insert-only")}
"""The merge strategies dlt 1.31 carries out on each table format (the first is the default)."""
EXTRAS = {"delta": ("deltalake", "deltalake"), "iceberg": ("pyiceberg", "pyiceberg")}
"""table format -> (the package it needs, the dlt-core extra that installs it)."""


class MissingTableFormatDependency(DestinationTerminalError):
    """The package that writes a table format is not installed."""

    def __init__(self, table_format: str, table_name: str | None = None) -> None:
        package, extra = EXTRAS[table_format]
        where = f" (table '{table_name}')" if table_name else ""
        super().__init__(
            f"table_format '{table_format}'{where} needs the `{package}` package, which is not"
            f' installed: run pip install "dlt-core[{extra}]".'
        )


def require(table_format: str, table_name: str | None = None) -> Any:
    """Import the package of `table_format`, or raise `MissingTableFormatDependency`."""
    try:
        if table_format == "delta":
            import deltalake

            return deltalake
        import pyiceberg.catalog.sql  # noqa: F401 - the SQL catalog needs sqlalchemy too
        import pyiceberg

        return pyiceberg
    except ModuleNotFoundError:
        raise MissingTableFormatDependency(table_format, table_name) from None


def compatible_arrow(data: pa.Table, table_format: str) -> pa.Table:
    """`data` cast to types the format stores: time and 256-bit decimals as text, null-typed
    columns as text, unsigned integers as the next wider signed type, dictionaries decoded."""
    fields = []
    for field in data.schema:
        kind = field.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if pa.types.is_null(kind) or pa.types.is_decimal256(kind):
            kind = pa.string()
        elif pa.types.is_time(kind):
            kind = pa.string() if table_format == "delta" else pa.time64("us")
        elif pa.types.is_unsigned_integer(kind):
            kind = {8: pa.int16(), 16: pa.int32(), 32: pa.int64()}.get(kind.bit_width, pa.int64())
        elif pa.types.is_timestamp(kind) and kind.unit == "ns":
            kind = pa.timestamp("us", kind.tz)
        fields.append(pa.field(field.name, kind, nullable=True))
    schema = pa.schema(fields)
    if schema.equals(data.schema):
        return data
    arrays = []
    for column, field in zip(data.columns, schema):
        if pa.types.is_time(column.type) and pa.types.is_string(field.type):
            arrays.append(pa.array([None if v is None else v.isoformat() for v in column.to_pylist()], pa.string()))
        else:
            arrays.append(column.cast(field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def merge_keys(table_schema: dict[str, Any]) -> list[str]:
    """The columns matching stored rows in a merge: the primary key, `_dlt_id` for nested tables."""
    if table_schema.get("parent"):
        return ["_dlt_id"]
    keys = [n for n, c in table_schema.get("columns", {}).items() if c.get("primary_key")]
    if not keys:
        raise DestinationTerminalError(
            f"Table '{table_schema['name']}' is loaded with write_disposition='merge' into a"
            f" {table_schema.get('table_format')} table, which merges by the primary key, and it has"
            " none: add primary_key= to the resource, or use append or replace."
        )
    return keys


# ---- Delta ---------------------------------------------------------------------------------
class DeltaTables:
    """Writes and opens the Delta tables of one dataset."""

    def __init__(self, storage_options: dict[str, str] | None = None) -> None:
        self.deltalake = require("delta")
        self.storage_options = storage_options or None

    def open(self, location: str) -> Any:
        """The `DeltaTable` at `location`, or None when there is none."""
        deltalake = self.deltalake
        if not deltalake.DeltaTable.is_deltatable(location, storage_options=self.storage_options):
            return None
        return deltalake.DeltaTable(location, storage_options=self.storage_options)

    def _commit(self, load_id: str) -> Any:
        return self.deltalake.CommitProperties(custom_metadata={LOAD_ID_PROPERTY: load_id})

    @staticmethod
    def has_load(table: Any, load_id: str) -> bool:
        """True when one of the table's recent commits was made by the package `load_id`."""
        return any(entry.get(LOAD_ID_PROPERTY) == load_id for entry in table.history(limit=RECENT_COMMITS))

    def write(self, location: str, data: pa.Table, disposition: str, strategy: str,
              table_schema: dict[str, Any], partition_by: list[str], load_id: str) -> None:
        """Append, overwrite or merge `data` into the Delta table at `location` (made if missing),
        unless the package `load_id` wrote it already."""
        data = compatible_arrow(data, "delta")
        existing = self.open(location)
        if existing is not None and self.has_load(existing, load_id):
            return
        if disposition == "merge" and existing is not None:
            self._add_columns(existing, data.schema)
            keys = merge_keys(table_schema)
            predicate = " AND ".join(f"target.`{k}` = source.`{k}`" for k in keys)
            merger = existing.merge(source=data, predicate=predicate, source_alias="source",
                                    target_alias="target", commit_properties=self._commit(load_id))
            if strategy == "upsert":
                merger = merger.when_matched_update_all()
            merger.when_not_matched_insert_all().execute()
            return
        mode = "overwrite" if disposition == "replace" else "append"
        self.deltalake.write_deltalake(existing if existing is not None else location, data, mode=mode,
                                       schema_mode="merge", partition_by=partition_by or None,
                                       storage_options=self.storage_options,
                                       commit_properties=self._commit(load_id))

    def _add_columns(self, table: Any, schema: pa.Schema) -> None:
        known = set(table.schema().to_arrow().names)
        new = [self.deltalake.Field.from_arrow(f) for f in schema if f.name not in known]
        if new:
            table.alter.add_columns(new)

    def truncate(self, location: str) -> None:
        """Delete every row of the Delta table at `location` (a new version; no-op when absent).
        Not marked with a load id: emptying again on a retry changes nothing, and the package's
        own write that follows must not be taken as done."""
        table = self.open(location)
        if table is not None:
            table.delete()

    def arrow_dataset(self, location: str) -> Any:
        """The table's current version as a `pyarrow.dataset.Dataset` (read lazily), or None."""
        table = self.open(location)
        return None if table is None else table.to_pyarrow_dataset()


# ---- Iceberg -------------------------------------------------------------------------------
def _key_filter(data: pa.Table, keys: list[str]) -> Any:
    """A pyiceberg row filter matching the rows of `data` by `keys` (None when `data` is empty)."""
    from pyiceberg.expressions import And, EqualTo, In, Or

    if data.num_rows == 0:
        return None
    if len(keys) == 1:
        return In(keys[0], {v for v in data.column(keys[0]).to_pylist() if v is not None})
    rows = {tuple(row) for row in zip(*(data.column(k).to_pylist() for k in keys))}
    terms = [And(*(EqualTo(k, v) for k, v in zip(keys, row))) for row in rows]
    return terms[0] if len(terms) == 1 else Or(*terms)


def _aligned(data: pa.Table, schema: pa.Schema) -> pa.Table:
    """`data` with the columns of `schema` in its order (missing ones null), cast to its types."""
    arrays = [data.column(f.name).cast(f.type) if f.name in data.column_names
              else pa.nulls(data.num_rows, f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=pa.schema([f.with_nullable(True) for f in schema]))


class IcebergTables:
    """Writes and opens the Iceberg tables of one dataset through an in-memory SQLite catalog."""

    def __init__(self, namespace: str, bucket: Any, properties: dict[str, Any] | None = None) -> None:
        require("iceberg")
        from pyiceberg.catalog.sql import SqlCatalog

        self.bucket = bucket
        self.namespace = namespace
        self.catalog = SqlCatalog("default", uri="sqlite:///:memory:", **(properties or {}))
        self.catalog.create_namespace_if_not_exists(namespace)

    def _identifier(self, table_name: str) -> str:
        return f"{self.namespace}.{table_name}"

    def open(self, table_name: str, folder: str) -> Any:
        """The Iceberg table `table_name` stored in `folder`, registered from its newest metadata
        file; None when there is none."""
        from pyiceberg.exceptions import NoSuchTableError

        identifier = self._identifier(table_name)
        try:
            return self.catalog.load_table(identifier)
        except NoSuchTableError:
            pass
        metadata = self.bucket.join(folder, "metadata")
        files = sorted(name for name in self.bucket.listdir(metadata) if name.endswith(".metadata.json"))
        if not files:
            return None
        return self.catalog.register_table(
            identifier, self.bucket.location_url(self.bucket.join(metadata, files[-1])))

    @staticmethod
    def has_load(table: Any, load_id: str) -> bool:
        """True when one of the table's snapshots was made by the package `load_id`."""
        return any(snapshot.summary is not None and snapshot.summary.get(LOAD_ID_PROPERTY) == load_id
                   for snapshot in table.snapshots())

    def write(self, table_name: str, folder: str, data: pa.Table, disposition: str, strategy: str,
              table_schema: dict[str, Any], load_id: str) -> None:
        """Append, overwrite or merge `data` into the table (created in `folder` if missing),
        unless the package `load_id` wrote it already."""
        data = compatible_arrow(data, "iceberg")
        table = self.open(table_name, folder)
        properties = {LOAD_ID_PROPERTY: load_id}
        if table is not None and self.has_load(table, load_id):
            return
        if table is None:
            table = self.catalog.create_table(self._identifier(table_name), schema=data.schema,
                                              location=self.bucket.location_url(folder))
        else:
            with table.update_schema() as update:
                update.union_by_name(data.schema)
            table = table.refresh()
        data = _aligned(data, table.schema().as_arrow())
        if disposition == "merge":
            self._merge(table, data, merge_keys(table_schema), strategy, properties)
        elif disposition == "replace":
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Delete operation did not match any records")
                table.overwrite(data, snapshot_properties=properties)
        else:
            table.append(data, snapshot_properties=properties)

    @staticmethod
    def _merge(table: Any, data: pa.Table, keys: list[str], strategy: str, properties: dict[str, str]) -> None:
        """Upsert (replace the stored rows of the loaded keys) or insert only rows of new keys,
        in one snapshot. Done as delete + append: pyiceberg's own `upsert` fails when the
        table's columns grew since its data files were written."""
        filter_ = _key_filter(data, keys)
        if filter_ is None:
            return
        if strategy == "insert-only":
            stored = table.scan(row_filter=filter_, selected_fields=tuple(keys)).to_arrow()
            known = set(zip(*(stored.column(k).to_pylist() for k in keys)))
            if known:
                fresh = [tuple(row) not in known for row in zip(*(data.column(k).to_pylist() for k in keys))]
                data = data.filter(pa.array(fresh, pa.bool_()))
            table.append(data, snapshot_properties=properties)  # an empty append still records the load
            return
        with table.transaction() as transaction, warnings.catch_warnings():
            # pyiceberg warns when no stored row has a loaded key: new keys are expected here
            warnings.filterwarnings("ignore", message="Delete operation did not match any records")
            transaction.delete(delete_filter=filter_, snapshot_properties=properties)
            transaction.append(data, snapshot_properties=properties)

    def truncate(self, table_name: str, folder: str) -> None:
        """Delete every row of the table (a new snapshot; no-op when absent; not marked with a
        load id, as for Delta)."""
        table = self.open(table_name, folder)
        if table is not None:
            from pyiceberg.expressions import AlwaysTrue

            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Delete operation did not match any records")
                table.delete(delete_filter=AlwaysTrue())

    def arrow_table(self, table_name: str, folder: str) -> pa.Table | None:
        """The table's current snapshot as an Arrow table, or None."""
        table = self.open(table_name, folder)
        return None if table is None else table.scan().to_arrow()
