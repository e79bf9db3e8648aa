"""DuckDB database files opened with small row groups, shared by dlt's connections in a process.

DuckDB keeps the rows an open transaction inserts in memory, uncompressed, until a row group
(122,880 rows by default) is full; only full row groups go to the file before the commit. A
package of a wide table therefore holds all its rows in memory until the commit, which then
needs about as much again: 225 columns x 50,000 rows needed a 231 MiB memory limit. Attached
with `ROW_GROUP_SIZE 16384`, DuckDB writes every 16,384 rows out as they come and the same
INSERT and commit fit in 63 MiB (measured with DuckDB 2.0.1 on one thread); the cost is a
larger file (the general benchmark's 50k rows: 28.7 MiB instead of 18.7 MiB), so dlt attaches
this way only for loads of schemas with wide tables (`DuckDBJobClient`).

`duckdb.connect(path)` cannot take a row group size, so the file is attached to an in-memory
DuckDB of its own. DuckDB refuses a second handle on a file in one process, so every connection
dlt opens to a file attached here is a cursor of that one DuckDB (`AttachedFiles.connect`), and
when the file is already open elsewhere in the process (a `duckdb.connect` of the user's, or of
dlt's for a narrow schema), dlt connects the usual way and shares that DuckDB instead. The
in-memory DuckDB closes, and the file with it, when the last of dlt's cursors on it closes.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any, Callable

import duckdb as duckdb_lib

SMALL_ROW_GROUP_ROWS = 16_384
"""Rows of a row group in files dlt attaches for wide tables (a multiple of DuckDB's 2,048-row
vectors): 16,384 rows of 225 columns loaded in 249 MB peak RSS, 32,768 in 288 MB, 61,440 in
356 MB, the default 122,880 in 376 MB (`bench/child.py --workload general --mode memory`)."""

@dataclass
class _Attached:
    """An in-memory DuckDB with one database file attached, and how many cursors use it."""

    database: Any
    use: str
    """The `USE` statement that makes the file the default catalog (a setting of each cursor)."""
    users: int = 0


class AttachedFiles:
    """The database files this process attached with small row groups, by absolute path."""

    def __init__(self) -> None:
        self._files: dict[str, _Attached] = {}
        self._lock = threading.Lock()

    def connect(self, path: str, config: dict[str, Any], small_row_groups: bool,
                read_only: bool = False) -> tuple[Any, Callable[[], None] | None, int | None]:
        """A connection to the database file `path`, what to call after closing it (None for
        a plain `duckdb.connect`), and the file's row group size when dlt attached it with
        small row groups. A file attached here already gives a cursor of its DuckDB; a new one
        is attached when `small_row_groups` asks for it and nothing else in the process has
        the file open; otherwise `duckdb.connect(path, config=config)` as usual."""
        key = os.path.abspath(path)
        with self._lock:
            attached = self._files.get(key)
            if attached is None and small_row_groups and not read_only:
                attached = self._attach(path, config)
                if attached is not None:
                    self._files[key] = attached
            if attached is None:
                return duckdb_lib.connect(path, read_only=read_only, config=config), None, None
            cursor = attached.database.cursor()
            cursor.execute(attached.use)
            attached.users += 1
        return cursor, lambda: self._release(key, attached), SMALL_ROW_GROUP_ROWS

    def is_attached(self, path: str) -> bool:
        """True while dlt holds `path` attached with small row groups."""
        with self._lock:
            return os.path.abspath(path) in self._files

    def _attach(self, path: str, config: dict[str, Any]) -> _Attached | None:
        """Attach `path` to a new in-memory DuckDB with `config` (spills go to `<path>.tmp`, as
        for a file DuckDB opens itself); None when DuckDB refuses, for example because the file
        is open elsewhere in this process or is named `memory`, like the in-memory catalog. The
        file's catalog gets the name `duckdb.connect(path)` gives it (DuckDB picks it the same
        way: `main.duckdb` is `main_db`)."""
        settings = dict(config)
        settings.setdefault("temp_directory", f"{path}.tmp")
        database = duckdb_lib.connect(":memory:", config=settings)
        try:
            database.execute(f"ATTACH '{path.replace(chr(39), chr(39) * 2)}'"
                             f" (ROW_GROUP_SIZE {SMALL_ROW_GROUP_ROWS})")
            (catalog,) = database.execute(
                "SELECT database_name FROM duckdb_databases() WHERE NOT internal"
                " AND database_name <> 'memory'").fetchone()
        except duckdb_lib.Error:
            database.close()
            return None
        return _Attached(database, f'USE "{catalog.replace(chr(34), chr(34) * 2)}"')

    def _release(self, key: str, attached: _Attached) -> None:
        """One cursor of `attached` closed: the last one closes its DuckDB and so the file."""
        with self._lock:
            attached.users -= 1
            if attached.users > 0:
                return
            if self._files.get(key) is attached:
                del self._files[key]
        attached.database.close()


attached_files = AttachedFiles()
"""The files dlt's DuckDB clients in this process attached (DuckDB's file handles are per
process, so this is too)."""
