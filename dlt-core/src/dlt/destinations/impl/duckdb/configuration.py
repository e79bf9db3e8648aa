"""`DuckDbCredentials`: which DuckDB database to load into, and how dlt sets up its connections.

dlt 1.31's class at its path (`dlt.destinations.impl.duckdb.configuration`). A database file
path (`duckdb:///path`, `:pipeline:`) or an open `duckdb` connection, with settings that dlt
applies to the connections it uses (`DuckDBSqlClient.open_connection` does the work):
`extensions`, `global_config`, `session_timezone` and `statements` once on each connection it
opens (or once on a connection you pass), `pragmas` and `local_config` on every connection it
uses. `statements` may hold secrets (`CREATE SECRET`): they never appear in a repr, a log line
or an error message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Dict, List, Optional, Union

from dlt.configuration.exceptions import InvalidNativeValue, ValueNotSecretException
from dlt.configuration.redaction import remember_secret
from dlt.configuration.resolve import ConfigValueError, get_resolver, resolve_spec
from dlt.configuration.specs import ConnectionStringCredentials, configspec
from dlt.configuration.typing import SecretSentinel
from dlt.destinations.base import DestinationTerminalError

URL_SCHEME = "duckdb:///"
EXTERNAL_DATABASE = ":external:"
"""`database` of credentials made from an in-memory connection you opened (as in dlt 1.31)."""
_FIELDS = ("database", "read_only", "extensions", "global_config", "pragmas", "statements",
           "local_config", "session_timezone")
_LITERAL = re.compile(r"'((?:[^']|'')*)'")
_SECRET_SETTING = re.compile(r"(?i)secret|key|token|password|passwd|credential")
SECRET_LITERAL_CHARS = 8
"""Quoted literals of statements this long or longer are remembered as secrets (keys, tokens);
shorter ones (`'s3'`, `'true'`) would redact common words in every message."""


class InvalidInMemoryDuckdbCredentials(DestinationTerminalError):
    """`credentials=":memory:"`: every connection would open a new empty database, so the
    loaded data would be gone before anyone could read it (dlt 1.31 refuses it too)."""

    def __init__(self) -> None:
        super().__init__(
            'duckdb credentials ":memory:" would load into a database that is gone when the load'
            " closes its connection. To load into memory, open the connection yourself and pass it:"
            ' conn = duckdb.connect(":memory:"); dlt.pipeline(...,'
            " destination=dlt.destinations.duckdb(conn)). To keep the data, pass a file path"
            ' (or ":pipeline:" for a file in the pipeline\'s folder).')


@configspec(init=False)
class DuckDbCredentials(ConnectionStringCredentials):
    """A DuckDB database (a path or an open connection) and the setup of its connections."""

    drivername: str = "duckdb"
    read_only: bool = False
    """Open the database read-only: dlt reads it, and a load into it fails."""
    extensions: Optional[List[str]] = None
    """Extensions loaded (`LOAD`) on each connection dlt opens."""
    global_config: Optional[Dict[str, Any]] = None
    """Settings applied with `SET GLOBAL` on each connection dlt opens."""
    pragmas: Optional[List[str]] = None
    """`PRAGMA`s run on every connection dlt uses."""
    statements: Annotated[Optional[List[str]], SecretSentinel] = None
    """Database-scoped SQL (`ATTACH`, `CREATE SECRET`, `INSTALL`) run on each connection dlt
    opens, after `extensions` and `global_config`; a secret, never shown."""
    local_config: Optional[Dict[str, Any]] = None
    """Settings applied with `SET SESSION` on every connection dlt uses."""
    session_timezone: Optional[str] = "UTC"
    """`TimeZone` set on each connection dlt opens; None keeps DuckDB's default."""

    def __init__(self, conn_or_path: Union[str, Path, Any, None] = None, *,
                 read_only: bool = False, extensions: Optional[List[str]] = None,
                 global_config: Optional[Dict[str, Any]] = None,
                 pragmas: Optional[List[str]] = None, statements: Optional[List[str]] = None,
                 local_config: Optional[Dict[str, Any]] = None,
                 session_timezone: Optional[str] = "UTC") -> None:
        """Credentials from a database path (`duckdb:///path`, `:pipeline:`), an open `duckdb`
        connection (dlt uses it and leaves it open) or a dict of the fields, with the settings
        dlt applies to its connections (see the fields)."""
        self._init_defaults()
        self.__dict__["_connection"] = None
        self._apply_init_value(conn_or_path)
        self.read_only = read_only
        self.extensions = extensions
        self.global_config = global_config
        self.pragmas = pragmas
        self.statements = statements
        self.local_config = local_config
        self.session_timezone = session_timezone

    @property
    def connection(self) -> Any:
        """The `duckdb` connection you passed, or None when dlt opens its own."""
        return self.__dict__.get("_connection")

    def parse_native_representation(self, native_value: Any) -> None:
        """Take a path, `duckdb:///path`, `:pipeline:`, a `duckdb` connection or credentials."""
        if isinstance(native_value, DuckDbCredentials):
            self.__dict__["_connection"] = native_value.connection
            self.database = native_value.database
        elif isinstance(native_value, Path):
            self.database = str(native_value)
        elif isinstance(native_value, str):
            if native_value.startswith(URL_SCHEME):
                # `duckdb:///x.duckdb` is `x.duckdb`, `duckdb:////abs/x.duckdb` `/abs/x.duckdb`
                super().parse_native_representation(native_value)
            else:
                self.database = native_value  # a path, or what DuckDB opens as given (`md:`)
        elif _is_duckdb_connection(native_value):
            self.__dict__["_connection"] = native_value
            self.database = _connection_database(native_value)
        else:
            raise InvalidNativeValue(type(self), type(native_value), (), ValueError(
                "Expected a database file path, 'duckdb:///path', ':pipeline:' or an open"
                " duckdb connection."))


def _is_duckdb_connection(value: Any) -> bool:
    """True for a `duckdb.DuckDBPyConnection` (without importing duckdb for other values)."""
    if type(value).__module__.split(".")[0] not in ("duckdb", "_duckdb"):
        return False
    import duckdb

    return isinstance(value, duckdb.DuckDBPyConnection)


def _connection_database(connection: Any) -> str:
    """The file of the connection's current database, `:external:` for one in memory."""
    try:
        row = connection.cursor().execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()
    except Exception:  # noqa: BLE001 - a closed connection or an old DuckDB: no path to show
        return EXTERNAL_DATABASE
    return str(row[0]) if row and row[0] else EXTERNAL_DATABASE


def resolve_credentials(explicit: Any, destination_name: str) -> DuckDbCredentials:
    """`DuckDbCredentials` from the explicit value (a path, a connection, a dict, credentials),
    with the fields it leaves at their defaults from `destination.<name>.credentials.<field>`
    (or `destination.credentials.<field>`), or all of them from there. The statements are
    remembered as secrets (`remember_secrets`), so no message shows them."""
    if isinstance(explicit, DuckDbCredentials):
        credentials = explicit.copy()
    else:
        credentials = DuckDbCredentials(explicit)
    defaults = DuckDbCredentials()
    fixed = {name for name in _FIELDS if credentials[name] != defaults[name]}
    bases = [("destination", destination_name, "credentials"), ("destination", "credentials")]
    resolve_spec(credentials, bases, secret=True,
                 look_native=explicit is None and _native_in_secret_store(bases),
                 field_path=f"destination.{destination_name}.credentials", missing={},
                 fixed=fixed)
    _check_fields(credentials, destination_name)
    remember_secrets(credentials)
    return credentials


def _native_in_secret_store(bases: list[tuple[str, ...]]) -> bool:
    """True when a provider that holds secrets has the credentials as one value (a path, a
    table). Only a table may sit in `config.toml` (its fields but `statements` are no secrets,
    and are looked up one by one); a path there is refused as a secret in the wrong place."""
    resolver = get_resolver()
    found, _ = resolver.find(bases, secret=True)
    if found is not None:
        return True
    anywhere, _ = resolver.find(bases)
    if anywhere is not None and not isinstance(anywhere[0], Mapping):
        _, provider, path = anywhere
        raise ValueNotSecretException(getattr(provider, "name", "?"),
                                      resolver.key_name(provider, path))
    return False


def _check_fields(credentials: DuckDbCredentials, destination_name: str) -> None:
    """Lists as lists (one text is a list of one), configs as tables; else a `ConfigValueError`
    naming the key."""
    for name in ("extensions", "pragmas", "statements"):
        value = getattr(credentials, name)
        if isinstance(value, str):
            setattr(credentials, name, [value])
        elif value is not None and (not isinstance(value, (list, tuple))
                                    or not all(isinstance(item, str) for item in value)):
            raise ConfigValueError(
                f"destination.{destination_name}.credentials.{name} must be a list of texts,"
                f' e.g. ["json"], not a {type(value).__name__}. Fix it where you configure it.')
        elif value is not None:
            setattr(credentials, name, list(value))
    for name in ("global_config", "local_config"):
        value = getattr(credentials, name)
        if value is not None and not isinstance(value, Mapping):
            raise ConfigValueError(
                f"destination.{destination_name}.credentials.{name} must be a table of DuckDB"
                f" settings, e.g. {{threads = 1}}, not a {type(value).__name__}. Fix it where you"
                " configure it.")


def remember_secrets(credentials: DuckDbCredentials) -> None:
    """Remember what in the credentials is secret, so that no message shows it: each statement,
    and each long quoted literal in it (the key of a `CREATE SECRET`: DuckDB's own error
    messages may quote part of a statement), and the text values of settings named like a
    secret (DuckDB's `s3_secret_access_key`, `s3_session_token`)."""
    for config in (credentials.global_config or {}, credentials.local_config or {}):
        for name, value in config.items():
            if isinstance(value, str) and _SECRET_SETTING.search(str(name)):
                remember_secret(value)
    for statement in credentials.statements or ():
        remember_secret(statement)
        for literal in _LITERAL.findall(statement):
            if len(literal) >= SECRET_LITERAL_CHARS:
                remember_secret(literal.replace("''", "'"))


__all__ = ["DuckDbCredentials", "InvalidInMemoryDuckdbCredentials"]
