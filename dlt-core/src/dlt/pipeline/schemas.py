"""The schemas of a pipeline on disk, with the import and export folders users edit.

As in dlt 1.31:

- `export_schema_path`: every time the pipeline saves a schema it also writes
  `<name>.schema.yaml` there (or `.json` with `EXTERNAL_SCHEMA_FORMAT=json`), the full schema
  with every inferred column.
- `import_schema_path`: when `<name>.schema.yaml` is missing there, the first save writes it
  with what the code declares (resource hints, before any data is seen). When the user edits it,
  the next run replaces the tables and settings of the pipeline's schema with the file's content
  (logging that it does) and records the file's hash, so an unchanged file is not applied again.
  dlt never rewrites the import file once it exists.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from dlt.schema import Schema
from dlt.storage.packages import PackageStorage

logger = logging.getLogger("dlt")

SCHEMA_FILE_FORMATS = ("yaml", "json")


def external_schema_format() -> str:
    """`yaml` (the default) or `json`, from `EXTERNAL_SCHEMA_FORMAT` / `external_schema_format`."""
    from dlt.configuration.resolve import get_resolver

    found = get_resolver().lookup([("external_schema_format",), ("schema", "external_schema_format")])
    chosen = str(found[0]).strip().lower() if found is not None and found[0] else "yaml"
    if chosen not in SCHEMA_FILE_FORMATS:
        raise ValueError(
            f"external_schema_format '{chosen}' is unknown; set EXTERNAL_SCHEMA_FORMAT to yaml or json."
        )
    return chosen


class SchemaStore:
    """Schemas in `<working_dir>/schemas/<name>.schema.json`, plus import/export folders."""

    def __init__(self, working_dir: Path, import_path: str | None, export_path: str | None) -> None:
        self.folder = Path(working_dir) / "schemas"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.import_path = Path(import_path) if import_path else None
        self.export_path = Path(export_path) if export_path else None
        # the schemas `live()` handed out, with the stat of the file they were read from
        self._live: dict[str, tuple[tuple[int, int, int], Schema]] = {}

    def _file(self, name: str) -> Path:
        return self.folder / f"{name}.schema.json"

    @staticmethod
    def _external_file(folder: Path, name: str, file_format: str) -> Path:
        return folder / f"{name}.schema.{file_format}"

    @staticmethod
    def _external_text(schema: Schema, file_format: str) -> str:
        return schema.to_pretty_json() if file_format == "json" else schema.to_pretty_yaml()

    def names(self) -> list[str]:
        """Names of stored schemas."""
        return sorted(p.name[: -len(".schema.json")] for p in self.folder.glob("*.schema.json"))

    def load(self, name: str) -> Schema:
        """The stored schema `name`."""
        return Schema.from_dict(PackageStorage.read_json(self._file(name)))

    def live(self, name: str) -> Schema:
        """The stored schema `name` as a shared object that readers keep (a `Dataset` of the
        pipeline): the same object while the stored file is unchanged (its inode, mtime and
        size: a save replaces the file), a new one read from it after a run saved it. Readers
        must not change it; `load()` gives a private copy."""
        stat = self._file(name).stat()
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        cached = self._live.get(name)
        if cached is not None and cached[0] == version:
            return cached[1]
        schema = self.load(name)
        self._live[name] = (version, schema)
        return schema

    def save(self, schema: Schema) -> None:
        """Store a schema, export it when an export path is set, and write the import file when
        an import path is set and the file does not exist yet."""
        schema.bump_version()
        file_format = None
        if self.import_path is not None:
            file_format = external_schema_format()
            import_file = self._external_file(self.import_path, schema.name, file_format)
            if not import_file.exists():
                self.import_path.mkdir(parents=True, exist_ok=True)
                text = self._external_text(schema, file_format)
                import_file.write_text(text, encoding="utf-8")
                schema.imported_version_hash = Schema.from_text(text, str(import_file)).content_hash()
        PackageStorage.write_json(self._file(schema.name), schema.to_dict())
        if self.export_path is not None:
            file_format = file_format or external_schema_format()
            self.export_path.mkdir(parents=True, exist_ok=True)
            self._external_file(self.export_path, schema.name, file_format).write_text(
                self._external_text(schema, file_format), encoding="utf-8")

    def restore(self, name: str, document: dict | None) -> None:
        """Put schema `name` back to a stored document exactly as it was (no version bump),
        or delete it when `document` is None (the schema did not exist then)."""
        if document is None:
            self._file(name).unlink(missing_ok=True)
            return
        PackageStorage.write_json(self._file(name), document)

    def document(self, name: str) -> dict | None:
        """The stored document of schema `name`, or None when there is none."""
        path = self._file(name)
        return PackageStorage.read_json(path) if path.exists() else None

    def apply_import(self, schema: Schema) -> Schema:
        """Replace the tables and settings of `schema` with the import file's when the user
        changed that file since it was last applied (no-op without an import path or file)."""
        if self.import_path is None:
            return schema
        import_file = self._external_file(self.import_path, schema.name, external_schema_format())
        if not import_file.exists():
            return schema
        imported = Schema.from_text(import_file.read_text(encoding="utf-8"), str(import_file))
        imported_hash = imported.content_hash()
        if imported_hash == getattr(schema, "imported_version_hash", None):
            return schema
        logger.info("Schema %s will be overwritten with imported schema %s", schema.name, import_file)
        system_tables = {name: t for name, t in schema.tables.items() if name.startswith("_dlt")}
        schema.tables = {
            **system_tables,
            **{name: t for name, t in imported.tables.items() if not name.startswith("_dlt")},
        }
        schema.settings = json.loads(json.dumps(imported.settings))
        schema.imported_version_hash = imported_hash
        return schema
