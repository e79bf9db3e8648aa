"""Configuration specs: typed groups of settings resolved from providers, as in dlt 1.31.

A spec is a dataclass made with `@configspec` from a `BaseConfiguration` subclass; every field
has a default (`None` when the class gives none). Credential specs (`CredentialsConfiguration`)
also accept a *native* form, e.g. `ConnectionStringCredentials("postgres://u:pw@host/db")`.
Resolution (providers, sections, secrets) lives in `dlt.configuration.resolve`.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import typing
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, ClassVar, List, TypeVar, Union
from urllib.parse import parse_qsl, quote, unquote, urlencode

from dlt.configuration.exceptions import ConfigValueError, InvalidNativeValue
from dlt.configuration.typing import (
    TSecretStrValue,
    is_class,
    is_optional,
    is_secret_hint,
)

TSpec = TypeVar("TSpec", bound=type)
_MUTABLE_DEFAULTS = (list, dict, set)


def _is_classvar(hint: Any) -> bool:
    if isinstance(hint, str):
        return hint.split("[", 1)[0].split(".")[-1] in ("ClassVar", "Final")
    origin = typing.get_origin(hint)
    return hint is ClassVar or origin is ClassVar


def configspec(cls: Any = None, /, *, init: bool = True) -> Any:
    """Make `cls` (a `BaseConfiguration` subclass) a spec: a dataclass whose fields all have
    defaults (`None` unless given), usable as `@configspec` or `@configspec(init=False)`."""

    def wrap(spec: type) -> type:
        for name, hint in spec.__dict__.get("__annotations__", {}).items():
            if name.startswith("__") or _is_classvar(hint):
                continue
            if name not in spec.__dict__:
                setattr(spec, name, None)
                continue
            default = spec.__dict__[name]
            if isinstance(default, _MUTABLE_DEFAULTS):
                setattr(spec, name, dataclasses.field(default_factory=lambda v=default: copy.deepcopy(v)))
        return dataclasses.dataclass(spec, init=init, repr=False, eq=True)  # type: ignore[call-overload]

    if cls is None:
        return wrap
    return wrap(cls)


class BaseConfiguration(MutableMapping[str, Any]):
    """Base of specs: fields are the settings; a spec is also a mutable mapping of them."""

    __section__: ClassVar[str | None] = None
    """The config section this spec is looked up in, when it has one."""

    # ---- fields ---------------------------------------------------------------------------
    @classmethod
    def get_resolvable_fields(cls) -> dict[str, Any]:
        """Field name -> type hint (with `Annotated` secret markers) of every public field."""
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except Exception:
            hints = {}
        return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                if not f.name.startswith("_")}

    def _init_defaults(self) -> None:
        """Set every field to its default (for specs with a hand-written `__init__`)."""
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.default is not dataclasses.MISSING:
                value = f.default
            elif f.default_factory is not dataclasses.MISSING:
                value = f.default_factory()
            else:
                value = None
            object.__setattr__(self, f.name, value)

    def is_resolved(self) -> bool:
        """True after `resolve()` or a successful `resolve_configuration()`."""
        return bool(self.__dict__.get("_resolved", False))

    def is_partial(self) -> bool:
        """True while a required field (one whose type does not admit None) is None."""
        return bool(self.missing_fields())

    def missing_fields(self) -> list[str]:
        """Required fields that are still None."""
        missing = []
        for name, hint in self.get_resolvable_fields().items():
            value = getattr(self, name)
            if isinstance(value, BaseConfiguration):
                if value.is_partial():
                    missing.append(name)
            elif value is None and not is_optional(hint):
                missing.append(name)
        return missing

    def on_resolved(self) -> None:
        """Called once all fields are resolved; subclasses normalise values here."""

    def resolve(self) -> None:
        """Mark the spec resolved (calls `on_resolved`)."""
        self.on_resolved()
        self.__dict__["_resolved"] = True

    def copy(self: Any) -> Any:
        """A shallow copy."""
        return copy.copy(self)

    # ---- mapping over fields --------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        if key not in self.get_resolvable_fields():
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self.get_resolvable_fields():
            raise KeyError(f"{type(self).__name__} has no field `{key}`.")
        setattr(self, key, value)

    def __delitem__(self, key: str) -> None:
        raise KeyError(f"Fields of {type(self).__name__} cannot be deleted; set `{key}` to None.")

    def __iter__(self) -> Iterator[str]:
        return iter(self.get_resolvable_fields())

    def __len__(self) -> int:
        return len(self.get_resolvable_fields())

    def __repr__(self) -> str:
        shown = []
        for name, hint in self.get_resolvable_fields().items():
            value = getattr(self, name)
            if value is not None and is_secret_hint(hint) and not isinstance(value, BaseConfiguration):
                value = "***"
                shown.append(f"{name}={value}")
            else:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


BaseConfiguration = configspec(BaseConfiguration)  # type: ignore[misc]


@configspec
class CredentialsConfiguration(BaseConfiguration):
    """Base of credential specs: resolved as secrets, and parsable from a native value."""

    def _apply_init_value(self, init_value: Any) -> None:
        """Apply a native value (string), a mapping of fields or another spec."""
        if init_value is None:
            return
        if isinstance(init_value, Mapping):
            for key, value in init_value.items():
                self[key] = value
        else:
            self.parse_native_representation(init_value)

    def parse_native_representation(self, native_value: Any) -> None:
        """Fill fields from the native form; this spec has none, so any value is invalid."""
        raise InvalidNativeValue(type(self), type(native_value), ())

    def to_native_representation(self) -> Any:
        """The native form of these credentials (contains secrets: never log it)."""
        return dict(self)

    def to_native_credentials(self) -> Any:
        """What the client library takes; the native representation unless overridden."""
        return self.to_native_representation()

    def __str__(self) -> str:
        return repr(self)


# -------------------------------------------------------------------------------------------
# connection strings: drivername://username:password@host:port/database?query
_URL = re.compile(
    r"""
    ^(?P<name>[\w+.-]+)://
    (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
    (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
    (?:/(?P<database>[^?]*))?
    (?:\?(?P<query>.*))?$
    """,
    re.X | re.S,
)
_QUOTE_SAFE = " +!$&'()*,;=~"  # what SQLAlchemy leaves unquoted in user and password


class InvalidConnectionString(InvalidNativeValue):  # noqa: N818 - dlt 1.31 name
    """A value for `ConnectionStringCredentials` is not a `driver://...` connection string."""

    def __init__(self, spec: type, native_value: Any, driver: str | None) -> None:
        self.driver = driver
        super().__init__(spec, type(native_value), (),
                         ValueError("Expected a string like driver://user:password@host:port/database."))


@configspec
class ConnectionStringCredentials(CredentialsConfiguration):
    """Database credentials as a SQLAlchemy-style URL or its parts.

    Native form `postgresql://loader:pw@localhost:5432/dlt_data`; dictionary form with the
    fields below (`DSN__USERNAME`, `DSN__PASSWORD`, ...); the two mix: fields missing from an
    explicit connection string are resolved from configuration.
    """

    drivername: str = None  # type: ignore[assignment]
    database: Union[str, None] = None
    password: Union[TSecretStrValue, None] = None
    username: Union[str, None] = None
    host: Union[str, None] = None
    port: Union[int, None] = None
    query: Union[dict[str, Any], None] = None

    def __init__(self, connection_string: Union[str, dict[str, Any], None] = None) -> None:
        """Make credentials from a connection string, a dict of fields, or nothing."""
        self._init_defaults()
        self._apply_init_value(connection_string)

    def parse_native_representation(self, native_value: Any) -> None:
        """Fill fields from a connection string (only the parts it has)."""
        if not isinstance(native_value, str):
            raise InvalidConnectionString(type(self), native_value, self.drivername)
        match = _URL.match(native_value.strip())
        if match is None:
            raise InvalidConnectionString(type(self), native_value, self.drivername)
        parts = match.groupdict()
        port = parts["port"]
        if port:
            try:
                port_number: int | None = int(port)
            except ValueError:
                raise InvalidConnectionString(type(self), native_value, self.drivername) from None
        else:
            port_number = None
        query: dict[str, Any] | None = None
        if parts["query"]:
            query = {}
            for key, value in parse_qsl(parts["query"], keep_blank_values=True):
                if key in query:
                    existing = query[key]
                    query[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
                else:
                    query[key] = value
        found = {
            "drivername": parts["name"],
            "username": unquote(parts["username"]) if parts["username"] else None,
            "password": unquote(parts["password"]) if parts["password"] is not None else None,
            "host": parts["ipv6host"] or parts["ipv4host"] or None,
            "port": port_number,
            "database": parts["database"] or None,
            "query": query,
        }
        for key, value in found.items():
            if value is not None:
                setattr(self, key, value)

    def on_resolved(self) -> None:
        """Strip whitespace around the password (a common copy-paste accident)."""
        if isinstance(self.password, str):
            self.password = self.password.strip()

    def get_query(self) -> dict[str, Any]:
        """The query parameters (an empty dict when there are none)."""
        return {} if self.query is None else dict(self.query)

    def _render(self, hide_password: bool) -> str:
        text = f"{self.drivername}://"
        if self.username is not None:
            text += quote(str(self.username), safe=_QUOTE_SAFE)
            if self.password is not None:
                text += ":" + ("***" if hide_password else quote(str(self.password), safe=_QUOTE_SAFE))
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else str(self.host)
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += f"/{self.database}"
        query = self.get_query()
        if query and not hide_password:
            text += "?" + urlencode({k: v for k, v in sorted(query.items())}, doseq=True)
        return text

    def to_native_representation(self) -> str:
        """The connection string, with the password (never log it)."""
        return self._render(hide_password=False)

    def to_url(self) -> Any:
        """As in dlt 1.31, a SQLAlchemy `URL` (whose `str()` masks the password;
        `render_as_string(hide_password=False)` shows it) when SQLAlchemy is installed, else
        the connection string."""
        try:
            from sqlalchemy.engine import URL
        except ImportError:
            return ConnectionURL(self.drivername, self.username,
                                 None if self.password is None else str(self.password), self.host,
                                 None if self.port is None else int(self.port), self.database,
                                 {k: v for k, v in sorted((self.get_query() or {}).items())})
        return URL.create(self.drivername, self.username,
                          None if self.password is None else str(self.password), self.host,
                          None if self.port is None else int(self.port), self.database,
                          {k: v for k, v in sorted((self.get_query() or {}).items())})

    def data_location(self) -> str:
        """Where the data lives, without secrets: `postgresql://example.com:5432`."""
        if self.host:
            address = f"{self.host}:{self.port}" if self.port else self.host
        else:
            address = self.database or ""
        backend = self.drivername.split("+")[0] if self.drivername else ""
        return f"{backend}://{address}" if backend else address

    def __str__(self) -> str:
        """The connection string with the password masked and no query."""
        try:
            return self._render(hide_password=True)
        except Exception:
            return ""


def _json_document(spec: type, native_value: Any) -> Mapping[str, Any]:
    """A credentials JSON document given as text or as a dict (`InvalidNativeValue` otherwise)."""
    info = native_value
    if isinstance(native_value, str):
        try:
            info = json.loads(native_value)
        except ValueError as exc:
            raise InvalidNativeValue(spec, str, (), exc) from None
    if not isinstance(info, Mapping):
        raise InvalidNativeValue(spec, type(native_value), ())
    return info


# -------------------------------------------------------------------------------------------
@configspec
class GcpCredentials(CredentialsConfiguration):
    """Base of Google Cloud credentials: the project and the location of its jobs."""

    project_id: str = None  # type: ignore[assignment]
    location: str = "US"


@configspec
class GcpServiceAccountCredentials(GcpCredentials):
    """A Google service account; the native form is the service account JSON document."""

    private_key: TSecretStrValue = None  # type: ignore[assignment]
    private_key_id: Union[str, None] = None
    client_email: str = None  # type: ignore[assignment]
    type: str = "service_account"  # noqa: A003 - the JSON document's field name

    def parse_native_representation(self, native_value: Any) -> None:
        """Fill fields from the service account JSON (a string or a dict)."""
        info = _json_document(type(self), native_value)
        if info.get("type", "service_account") != "service_account":
            raise ConfigValueError(
                f"The Google credentials document has type `{info.get('type')}`, but"
                " GcpServiceAccountCredentials needs a `service_account` document."
            )
        for key in ("project_id", "private_key", "private_key_id", "client_email", "type"):
            if info.get(key) is not None:
                setattr(self, key, info[key])

    def __str__(self) -> str:
        """`client_email@project_id`, as dlt 1.31 shows these credentials (no key)."""
        return f"{self.client_email}@{self.project_id}"

    def to_native_representation(self) -> str:
        """The service account JSON document (contains the private key)."""
        return json.dumps({k: v for k, v in dict(self).items() if k != "location"})


@configspec
class AwsCredentials(CredentialsConfiguration):
    """AWS access keys or a named profile, with the region and an optional endpoint."""

    aws_access_key_id: Union[str, None] = None
    aws_secret_access_key: Union[TSecretStrValue, None] = None
    aws_session_token: Union[TSecretStrValue, None] = None
    profile_name: Union[str, None] = None
    region_name: Union[str, None] = None
    endpoint_url: Union[str, None] = None
    s3_url_style: Union[str, None] = None
    """`path` or `virtual` addressing of buckets, for S3-compatible stores."""
    aws_sts_token_expiration_hours: float = 24.0
    """How long a session token made from these keys lasts."""


@configspec
class AzureCredentials(CredentialsConfiguration):
    """An Azure storage account with its key or a SAS token."""

    azure_storage_account_name: Union[str, None] = None
    azure_storage_account_key: Union[TSecretStrValue, None] = None
    azure_storage_sas_token: Union[TSecretStrValue, None] = None
    azure_account_host: Union[str, None] = None


@configspec
class OAuth2Credentials(CredentialsConfiguration):
    """An OAuth 2 client (`client_id`, `client_secret`) with a refresh token or an access
    token and the scopes asked for, as API sources take them. Getting a token is the source's
    job: this spec only holds and resolves the values."""

    client_id: str = None  # type: ignore[assignment]
    client_secret: TSecretStrValue = None  # type: ignore[assignment]
    refresh_token: Union[TSecretStrValue, None] = None
    scopes: Union[List[str], None] = None
    token: Union[TSecretStrValue, None] = None
    """The access token."""

    def add_scopes(self, scopes: Union[str, List[str]]) -> None:
        """Add `scopes` (one or a list) to `scopes`, keeping each once."""
        new = [scopes] if isinstance(scopes, str) else list(scopes or [])
        current = list(self.scopes or [])
        self.scopes = current + [scope for scope in dict.fromkeys(new) if scope not in current]


GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
"""Where Google OAuth 2 clients exchange a refresh token for an access token."""


@configspec
class GcpOAuthCredentials(GcpCredentials, OAuth2Credentials):
    """A Google OAuth 2 client of the desktop ("installed") kind with its refresh token, as
    Google API sources take them. The native form is Google's client secrets JSON (`{"installed":
    {...}}` or the inner document), the fields as a JSON document, or a
    `google.oauth2.credentials.Credentials` object."""

    refresh_token: TSecretStrValue = None  # type: ignore[assignment]
    client_type: str = "installed"

    def parse_native_representation(self, native_value: Any) -> None:
        """Fill fields from a Google credentials object or a client JSON document."""
        if hasattr(native_value, "refresh_token") and hasattr(native_value, "client_id"):
            self.project_id = getattr(native_value, "quota_project_id", None) or ""
            for key in ("client_id", "client_secret", "refresh_token", "token"):
                setattr(self, key, getattr(native_value, key, None))
            self.scopes = list(getattr(native_value, "scopes", None) or []) or None
            return
        info = _json_document(type(self), native_value)
        if len(info) == 1 and isinstance(next(iter(info.values())), Mapping):
            info = next(iter(info.values()))  # {"installed": {...}} or {"web": {...}}
        for key in ("project_id", "client_id", "client_secret", "refresh_token", "token",
                    "scopes", "location"):
            if info.get(key) is not None:
                setattr(self, key, info[key])

    def to_native_representation(self) -> str:
        """The fields as a JSON document (contains the secret and the tokens)."""
        return json.dumps({k: v for k, v in dict(self).items() if v is not None})

    def to_native_credentials(self) -> Any:
        """A `google.oauth2.credentials.Credentials` for Google's client libraries (needs
        google-auth, which the BigQuery plugin installs); it refreshes its own access token."""
        try:
            from google.oauth2.credentials import Credentials
        except ImportError as exc:
            raise ConfigValueError(
                "GcpOAuthCredentials.to_native_credentials() needs the google-auth package:"
                " pip install google-auth") from exc
        return Credentials(token=self.token, refresh_token=self.refresh_token,
                           client_id=self.client_id, client_secret=self.client_secret,
                           token_uri=GOOGLE_TOKEN_URI, scopes=self.scopes,
                           quota_project_id=self.project_id or None)

    def auth(self, scopes: Union[str, List[str], None] = None, redirect_url: Any = None) -> None:
        """Get an access token (`token`) from the refresh token. Without a refresh token this
        raises: the interactive browser flow of dlt 1.31 is not supported; get a refresh token
        with Google's own tools (e.g. `google-auth-oauthlib`) and configure it."""
        if scopes:
            self.add_scopes(scopes)
        if not self.refresh_token:
            raise ConfigValueError(
                "GcpOAuthCredentials has no refresh_token, and the interactive browser flow that"
                " would get one is not supported here. Get a refresh token with Google's tools"
                " (e.g. google-auth-oauthlib's InstalledAppFlow) and set refresh_token.")
        from google.auth.transport.requests import Request

        native = self.to_native_credentials()
        native.refresh(Request())
        self.token = native.token

    def __str__(self) -> str:
        """`client_id@project_id` (no secret)."""
        return f"{self.client_id}@{self.project_id}"


@dataclasses.dataclass(frozen=True)
class ConnectionURL:
    """What `ConnectionStringCredentials.to_url()` returns without SQLAlchemy: the parts of a
    SQLAlchemy `URL` and its rendering, so `str(url)` masks the password as SQLAlchemy does."""

    drivername: str
    username: Union[str, None] = None
    password: Union[str, None] = None
    host: Union[str, None] = None
    port: Union[int, None] = None
    database: Union[str, None] = None
    query: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def get_backend_name(self) -> str:
        """The database part of the driver name: `postgresql` for `postgresql+psycopg2`."""
        return self.drivername.split("+")[0]

    def get_driver_name(self) -> str:
        """The driver part of the driver name (empty when there is none)."""
        return self.drivername.split("+", 1)[1] if "+" in self.drivername else ""

    def render_as_string(self, hide_password: bool = True) -> str:
        """The URL; the password is `***` unless `hide_password=False`."""
        text = f"{self.drivername}://"
        if self.username is not None:
            text += quote(self.username, safe=_QUOTE_SAFE)
            if self.password is not None:
                text += ":" + ("***" if hide_password else quote(self.password, safe=_QUOTE_SAFE))
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += f"/{self.database}"
        if self.query:
            text += "?" + urlencode(dict(self.query), doseq=True)
        return text

    def __str__(self) -> str:
        return self.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return self.render_as_string(hide_password=True)


@configspec
class RuntimeConfiguration(BaseConfiguration):
    """The `[runtime]` section as dlt 1.31 names its fields (`log_level`, `request_timeout`,
    ...). Resolve it with `resolve_configuration(RuntimeConfiguration(), sections=("runtime",))`."""

    pipeline_name: Union[str, None] = None
    sentry_dsn: Union[str, None] = None
    slack_incoming_hook: Union[TSecretStrValue, None] = None
    dlthub_telemetry: bool = True
    dlthub_telemetry_endpoint: Union[str, None] = "https://telemetry.scalevector.ai"
    dlthub_telemetry_segment_write_key: Union[str, None] = None
    log_format: str = "{asctime}|[{levelname}]|{process}|{thread}|{name}|{filename}|{funcName}:{lineno}|{message}"
    log_level: str = "WARNING"
    request_timeout: float = 60
    request_max_attempts: int = 5
    request_backoff_factor: float = 1
    request_max_retry_delay: float = 300
    config_files_storage_path: str = "/run/config/"
    dlthub_dsn: Union[TSecretStrValue, None] = None
    run_id: Union[str, None] = None
    http_show_error_body: bool = False
    http_max_error_body_length: int = 8192

    __section__: ClassVar[str] = "runtime"


RunConfiguration = RuntimeConfiguration
"""The older name dlt 1.31 still exports."""


FileSystemCredentials = Union[AwsCredentials, GcpServiceAccountCredentials, AzureCredentials]
"""The credentials a filesystem (bucket) destination accepts."""


def is_spec_type(hint: Any) -> bool:
    """True when `hint` is a spec class."""
    return is_class(hint) and issubclass(hint, BaseConfiguration)
