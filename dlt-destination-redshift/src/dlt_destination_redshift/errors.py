"""Turning redshift-connector's exceptions into dlt's transient and terminal errors.

Every message names the host and the user (never the password), says what failed and whether a
retry can help. Transient errors (`DestinationTransientError`) are retried by the loader; the
rest are terminal.
"""

from __future__ import annotations

import socket
from typing import Any

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

from dlt_destination_redshift.credentials import RedshiftCredentials

def server_error(exc: BaseException) -> tuple[str | None, str]:
    """(SQLSTATE, message) of a driver error carrying the server's error fields, else (None, text)."""
    if exc.args and isinstance(exc.args[0], dict):
        fields = exc.args[0]
        return fields.get("C"), str(fields.get("M", "")).strip()
    return None, _plain_message(exc)


def _plain_message(exc: BaseException) -> str:
    parts = [str(a) for a in exc.args if isinstance(a, (str, int))]
    causes = [a for a in exc.args if isinstance(a, BaseException)]
    if causes:
        parts.append(_describe_os_error(causes[0]))
    return ": ".join(p for p in parts if p) or type(exc).__name__


def _describe_os_error(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    return str(exc) or type(exc).__name__


def is_transient(sqlstate: str | None, message: str) -> bool:
    """True for server errors that a retry may fix."""
    if "serializable isolation violation" in message.lower():  # Redshift error 1023
        return True
    return is_transient_sqlstate(sqlstate)


def connect_error(exc: BaseException, credentials: RedshiftCredentials) -> DestinationError:
    """A dlt error for a failed connection attempt."""
    where = f"Redshift at {credentials.host}:{credentials.port} (database {credentials.database})"
    user = credentials.username
    if "refuses ssl" in _plain_message(exc).lower():
        return DestinationTerminalError(
            f"{where} does not accept TLS connections (user '{user}'). Redshift always does:"
            " check the host and port, or add ?sslmode=disable to the connection string for a"
            f" server without TLS. {NO_RETRY_HINT}"
        )
    if isinstance(exc, OSError) or _is_communication_error(exc):
        cause = _describe_os_error(exc) if isinstance(exc, OSError) else _plain_message(exc)
        return DestinationTransientError(
            f"Could not connect to {where} as user '{user}': {cause}. Check the host and port and"
            " that the cluster is running and reachable from here (VPC, security group, publicly"
            f" accessible setting). {RETRY_HINT}"
        )
    sqlstate, message = server_error(exc)
    if sqlstate in AUTH_SQLSTATES:
        return login_refused_error(where, user, message, "redshift")
    if sqlstate == UNKNOWN_DATABASE_SQLSTATE:
        return unknown_database_error(where, user, credentials.database, message)
    if sqlstate == PRIVILEGE_SQLSTATE:
        return privilege_error(message, credentials)
    if is_transient(sqlstate, message):
        return DestinationTransientError(
            f"Connecting to {where} as user '{user}' failed: {message}. {RETRY_HINT}"
        )
    return DestinationTerminalError(
        f"Connecting to {where} as user '{user}' failed: {message}"
        f"{f' (SQLSTATE {sqlstate})' if sqlstate else ''}. {NO_RETRY_HINT}"
    )


def privilege_error(message: str, credentials: RedshiftCredentials, what: str = "") -> DestinationTerminalError:
    """A terminal error for a missing privilege."""
    doing = f" while {what}" if what else ""
    return DestinationTerminalError(
        f"User '{credentials.username}' lacks a privilege on Redshift at"
        f" {credentials.host}:{credentials.port} (database {credentials.database}){doing}:"
        f" {message}. Grant it, e.g. `GRANT CREATE ON DATABASE {credentials.database} TO"
        f" {credentials.username}` to create datasets, or `GRANT ALL ON SCHEMA <dataset> TO"
        f" {credentials.username}` to load into an existing one. {NO_RETRY_HINT}"
    )


def query_error(exc: BaseException, credentials: RedshiftCredentials, sql: str) -> DestinationError:
    """A dlt error for a statement that failed on an open connection."""
    statement = _abbreviate(sql)
    if isinstance(exc, OSError) or _is_interface_error(exc):
        return DestinationTransientError(
            f"The connection to Redshift at {credentials.host}:{credentials.port} (user"
            f" '{credentials.username}') broke while running `{statement}`: {_plain_message(exc)}."
            f" {RETRY_HINT}"
        )
    sqlstate, message = server_error(exc)
    if sqlstate == PRIVILEGE_SQLSTATE:
        return privilege_error(message, credentials, f"running `{statement}`")
    code = f" (SQLSTATE {sqlstate})" if sqlstate else ""
    text = (f"Redshift at {credentials.host}:{credentials.port} (user '{credentials.username}')"
            f" failed to run `{statement}`: {message}{code}.")
    if is_transient(sqlstate, message):
        return DestinationTransientError(f"{text} {RETRY_HINT}")
    return terminal_query_error(sqlstate, text)


_abbreviate = abbreviate_sql


def _is_interface_error(exc: BaseException) -> bool:
    import redshift_connector

    return isinstance(exc, (redshift_connector.InterfaceError, redshift_connector.OperationalError)) \
        and not (exc.args and isinstance(exc.args[0], dict))


def _is_communication_error(exc: Any) -> bool:
    return _is_interface_error(exc)
