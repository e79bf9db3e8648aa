"""The setup dlt gives a DuckDB connection from `DuckDbCredentials`, as dlt 1.31 does:
extensions, `global_config`, time zone and statements on a connection it opens (once on a
connection the user passed), pragmas and `local_config` on every connection it uses. Errors
name what failed; a statement only by its number, as it may hold a secret."""

from __future__ import annotations

import hashlib
import logging
import weakref
from typing import Any

import duckdb as duckdb_lib

from dlt.configuration.redaction import redact
from dlt.destinations.base import DestinationTerminalError
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

logger = logging.getLogger("dlt")


def prepare_database(connection: Any, credentials: DuckDbCredentials) -> None:
    """Set up a connection as dlt 1.31 does a newly opened one: `LOAD` the extensions, `SET
    GLOBAL` the `global_config`, set the time zone, then run the statements (they may need
    what the others set up). Raises `DestinationTerminalError` naming what failed; a statement
    is named by its number only, as it may hold a secret."""
    for extension in credentials.extensions or ():
        try:
            connection.execute(f"LOAD {extension}")
        except duckdb_lib.Error as exc:
            raise _setup_failed(
                f"Could not load the DuckDB extension {extension!r} of the duckdb credentials'"
                " extensions", exc, "Install it first (duckdb.connect().install_extension(name)"
                " on a machine with internet access, or `INSTALL name` and `LOAD name` in the"
                " statements), or remove it from extensions.") from None
    _apply_config(connection, "GLOBAL", credentials.global_config or {}, "global_config")
    if credentials.session_timezone:
        try:
            connection.execute("SET GLOBAL TimeZone = ?", [credentials.session_timezone])
        except duckdb_lib.Error as exc:  # no ICU extension: DuckDB then knows UTC only
            logger.debug("duckdb: could not set TimeZone to %s: %s",
                         credentials.session_timezone, exc)
    statements = credentials.statements or []
    for number, statement in enumerate(statements, start=1):
        try:
            connection.execute(statement)
        except duckdb_lib.Error as exc:
            # DuckDB's message quotes the statement (a token of it, or its line with a key):
            # only the kind of error is shown
            raise DestinationTerminalError(
                f"Statement {number} of {len(statements)} of the duckdb credentials' statements"
                f" failed with a DuckDB {_error_kind(exc)}. Neither the statement nor DuckDB's"
                " message is shown, as they may hold secrets: run the statement in DuckDB"
                " yourself to see the message, then fix it in"
                " destination.duckdb.credentials.statements (or in the DuckDbCredentials you"
                " passed).") from None


def apply_session_settings(connection: Any, credentials: DuckDbCredentials) -> None:
    """Run the credentials' pragmas and `SET SESSION` their `local_config` on a connection dlt
    uses (each time it uses one)."""
    for pragma in credentials.pragmas or ():
        try:
            connection.execute(f"PRAGMA {pragma}")
        except duckdb_lib.Error as exc:
            raise _setup_failed(f"The pragma {pragma!r} of the duckdb credentials' pragmas"
                                " failed", exc, "Fix or remove it.") from None
    _apply_config(connection, "SESSION", credentials.local_config or {}, "local_config")


_prepared_connections: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
"""Connections users passed -> the setups (`_setup_key`) `prepare_external` ran on them; an
entry goes with its connection."""


def prepare_external(connection: Any, credentials: DuckDbCredentials) -> None:
    """`prepare_database` on a connection the user opened, once per connection and setup:
    dlt 1.31 ran it again for each use, and a second `ATTACH` of the same file fails."""
    key = _setup_key(credentials)
    done = _prepared_connections.setdefault(connection, set())
    if key not in done:
        prepare_database(connection, credentials)
        done.add(key)


def _setup_key(credentials: DuckDbCredentials) -> str:
    """A digest of what `prepare_database` runs (not the statements themselves: they are
    secrets, and this digest stays in memory as long as the connection)."""
    setup = (credentials.extensions, sorted((credentials.global_config or {}).items(), key=str),
             credentials.session_timezone, credentials.statements)
    return hashlib.sha256(repr(setup).encode()).hexdigest()


def _apply_config(connection: Any, scope: str, config: dict[str, Any], field: str) -> None:
    """`SET <scope> name = value` for each setting, as dlt 1.31 does (a `search_path` naming
    a schema that does not exist yet is skipped)."""
    for name, value in config.items():
        if name == "custom_user_agent":
            continue  # given to duckdb.connect (`DuckDBSqlClient._connect`)
        try:
            try:
                connection.execute(f"SET {scope} {name} = ?", [value])
            except (duckdb_lib.BinderException, duckdb_lib.ParserException,
                    duckdb_lib.InvalidInputException):
                # DuckDB versions and settings that take no parameter here: a literal
                literal = "'" + value.replace("'", "''") + "'" if isinstance(value, str) else value
                connection.execute(f"SET {scope} {name} = {literal}")
        except duckdb_lib.Error as exc:
            if name == "search_path" and isinstance(exc, duckdb_lib.CatalogException):
                continue
            raise _setup_failed(f"Could not set the DuckDB setting {name!r} of the duckdb"
                                f" credentials' {field}", exc, "Fix or remove it.") from None


def _error_kind(exc: Exception) -> str:
    """`Parser Error`, `Catalog Error`, ...: how DuckDB's message names the kind of error (the
    exception's class when the message does not start with it)."""
    kind = str(exc).split(":", 1)[0].strip()
    return kind if kind.endswith("Error") and len(kind.split()) <= 3 else type(exc).__name__


def _setup_failed(what: str, exc: Exception, fix: str) -> DestinationTerminalError:
    """The error of a failed connection setup: `what`, DuckDB's message (its first line, with
    secrets redacted: the lines after it quote the statement) and what to do."""
    lines = str(exc).strip().splitlines()
    reason = redact(lines[0]) if lines else type(exc).__name__
    return DestinationTerminalError(f"{what}: {reason}. {fix}")
