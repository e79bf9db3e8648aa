"""SQL and server error codes shared by the destinations that speak PostgreSQL's dialect.

PostgreSQL and Redshift (a fork of PostgreSQL 8) agree on the statements here: the schema
lookup in `pg_namespace`, the `search_path` that makes a dataset the default schema,
`DELETE ... USING` for merges, and the SQLSTATE codes that tell a retry-worthy failure from one
that a retry cannot fix. Both plugins use this module so the SQL lives in one place; each
keeps its own driver (`psycopg` for PostgreSQL, `redshift-connector` for Redshift).
"""

from __future__ import annotations

from collections.abc import Callable

from dlt.destinations.base import DestinationTerminalError, DestinationUndefinedRelation
from dlt.schema.typing import ID_COLUMN, ROOT_ID_COLUMN

#: SQLSTATE classes a retry may fix: connection exceptions, insufficient resources, operator
#: intervention (server shutdown, cancelled statement)
TRANSIENT_SQLSTATE_PREFIXES = ("08", "53", "57P")
#: single SQLSTATE codes a retry may fix: serialization failure, deadlock, lock not available,
#: query cancelled
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014"})
#: invalid password / invalid authorization
AUTH_SQLSTATES = frozenset({"28P01", "28000"})
#: insufficient privilege
PRIVILEGE_SQLSTATE = "42501"
#: the database named in the connection does not exist
UNKNOWN_DATABASE_SQLSTATE = "3D000"
#: undefined table (or view) / invalid schema name: raised as `DestinationUndefinedRelation`
UNDEFINED_RELATION_SQLSTATES = frozenset({"42P01", "3F000"})
#: SQLSTATE class of data exceptions: a value the column cannot hold
DATA_EXCEPTION_CLASS = "22"
#: SQLSTATE class of integrity constraint violations (NOT NULL, UNIQUE, CHECK)
INTEGRITY_CLASS = "23"

RETRY_HINT = "A retry may help; dlt retries the load and the package stays pending otherwise."
NO_RETRY_HINT = "Retrying will not help until this is fixed."

#: finds a schema whatever the privileges of the user (information_schema hides some)
HAS_SCHEMA_SQL = "SELECT 1 FROM pg_namespace WHERE nspname = %s"


def is_transient_sqlstate(sqlstate: str | None) -> bool:
    """True for SQLSTATE codes of failures that a retry may fix."""
    if not sqlstate:
        return False
    return sqlstate in TRANSIENT_SQLSTATES or sqlstate.startswith(TRANSIENT_SQLSTATE_PREFIXES)


def login_refused_error(where: str, user: str, message: str, destination: str) -> DestinationTerminalError:
    """The terminal error for a login the server at `where` refused: it names the user and the
    credentials setting of `destination` (e.g. "postgres") to check, never the password."""
    return DestinationTerminalError(
        f"{where} refused the login of user '{user}': {message}. Check the username and password"
        f" in destination.{destination}.credentials (DESTINATION__{destination.upper()}__CREDENTIALS)."
        f" {NO_RETRY_HINT}")


def unknown_database_error(where: str, user: str, database: str, message: str) -> DestinationTerminalError:
    """The terminal error for a connection to a database that does not exist on the server."""
    return DestinationTerminalError(
        f"{where}: the database '{database}' does not exist ({message}); user '{user}' must connect"
        f" to an existing database. {NO_RETRY_HINT}")


def terminal_query_error(sqlstate: str | None, text: str) -> DestinationTerminalError:
    """The terminal error of a failed statement: `DestinationUndefinedRelation` when it named a
    table or schema that does not exist, else `DestinationTerminalError`."""
    error = DestinationUndefinedRelation if sqlstate in UNDEFINED_RELATION_SQLSTATES else DestinationTerminalError
    return error(f"{text} {NO_RETRY_HINT}")


def search_path_sql(quoted_dataset: str) -> str:
    """`SET search_path` making the dataset the default schema; a schema that does not exist
    yet is skipped by the server until it is created."""
    return f"SET search_path TO {quoted_dataset}, public"


def abbreviate_sql(sql: str, limit: int = 300) -> str:
    """A statement on one line, cut after `limit` characters, for error messages."""
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[:limit] + " ..."


def delete_using_statement(target: str, staged: str, key_match: Callable[[list[str], str, str], str],
                           key_sets: list[list[str]]) -> str:
    """`DELETE FROM target USING staged AS s WHERE ...`: rows of `target` matched by a staged row
    on any of `key_sets`. The target has no alias (Redshift's DELETE takes none), so the match
    refers to it by its qualified name."""
    match = " OR ".join(f"({key_match(keys, 's', target)})" for keys in key_sets)
    return f"DELETE FROM {target} USING {staged} AS s WHERE {match}"


def delete_nested_using_statement(nested: str, root: str, staged_root: str,
                                  key_match: Callable[[list[str], str, str], str],
                                  key_sets: list[list[str]], quote: Callable[[str], str]) -> str:
    """`DELETE ... USING` the root table and the staged root rows: the nested rows (by
    `_dlt_root_id`) of the root rows that staged rows match."""
    match = " OR ".join(f"({key_match(keys, 's', 'd')})" for keys in key_sets)
    return (f"DELETE FROM {nested} USING {root} AS d, {staged_root} AS s"
            f" WHERE {nested}.{quote(ROOT_ID_COLUMN)} = d.{quote(ID_COLUMN)} AND ({match})")


class PostgresDialectMixin:
    """Merge statements in PostgreSQL's dialect for a `SqlJobClient` subclass (put it first
    among the bases): `DELETE ... USING` instead of the generic `WHERE EXISTS`."""

    sql: object
    key_match: Callable[..., str]

    def delete_matched_statement(self, target: str, staged: str, key_sets: list[list[str]]) -> str:
        """`DELETE ... USING` the staged rows (see `delete_using_statement`)."""
        return delete_using_statement(target, staged, self.key_match, key_sets)

    def delete_nested_statement(self, nested: str, root: str, staged_root: str,
                                key_sets: list[list[str]]) -> str:
        """`DELETE ... USING` the root table and the staged keys: nested rows of matched roots."""
        return delete_nested_using_statement(nested, root, staged_root, self.key_match, key_sets,
                                             self.sql.escape_identifier)  # type: ignore[attr-defined]
