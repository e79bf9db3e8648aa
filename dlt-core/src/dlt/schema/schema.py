"""`Schema`: tables and columns, versioned, exported and imported as YAML or JSON."""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Iterable
from typing import Any

import orjson
import yaml

from dlt.schema.exceptions import DataValidationError, SchemaError, TableNotFound
from dlt.schema.contracts import expand_contract, table_contract, validate_contract
from dlt.schema.default_hints import check_hints, default_hints, hints_for_column
from dlt.schema.naming import get_naming_convention
from dlt.utils.json_codec import custom_encode
from dlt.schema.typing import (
    COLUMN_HINTS,
    DATA_TYPES,
    LOADS_TABLE,
    STATE_TABLE,
    VERSION_TABLE,
    WRITE_DISPOSITIONS,
    TColumnSchema,
    TTableSchema,
)

ENGINE_VERSION = 11
"""The schema document format: dlt 1.31's (engine 11), so a schema stored or exported here is
read by 1.31 and one of 1.31 is read here. Documents of this dlt's engine 1 are read too."""

_HINTS_KEPT_AS_NONE = frozenset({"x-active-record-timestamp"})
"""Column hints whose None is a setting, stored as null (as dlt 1.31 stores an scd2 valid-to
column's `x-active-record-timestamp`); other None hints are left out."""

_RELATIONAL_NORMALIZER = "dlt.common.normalizers.json.relational"
_NORMALIZER_SETTINGS = {"max_table_nesting": "max_nesting",
                        "root_key_propagation": "root_key_propagation"}
"""Settings this dlt keeps in `settings` that dlt 1.31 keeps in its relational normalizer's
config (`normalizers.json.config`), with their names there."""


def _system_tables() -> dict[str, TTableSchema]:
    def col(name: str, data_type: str, nullable: bool = False) -> TColumnSchema:
        return {"name": name, "data_type": data_type, "nullable": nullable}

    def table(name: str, *columns: TColumnSchema) -> TTableSchema:
        return {
            "name": name,
            "write_disposition": "skip",
            "resource": name,
            "columns": {c["name"]: c for c in columns},
        }

    return {
        VERSION_TABLE: table(
            VERSION_TABLE,
            col("version", "bigint"),
            col("engine_version", "bigint"),
            col("inserted_at", "timestamp"),
            col("schema_name", "text"),
            col("version_hash", "text"),
            col("schema", "text"),
        ),
        LOADS_TABLE: table(
            LOADS_TABLE,
            col("load_id", "text"),
            col("schema_name", "text", True),
            col("status", "bigint"),
            col("inserted_at", "timestamp"),
            col("schema_version_hash", "text", True),
        ),
        STATE_TABLE: {
            **table(
                STATE_TABLE,
                col("version", "bigint"),
                col("engine_version", "bigint"),
                col("pipeline_name", "text"),
                col("state", "text"),
                col("created_at", "timestamp"),
                col("version_hash", "text", True),
                col("_dlt_load_id", "text"),
                col("_dlt_id", "text"),
            ),
            "write_disposition": "append",
        },
    }


def configured_naming() -> str | None:
    """The naming convention set in configuration (`[schema] naming=`, env `SCHEMA__NAMING`), or
    None for the destination's default."""
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([("schema", "naming")])
    return str(found[0]) if found is not None and found[0] else None


def validate_column(table_name: str, column: TColumnSchema) -> None:
    """Raise `SchemaError` when `column` has an unknown data type."""
    data_type = column.get("data_type")
    if data_type is not None and data_type not in DATA_TYPES:
        raise SchemaError(
            f"Column '{column.get('name')}' of table '{table_name}' has data type"
            f" '{data_type}'; use one of: {', '.join(DATA_TYPES)}."
        )


class Schema:
    """A named set of tables with a content version.

    `version` grows by one and `version_hash` changes whenever the content changes;
    `previous_hashes` keeps the earlier hashes, newest first.
    """

    def __init__(self, name: str, naming: str | None = None) -> None:
        if not name:
            raise SchemaError("A schema needs a name.")
        if naming is None:
            naming = configured_naming()
        self._init(name, naming)

    def _init(self, name: str, naming: str | None) -> None:
        self.naming = get_naming_convention(naming)
        # schema names follow snake_case whatever the convention of the tables is
        self.name: str = get_naming_convention().normalize_identifier(name)
        self._stored_version = 0
        self._stored_version_hash = ""
        self.previous_hashes: list[str] = []
        #: the content hash of the import schema file applied last (see dlt.pipeline.schemas)
        self.imported_version_hash: str | None = None
        self.settings: dict[str, Any] = {"detections": ["iso_timestamp"],
                                         "default_hints": default_hints()}
        if naming:
            self.settings["naming"] = naming
        self.tables: dict[str, TTableSchema] = _system_tables()
        self.bump_version()

    # -- versions -----------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The content version: the stored one, plus one when the content changed since."""
        return self._stored_version + (1 if self.is_modified else 0)

    @version.setter
    def version(self, value: int) -> None:
        self._stored_version = int(value)

    @property
    def version_hash(self) -> str:
        """The hash of the current content (changes with every table, column or setting)."""
        return self.content_hash()

    @version_hash.setter
    def version_hash(self, value: str) -> None:
        self._stored_version_hash = value

    @property
    def stored_version(self) -> int:
        """The version as of the last save or load."""
        return self._stored_version

    @property
    def stored_version_hash(self) -> str:
        """The version hash as of the last save or load."""
        return self._stored_version_hash

    @property
    def is_modified(self) -> bool:
        """True when the content changed since the schema was last saved or loaded."""
        return self.content_hash() != self._stored_version_hash

    @property
    def is_new(self) -> bool:
        """True for a schema that was never saved (version 1 without previous hashes)."""
        return self._stored_version <= 1 and not self.previous_hashes

    # -- settings -----------------------------------------------------------------------------

    def set_schema_contract(self, settings: Any) -> None:
        """Set the contract of the whole schema (what a source's `schema_contract` sets); a falsy
        value removes it."""
        settings = validate_contract(settings)
        if not settings:
            self.settings.pop("schema_contract", None)
        else:
            self.settings["schema_contract"] = settings

    def resolve_contract_settings_for_table(self, table_name: str,
                                            new_table_schema: TTableSchema | None = None) -> dict[str, str]:
        """The full contract applying to `table_name` (its own or inherited hint, else the
        schema's setting, else evolve)."""
        return table_contract(self.tables, self.settings, table_name, new_table_schema)

    @staticmethod
    def expand_schema_contract_settings(settings: Any, default: dict[str, str] | None = None) -> dict[str, str]:
        """A shorthand or partial contract as a full per-entity dict."""
        return expand_contract(settings, default)

    def merge_hints(self, new_hints: dict[str, list[str]], replace: bool = False,
                    normalize_identifiers: bool = True) -> None:
        """Add column-name patterns to the `default_hints` setting (`{"not_null": ["id"]}`):
        new columns they match get the hint. Names are normalized with the schema's naming
        convention (`re:` patterns are kept as written); `replace` swaps a hint's patterns."""
        check_hints(new_hints)
        current = self.settings.setdefault("default_hints", {})
        for hint, patterns in new_hints.items():
            if normalize_identifiers:
                patterns = [p if p.startswith("re:") else self.naming.normalize_identifier(p) for p in patterns]
            kept = [] if replace else current.get(hint, [])
            current[hint] = kept + [p for p in patterns if p not in kept]

    def default_hints_for(self, column_name: str) -> dict[str, Any]:
        """The hints the `default_hints` setting gives a new column named `column_name`
        (`nullable: False` for `not_null`, the hint itself otherwise)."""
        return hints_for_column(self.settings.get("default_hints"), column_name)

    def add_type_detection(self, detection: str) -> None:
        """Detect `detection` (e.g. `iso_timestamp`) in values of new columns."""
        detections = self.settings.setdefault("detections", [])
        if detection not in detections:
            detections.append(detection)

    def remove_type_detection(self, detection: str) -> None:
        """Stop detecting `detection` (`remove_type_detection("iso_timestamp")` keeps ISO strings text)."""
        detections = self.settings.setdefault("detections", [])
        if detection in detections:
            detections.remove(detection)

    # -- tables -----------------------------------------------------------------------------

    def get_table(self, name: str) -> TTableSchema:
        """The table called `name`; `TableNotFound` (a `KeyError`) when the schema has none
        of that name, as in dlt 1.31 (`schema.tables.get(name)` gives None instead)."""
        table = self.tables.get(name)
        if table is None:
            raise TableNotFound(self.name, name, self.tables)
        return table

    def data_tables(self, include_incomplete: bool = False) -> list[TTableSchema]:
        """Tables holding user data (not `_dlt_*`), parents before children.

        Without `include_incomplete`, only tables that have at least one typed column.
        """
        tables = [
            t
            for name, t in self.tables.items()
            if not name.startswith("_dlt")
            and (include_incomplete or any(c.get("data_type") for c in t["columns"].values()))
        ]
        return sorted(tables, key=lambda t: (self.table_depth(t["name"]), t["name"]))

    def data_table_names(self, seen_data_only: bool = False, include_incomplete: bool = False) -> list[str]:
        """Names of the tables holding user data, as `data_tables()` orders them (dlt 1.31 API).

        `seen_data_only` is accepted for compatibility: a table counts as having seen data when
        it has a typed column, which is what `data_tables()` already requires.
        """
        return [t["name"] for t in self.data_tables(include_incomplete=include_incomplete)]

    def get_table_columns(self, table_name: str, include_incomplete: bool = False) -> dict[str, TColumnSchema]:
        """The columns of `table_name` by name, in the order they were added. Without
        `include_incomplete`, only columns with a data type (declared hints without one are left
        out). An unknown table is `TableNotFound` (a `KeyError`) naming the known ones."""
        table = self.get_table(table_name)
        return {
            name: column for name, column in table["columns"].items()
            if include_incomplete or column.get("data_type")
        }

    def is_new_table(self, table_name: str) -> bool:
        """True when `table_name` is unknown or has no column with a data type yet (no data seen)."""
        table = self.tables.get(table_name)
        return table is None or not any(c.get("data_type") for c in table["columns"].values())

    def dlt_tables(self) -> list[TTableSchema]:
        """The `_dlt_*` system tables (loads, versions, pipeline state)."""
        return [t for name, t in self.tables.items() if name.startswith("_dlt")]

    def dlt_table_names(self) -> list[str]:
        """Names of the `_dlt_*` system tables."""
        return [t["name"] for t in self.dlt_tables()]

    def table_depth(self, name: str) -> int:
        """0 for a root table, 1 for its children, and so on."""
        depth, table = 0, self.tables.get(name)
        while table is not None and table.get("parent"):
            depth += 1
            table = self.tables.get(table["parent"])
        return depth

    def root_table(self, name: str) -> TTableSchema:
        """The top table of the chain `name` belongs to."""
        table = self.tables[name]
        while table.get("parent"):
            table = self.tables[table["parent"]]
        return table

    def max_table_nesting(self, name: str) -> int | None:
        """The nesting limit of table `name`: its root table's `x-max-nesting`, else the
        schema's `max_table_nesting` setting; None when neither is set."""
        root = self.root_table(name) if name in self.tables else {}
        return root.get("x-max-nesting", self.settings.get("max_table_nesting"))

    def child_tables(self, name: str) -> list[TTableSchema]:
        """All descendant tables of `name`, parents first."""
        result: list[TTableSchema] = []
        frontier = [name]
        while frontier:
            parent = frontier.pop(0)
            for table in self.tables.values():
                if table.get("parent") == parent:
                    result.append(table)
                    frontier.append(table["name"])
        return result

    def write_disposition(self, name: str) -> str:
        """The write disposition of table `name`, inherited from its root table."""
        return self.root_table(name).get("write_disposition") or "append"

    def update_table(self, partial: TTableSchema) -> TTableSchema:
        """Merge a partial table (hints and columns) into the schema; returns the table."""
        name = partial["name"]
        disposition = partial.get("write_disposition")
        if disposition is not None and disposition not in WRITE_DISPOSITIONS:
            raise SchemaError(
                f"Table '{name}' has write disposition '{disposition}'; use one of:"
                f" {', '.join(WRITE_DISPOSITIONS)}."
            )
        table = self.tables.get(name)
        if table is None:
            table = {"name": name, "columns": {}}
            self.tables[name] = table
        for key, value in partial.items():
            if key == "columns":
                for column in value.values():
                    self.update_column(name, column)
            elif key != "name" and value is not None:
                table[key] = copy.deepcopy(value)
        return table

    def update_column(self, table_name: str, column: TColumnSchema) -> TColumnSchema:
        """Add a column to a table or merge hints into an existing one."""
        validate_column(table_name, column)
        table = self.tables.setdefault(table_name, {"name": table_name, "columns": {}})
        columns = table["columns"]
        existing = columns.get(column["name"])
        if existing is None:
            existing = columns[column["name"]] = {"name": column["name"]}
        elif not existing.get("data_type") and column.get("data_type"):
            # a column declared by hints alone takes its place among the data's columns when
            # data first types it, as in dlt 1.31 (tables are created in this order)
            columns[column["name"]] = columns.pop(column["name"])
        for key, value in column.items():
            if value is not None or key in _HINTS_KEPT_AS_NONE:
                existing[key] = value
        return existing

    # -- versioning and serialization ------------------------------------------------------

    def content_hash(self) -> str:
        """A hash of the schema's tables and settings, independent of the version fields.

        Computed as dlt 1.31 computes its `version_hash` over the same stored document (SHA3-256
        of its JSON with sorted keys, then every table's name and its column names in order), so
        1.31 finds its own hash on a schema saved here and takes it as unmodified."""
        blob = orjson.dumps(self._stored_content(self.tables), default=custom_encode,
                            option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        digest = hashlib.sha3_256(blob)
        for name in sorted(self.tables):
            digest.update(name.encode("utf-8"))
            for column in self.tables[name].get("columns") or {}:
                digest.update(column.encode("utf-8"))
        return base64.b64encode(digest.digest()).decode("ascii")

    def bump_version(self) -> bool:
        """Recompute the hash; when content changed, increase the stored version and remember the
        old hash in `previous_hashes`. True if it changed."""
        new_hash = self.content_hash()
        if new_hash == self._stored_version_hash:
            return False
        if self._stored_version_hash:
            self.previous_hashes.insert(0, self._stored_version_hash)
            del self.previous_hashes[10:]
        self._stored_version += 1
        self._stored_version_hash = new_hash
        return True

    def to_dict(self, remove_defaults: bool = False, bump_version: bool = True) -> dict[str, Any]:
        """The schema as a plain dict (the format of stored, exported and imported files).

        With `remove_defaults`, the `name` keys that repeat the table and column keys are left
        out, as in dlt's exported YAML and JSON.
        """
        if bump_version:
            self.bump_version()
        tables = copy.deepcopy(self.tables)
        if remove_defaults:
            for table in tables.values():
                table.pop("name", None)
                for column in table.get("columns", {}).values():
                    column.pop("name", None)
        document: dict[str, Any] = {
            "version": self._stored_version,
            "version_hash": self._stored_version_hash,
            **self._stored_content(tables),
            "previous_hashes": list(self.previous_hashes),
        }
        if self.imported_version_hash and not remove_defaults:
            document["imported_version_hash"] = self.imported_version_hash
        return document

    def _stored_content(self, tables: dict[str, TTableSchema]) -> dict[str, Any]:
        """The stored document without its version fields, with `tables` as its tables."""
        settings = copy.deepcopy(self.settings)
        return {"engine_version": ENGINE_VERSION, "name": self.name, "tables": tables,
                "settings": settings, "normalizers": self._normalizers_document(settings)}

    def _normalizers_document(self, settings: dict[str, Any]) -> dict[str, Any]:
        """dlt 1.31's `normalizers` block, taking out of `settings` what 1.31 keeps there: the
        naming convention, the nesting limit, root key propagation, and the propagation of the
        row key of merge tables to their nested tables' `_dlt_root_id`."""
        config: dict[str, Any] = {}
        for key, name in _NORMALIZER_SETTINGS.items():
            if key in settings:
                config[name] = settings.pop(key)
        naming = settings.pop("naming", None) or self.naming.name
        propagation = {
            name: {"_dlt_id": "_dlt_root_id"} for name, table in self.tables.items()
            if not table.get("parent") and not name.startswith("_dlt")
            and self._propagates_root_key(name)}
        if propagation:
            config["propagation"] = {"tables": propagation}
        json_normalizer: dict[str, Any] = {"module": _RELATIONAL_NORMALIZER}
        if config:
            json_normalizer["config"] = config
        return {"names": naming, "json": json_normalizer}

    def _propagates_root_key(self, root: str) -> bool:
        """True when the nested tables of root table `root` get `_dlt_root_id`, by dlt 1.31's
        rule: merge tables other than scd2 (unless root key propagation is set either way),
        and any table chain that already has a root key column."""
        table = self.tables[root]
        propagation = self.settings.get("root_key_propagation")
        if propagation is None:
            strategy = table.get("x-merge-strategy") or "delete-insert"
            propagation = table.get("write_disposition") == "merge" and strategy != "scd2"
        return bool(propagation) or any(
            column.get("root_key") for child in self.child_tables(root)
            for column in child.get("columns", {}).values())

    @staticmethod
    def _settings_of(data: dict[str, Any]) -> dict[str, Any]:
        """A document's settings with what dlt 1.31 keeps in `normalizers` taken back in."""
        settings = dict(data.get("settings") or {})
        normalizers = data.get("normalizers") or {}
        if normalizers.get("names") and "naming" not in settings:
            settings["naming"] = normalizers["names"]
        config = (normalizers.get("json") or {}).get("config") or {}
        for key, name in _NORMALIZER_SETTINGS.items():
            if name in config and key not in settings:
                settings[key] = config[name]
        return settings

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schema:
        """Build a schema from `to_dict()` output or an edited export; validates types."""
        if not isinstance(data, dict) or "name" not in data:
            raise SchemaError("A schema document needs at least a 'name' and 'tables'.")
        settings = cls._settings_of(data)
        schema = cls.__new__(cls)
        schema._init(data["name"], settings.get("naming"))
        schema.settings.update(settings)
        for name, table in (data.get("tables") or {}).items():
            table = dict(table)
            table["name"] = name
            columns = table.get("columns") or {}
            if isinstance(columns, list):
                columns = {c["name"]: c for c in columns}
            table["columns"] = {
                cname: {**(c or {}), "name": cname} for cname, c in columns.items()
            }
            for column in table["columns"].values():
                unknown = set(column) - {"name", "data_type", "precision", "scale", "description",
                                         "variant", "timezone", *COLUMN_HINTS}
                unknown = {key for key in unknown if not key.startswith("x-")}
                if unknown:
                    raise SchemaError(
                        f"Column '{column['name']}' of table '{name}' has unknown keys:"
                        f" {', '.join(sorted(unknown))}."
                    )
            schema.update_table(table)
        schema.version = int(data.get("version") or 0)
        schema.version_hash = data.get("version_hash") or ""
        schema.previous_hashes = list(data.get("previous_hashes") or [])
        schema.imported_version_hash = data.get("imported_version_hash")
        schema.bump_version()
        return schema

    def to_json(self, pretty: bool = True, remove_defaults: bool = False) -> str:
        """The schema as JSON text."""
        option = orjson.OPT_INDENT_2 if pretty else 0
        return orjson.dumps(self.to_dict(remove_defaults=remove_defaults), option=option).decode()

    def to_yaml(self, remove_defaults: bool = False) -> str:
        """The schema as YAML text, for humans to read and edit."""
        return yaml.safe_dump(self.to_dict(remove_defaults=remove_defaults), sort_keys=False,
                              allow_unicode=True)

    def to_pretty_json(self, remove_defaults: bool = True) -> str:
        """The schema as indented JSON (the format of `<name>.schema.json` exports)."""
        return self.to_json(pretty=True, remove_defaults=remove_defaults)

    def to_pretty_yaml(self, remove_defaults: bool = True) -> str:
        """The schema as YAML (the format of `<name>.schema.yaml` exports)."""
        return self.to_yaml(remove_defaults=remove_defaults)

    @classmethod
    def from_text(cls, text: str, source: str = "<string>") -> Schema:
        """Parse a schema from YAML or JSON text; `source` names the file in errors."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise SchemaError(f"The schema file {source} is not valid YAML or JSON: {problem}{where}.") from exc
        try:
            return cls.from_dict(data)
        except SchemaError as exc:
            raise SchemaError(f"{source}: {exc}") from exc

    def clone(self, with_name: str | None = None, remove_processing_hints: bool = False,
              update_normalizers: bool = False) -> Schema:
        """A deep copy, renamed to `with_name` when given. `remove_processing_hints` and
        `update_normalizers` are accepted for dlt 1.31's signature: this schema keeps no
        processing hints, and its naming convention is applied as tables are added."""
        other = Schema.__new__(Schema)
        other.__dict__.update(copy.deepcopy(self.__dict__))
        if with_name is not None:
            other.name = get_naming_convention().normalize_identifier(with_name)
        return other

    def __repr__(self) -> str:
        return f"Schema(name={self.name!r}, version={self.version}, tables={list(self.tables)})"


def merge_column_lists(columns: Iterable[TColumnSchema]) -> dict[str, TColumnSchema]:
    """Index a list of column dicts by name."""
    return {column["name"]: dict(column) for column in columns}
