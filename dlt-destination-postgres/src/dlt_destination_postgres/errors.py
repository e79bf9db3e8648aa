"""Turning psycopg's exceptions into dlt's transient and terminal errors.

Every message names the host, the database and the user (never the password), says what failed
and whether a retry can help. Transient errors (`DestinationTransientError`) are retried by the
loader; the rest are terminal. The SQLSTATE classification is PostgreSQL's and shared with the
Redshift plugin (`dlt.destinations.postgres_dialect`).
"""

from __future__ import annotations

from dlt.configuration.redaction import redact
from dlt.destinations.base import (
    DestinationError,
    DestinationTerminalError,
    DestinationTransientError,
)
from dlt.destinations.postgres_dialect import (
    AUTH_SQLSTATES,
    NO_RETRY_HINT,
    PRIVILEGE_SQLSTATE,
    RETRY_HINT,
    UNKNOWN_DATABASE_SQLSTATE,
    abbreviate_sql,
    is_transient_sqlstate,
    login_refused_error,
    terminal_query_error,
    unknown_database_error,
)

from dlt_destination_postgres.credentials import PostgresCredentials


def _message(exc: BaseException, credentials: PostgresCredentials) -> str:
    """The server's (or libpq's) message on one line, with the password taken out."""
    diag = getattr(exc, "diag", None)
    text = getattr(diag, "message_primary", None) or str(exc) or type(exc).__name__
    text = " ".join(str(text).split())
    if credentials.password:
        text = text.replace(str(credentials.password), "***")
    return redact(text)


def _where(credentials: PostgresCredentials) -> str:
    return f"PostgreSQL at {credentials.host}:{credentials.port} (database {credentials.database})"


def connect_error(exc: BaseException, credentials: PostgresCredentials) -> DestinationError:
    """A dlt error for a failed connection attempt: a wrong login or an unknown database is
    terminal, a server that cannot be reached is transient."""
    sqlstate = getattr(exc, "sqlstate", None)
    message = _message(exc, credentials)
    user = credentials.username
    lowered = message.lower()
    if sqlstate in AUTH_SQLSTATES or "password authentication failed" in lowered \
            or "no password supplied" in lowered:
        return login_refused_error(_where(credentials), user, message, "postgres")
    if sqlstate == UNKNOWN_DATABASE_SQLSTATE or ("database" in lowered and "does not exist" in lowered):
        return unknown_database_error(_where(credentials), user, credentials.database, message)
    if sqlstate == PRIVILEGE_SQLSTATE:
        return DestinationTerminalError(
            f"User '{user}' may not connect to {_where(credentials)}: {message}. {NO_RETRY_HINT}")
    if sqlstate and not is_transient_sqlstate(sqlstate):
        return DestinationTerminalError(
            f"Connecting to {_where(credentials)} as user '{user}' failed: {message}"
            f" (SQLSTATE {sqlstate}). {NO_RETRY_HINT}")
    return DestinationTransientError(
        f"Could not connect to {_where(credentials)} as user '{user}': {message}. Check the host"
        f" and port and that the server is running and reachable from here. {RETRY_HINT}"
    )


def query_error(exc: BaseException, credentials: PostgresCredentials, sql: str,
                table: str | None = None) -> DestinationError:
    """A dlt error for a statement (or COPY into `table`) that failed on an open connection."""
    import psycopg

    sqlstate = getattr(exc, "sqlstate", None)
    message = _message(exc, credentials)
    statement = abbreviate_sql(sql)
    target = f" into table {table}" if table else ""
    code = f" (SQLSTATE {sqlstate})" if sqlstate else ""
    if isinstance(exc, psycopg.OperationalError) and sqlstate is None:
        return DestinationTransientError(
            f"The connection to {_where(credentials)} (user '{credentials.username}') broke while"
            f" running `{statement}`{target}: {message}. {RETRY_HINT}")
    if sqlstate == PRIVILEGE_SQLSTATE:
        return DestinationTerminalError(
            f"User '{credentials.username}' lacks a privilege on {_where(credentials)} while"
            f" running `{statement}`{target}: {message}. Grant it, e.g. `GRANT CREATE ON DATABASE"
            f" {credentials.database} TO {credentials.username}`. {NO_RETRY_HINT}")
    text = (f"{_where(credentials)} (user '{credentials.username}') failed to run"
            f" `{statement}`{target}: {message}{code}.")
    if is_transient_sqlstate(sqlstate):
        return DestinationTransientError(f"{text} {RETRY_HINT}")
    return terminal_query_error(sqlstate, text)
