"""`RedshiftCredentials`: where and as whom to connect, parsed from a connection string or fields.

`redshift://loader:pw@host:5439/dev?sslmode=disable&connect_timeout=10`, or a dict of the fields
(`host`, `port`, `database`, `username`, `password` and the connect options). The password never
appears in `repr()`, `str()` or any message built from these credentials.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field, fields, replace
from typing import Any

from dlt.destinations.base import DestinationTerminalError

DEFAULT_PORT = 5439
DEFAULT_CONNECT_TIMEOUT = 15.0
SCHEMES = ("redshift", "redshift+redshift_connector", "postgresql", "postgres")
#: sslmode values and whether they turn TLS on (verify-* also verify the server certificate)
SSL_MODES = {"disable": False, "allow": True, "prefer": True, "require": True,
             "verify-ca": True, "verify-full": True}
#: connect options accepted as query parameters of the connection string (or as fields)
OPTIONS = ("sslmode", "connect_timeout", "application_name", "tcp_keepalive")
FIELD_NAMES = ("host", "port", "database", "username", "password", *OPTIONS)
REQUIRED = ("host", "database", "username", "password")


class CredentialsError(DestinationTerminalError):
    """The Redshift credentials are incomplete or malformed."""


@dataclass(frozen=True)
class RedshiftCredentials:
    """Connection settings for redshift-connector; `repr` hides the password."""

    host: str | None = None
    port: int = DEFAULT_PORT
    database: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sslmode: str = "verify-ca"
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    application_name: str = "dlt"
    tcp_keepalive: bool = True

    # -- parsing ---------------------------------------------------------------------------

    @classmethod
    def parse(cls, value: Any) -> RedshiftCredentials:
        """Credentials from a connection string, a dict of fields or credentials (as is)."""
        if isinstance(value, RedshiftCredentials):
            return value
        if isinstance(value, str):
            return cls.from_connection_string(value)
        if isinstance(value, dict):
            return cls.from_fields(value)
        raise CredentialsError(
            "Redshift credentials must be a connection string like"
            " 'redshift://user:password@host:5439/database' or a dict of host, port, database,"
            f" username and password, not {type(value).__name__}."
        )

    @classmethod
    def from_connection_string(cls, text: str) -> RedshiftCredentials:
        """Parse `redshift://user:password@host:port/database?option=value`."""
        url = urllib.parse.urlsplit(text.strip())
        if url.scheme not in SCHEMES:
            raise CredentialsError(
                f"A Redshift connection string starts with redshift://, not {url.scheme or '(no scheme)'}://"
                " (expected 'redshift://user:password@host:5439/database')."
            )
        try:
            port = url.port
        except ValueError:
            port_text = url.netloc.rpartition("@")[2].rpartition(":")[2]
            raise CredentialsError(
                f"The port '{port_text}' in the Redshift connection string for host"
                f" {url.hostname} is not a number."
            ) from None
        values: dict[str, Any] = {
            "host": url.hostname,
            "port": port,
            "database": urllib.parse.unquote(url.path.lstrip("/")) or None,
            "username": urllib.parse.unquote(url.username) if url.username else None,
            "password": urllib.parse.unquote(url.password) if url.password else None,
        }
        for key, option in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
            if key not in OPTIONS:
                raise CredentialsError(
                    f"The Redshift connection string for host {url.hostname} has the unknown"
                    f" option '{key}'; supported options: {', '.join(OPTIONS)}."
                )
            values[key] = option
        return cls.from_fields({k: v for k, v in values.items() if v is not None})

    @classmethod
    def from_fields(cls, values: dict[str, Any]) -> RedshiftCredentials:
        """Credentials from field values (strings from config are converted)."""
        unknown = sorted(set(values) - set(FIELD_NAMES) - {"user"})
        if unknown:
            raise CredentialsError(
                f"Unknown Redshift credentials field(s) {', '.join(unknown)};"
                f" known fields: {', '.join(FIELD_NAMES)}."
            )
        values = dict(values)
        if "user" in values:  # the driver's spelling
            values.setdefault("username", values.pop("user"))
        return cls()._with(values)

    def _with(self, values: dict[str, Any]) -> RedshiftCredentials:
        converted: dict[str, Any] = {}
        for name, value in values.items():
            if value is None:
                continue
            if name == "port":
                converted[name] = _as_number(int, value, "port", self.host)
            elif name == "connect_timeout":
                converted[name] = _as_number(float, value, "connect_timeout", self.host)
            elif name == "tcp_keepalive":
                converted[name] = _as_bool(value)
            elif name == "sslmode":
                mode = str(value).lower()
                if mode not in SSL_MODES:
                    raise CredentialsError(
                        f"sslmode '{value}' is not one of {', '.join(SSL_MODES)}."
                    )
                converted[name] = mode
            else:
                converted[name] = str(value)
        return replace(self, **converted)

    def fill_missing(self, values: dict[str, Any]) -> RedshiftCredentials:
        """Take fields from `values` only where these credentials have none (or the default)."""
        defaults = RedshiftCredentials()
        missing = {name: value for name, value in values.items()
                   if getattr(self, name) == getattr(defaults, name)}
        return self._with(missing)

    # -- use ----------------------------------------------------------------------------------

    def missing_fields(self) -> list[str]:
        """Required fields without a value."""
        return [name for name in REQUIRED if not getattr(self, name)]

    @property
    def ssl(self) -> bool:
        """True unless `sslmode=disable`: TLS is on by default."""
        return SSL_MODES[self.sslmode]

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `redshift_connector.connect` (holds the password: never log it)."""
        kwargs: dict[str, Any] = {
            "host": self.host, "port": self.port, "database": self.database,
            "user": self.username, "password": self.password, "ssl": self.ssl,
            "application_name": self.application_name, "tcp_keepalive": self.tcp_keepalive,
        }
        if self.ssl:
            kwargs["sslmode"] = "verify-full" if self.sslmode == "verify-full" else "verify-ca"
        return kwargs

    def location(self) -> str:
        """`user@host:port/database`, for messages (no password)."""
        return f"{self.username}@{self.host}:{self.port}/{self.database}"

    def to_connection_string(self, redact: bool = True) -> str:
        """The connection string; the password is `***` unless `redact=False`."""
        password = "***" if redact else urllib.parse.quote(self.password or "", safe="")
        user = urllib.parse.quote(self.username or "", safe="")
        auth = f"{user}:{password}@" if self.password else f"{user}@"
        query = urllib.parse.urlencode({"sslmode": self.sslmode, "connect_timeout": f"{self.connect_timeout:g}"})
        return f"redshift://{auth}{self.host}:{self.port}/{self.database}?{query}"

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={'***' if f.name == 'password' and self.password else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"RedshiftCredentials({shown})"

    def __str__(self) -> str:
        return self.to_connection_string(redact=True)


def _as_number(kind: type, value: Any, name: str, host: str | None) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise CredentialsError(
            f"The Redshift credentials field '{name}' for host {host} must be a number, got '{value}'."
        ) from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "on")
