"""The schemas of a pipeline on disk, with the import and export folders users edit."""

from __future__ import annotations

from pathlib import Path

from dlt.schema import Schema
from dlt.storage.packages import PackageStorage


class SchemaStore:
    """Schemas in `<working_dir>/schemas/<name>.schema.json`, plus import/export folders.

    With `export_schema_path`, every saved schema is also written there as YAML. With
    `import_schema_path`, a `<name>.schema.yaml` found there is read on each run and the user's
    edits (types, hints, new columns) are applied on top of the stored schema.
    """

    def __init__(self, working_dir: Path, import_path: str | None, export_path: str | None) -> None:
        self.folder = Path(working_dir) / "schemas"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.import_path = Path(import_path) if import_path else None
        self.export_path = Path(export_path) if export_path else None

    def _file(self, name: str) -> Path:
        return self.folder / f"{name}.schema.json"

    def names(self) -> list[str]:
        """Names of stored schemas."""
        return sorted(p.name[: -len(".schema.json")] for p in self.folder.glob("*.schema.json"))

    def load(self, name: str) -> Schema:
        """The stored schema `name`."""
        return Schema.from_dict(PackageStorage.read_json(self._file(name)))

    def save(self, schema: Schema) -> None:
        """Store a schema (and export it as YAML when an export path is set)."""
        schema.bump_version()
        PackageStorage.write_json(self._file(schema.name), schema.to_dict())
        if self.export_path is not None:
            self.export_path.mkdir(parents=True, exist_ok=True)
            (self.export_path / f"{schema.name}.schema.yaml").write_text(schema.to_yaml(), encoding="utf-8")

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
        """Apply the user's edits from the import folder to `schema` (no-op without one)."""
        if self.import_path is None:
            return schema
        path = self.import_path / f"{schema.name}.schema.yaml"
        if not path.exists():
            self.import_path.mkdir(parents=True, exist_ok=True)
            path.write_text(schema.to_yaml(), encoding="utf-8")
            return schema
        imported = Schema.from_text(path.read_text(encoding="utf-8"), str(path))
        for table in imported.tables.values():
            if table["name"].startswith("_dlt"):
                continue
            schema.update_table(table)
        schema.settings.update(imported.settings)
        return schema
