"""`PostgresCredentials`: where and as whom to connect, as dlt 1.31 takes them.

A connection string `postgresql://loader:pw@localhost:5432/dlt_data?connect_timeout=10`, or its
fields one by one (`DESTINATION__POSTGRES__CREDENTIALS__HOST`, `__PORT`, `__DATABASE`,
`__USERNAME`, `__PASSWORD`, `__CONNECT_TIMEOUT`), or both: fields missing from the string are
resolved from configuration. The password never appears in `repr()`, `str()` or any message.
"""

from __future__ import annotations

from typing import Any, Union

from dlt.configuration.exceptions import ConfigFieldMissingException
from dlt.configuration.redaction import remember_secret
from dlt.configuration.resolve import resolve_spec
from dlt.configuration.specs import ConnectionStringCredentials, configspec
from dlt.configuration.typing import TSecretStrValue
from dlt.destinations.base import DestinationTerminalError

DEFAULT_PORT = 5432
DEFAULT_CONNECT_TIMEOUT = 15
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2")


class CredentialsError(DestinationTerminalError):
    """The PostgreSQL credentials are malformed."""


@configspec(init=False)
class PostgresCredentials(ConnectionStringCredentials):
    """PostgreSQL connection settings (dlt 1.31's fields); `repr` hides the password."""

    drivername: str = "postgresql"
    database: str = None  # type: ignore[assignment]
    username: str = None  # type: ignore[assignment]
    password: TSecretStrValue = None  # type: ignore[assignment]
    host: str = None  # type: ignore[assignment]
    port: int = DEFAULT_PORT
    connect_timeout: int = DEFAULT_CONNECT_TIMEOUT
    client_encoding: Union[str, None] = None
    #: time zone set on each connection; None keeps the server's default
    session_timezone: Union[str, None] = None

    def parse_native_representation(self, native_value: Any) -> None:
        """Fill fields from `postgresql://user:password@host:port/database?connect_timeout=...`."""
        super().parse_native_representation(native_value)
        if self.drivername not in SCHEMES:
            raise CredentialsError(
                f"A PostgreSQL connection string starts with postgresql://, not {self.drivername}://"
                " (expected 'postgresql://user:password@host:5432/database')."
            )
        query = self.get_query()
        if "connect_timeout" in query:
            try:
                self.connect_timeout = int(query.pop("connect_timeout"))
            except (TypeError, ValueError):
                raise CredentialsError(
                    f"connect_timeout in the PostgreSQL connection string for host {self.host}"
                    " must be a whole number of seconds."
                ) from None
        if "client_encoding" in query:
            self.client_encoding = query.pop("client_encoding")
        self.query = query or None

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `psycopg.connect` (holds the password: never log it)."""
        kwargs: dict[str, Any] = {
            "host": self.host, "port": int(self.port or DEFAULT_PORT), "dbname": self.database,
            "user": self.username, "password": self.password,
            "connect_timeout": int(self.connect_timeout or DEFAULT_CONNECT_TIMEOUT),
            "application_name": "dlt",
        }
        if self.client_encoding:
            kwargs["client_encoding"] = self.client_encoding
        if self.session_timezone:
            kwargs["options"] = f"-c timezone={self.session_timezone}"
        for key, value in self.get_query().items():
            kwargs.setdefault(key, value)  # libpq options such as sslmode
        return {k: v for k, v in kwargs.items() if v is not None}

    def location(self) -> str:
        """`user@host:port/database`, for messages (no password)."""
        return f"{self.username}@{self.host}:{self.port}/{self.database}"


FIELDS = ("database", "username", "password", "host", "port", "connect_timeout",
          "client_encoding", "session_timezone")


def resolve_credentials(explicit: Any, destination_name: str) -> PostgresCredentials:
    """Credentials from the explicit value (a connection string, a dict, credentials), with the
    fields it leaves out (or all of them) from `destination.<name>.credentials[.<field>]`.
    Raises `ConfigFieldMissingException` naming every key looked in for a missing field."""
    credentials = PostgresCredentials()
    if isinstance(explicit, ConnectionStringCredentials):
        credentials = PostgresCredentials(explicit.to_native_representation())
    elif explicit is not None:
        if not isinstance(explicit, (str, dict)):
            raise CredentialsError(
                "PostgreSQL credentials are a connection string like"
                " 'postgresql://user:password@host:5432/database', a dict of its fields or"
                f" PostgresCredentials, not {type(explicit).__name__}."
            )
        credentials = PostgresCredentials(explicit)
    if credentials.password:
        remember_secret(credentials.password)
    defaults = PostgresCredentials()
    fixed = {name for name in FIELDS if getattr(credentials, name) != getattr(defaults, name)}
    missing: dict[str, Any] = {}
    bases = [("destination", destination_name, "credentials"), ("destination", "credentials")]
    resolve_spec(credentials, bases, secret=True, look_native=explicit is None,
                 field_path=f"destination.{destination_name}.credentials", missing=missing, fixed=fixed)
    if missing:
        raise ConfigFieldMissingException(
            type(credentials).__name__, missing, [f for f in FIELDS if f not in missing])
    return credentials
