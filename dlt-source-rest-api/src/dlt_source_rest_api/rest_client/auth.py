"""Authentication for the REST client: `requests` auth objects that are also dlt config specs,
so their secrets can come from `.dlt/secrets.toml` and never show in reprs."""

from __future__ import annotations

import base64
import time
from typing import Any, Optional

from requests import PreparedRequest
from requests.auth import AuthBase

from dlt.common.configuration import configspec
from dlt.configuration.specs import CredentialsConfiguration
from dlt.configuration.typing import TSecretStrValue


@configspec
class AuthConfigBase(AuthBase, CredentialsConfiguration):
    """Base of REST client auth: a `requests` auth (`__call__(request)`) and a credentials spec.

    Subclass it (decorated with `@configspec`) for a custom scheme and implement `__call__`.
    """

    def __bool__(self) -> bool:
        # a spec is a mapping of its fields; an auth object is always "set", even without fields
        return True

    def __hash__(self) -> int:
        return id(self)

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Add credentials to `request`; the base class adds none."""
        return request


@configspec
class BearerTokenAuth(AuthConfigBase):
    """`Authorization: Bearer <token>`."""

    token: TSecretStrValue = None

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Set the bearer token header."""
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


@configspec
class APIKeyAuth(AuthConfigBase):
    """An API key in a header (`location="header"`, the default) or a query parameter
    (`location="query"`) named `name`."""

    name: str = "Authorization"
    api_key: TSecretStrValue = None
    location: str = "header"

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Put the key where it belongs."""
        if self.location == "header":
            request.headers[self.name] = str(self.api_key)
        elif self.location == "query":
            request.prepare_url(request.url, {self.name: self.api_key})
        else:
            raise ValueError(
                f"APIKeyAuth location is {self.location!r}; use 'header' or 'query' (cookies are not supported yet)."
            )
        return request


@configspec
class HttpBasicAuth(AuthConfigBase):
    """HTTP basic authentication with `username` and `password`."""

    username: str = None  # type: ignore[assignment]
    password: TSecretStrValue = None

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Set the basic `Authorization` header."""
        encoded = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        request.headers["Authorization"] = f"Basic {encoded}"
        return request


@configspec
class OAuth2AuthBase(AuthConfigBase):
    """An OAuth 2 access token sent as a bearer token."""

    access_token: Optional[TSecretStrValue] = None

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Set the bearer header from the access token."""
        request.headers["Authorization"] = f"Bearer {self.access_token}"
        return request


class _ExpiringTokenMixin:
    """What the token flows share: the bearer header from a token fetched when there is none or
    it expired, and the POST that fetches it (with the flow's `session`, else the plugin's
    client session). `_token_field` names the field that holds the token."""

    _token_field = "access_token"

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Set the bearer header, obtaining a token first when there is none or it expired."""
        if getattr(self, self._token_field) is None or self.is_token_expired():
            self.obtain_token()  # type: ignore[attr-defined]
        request.headers["Authorization"] = f"Bearer {getattr(self, self._token_field)}"
        return request

    def is_token_expired(self) -> bool:
        """True once the token's lifetime has passed."""
        return time.monotonic() >= self.__dict__.get("_token_expiry", 0.0)

    def _expires_in(self, seconds: int) -> None:
        self.__dict__["_token_expiry"] = time.monotonic() + seconds

    def _post_for_token(self, url: str, failure: str, **request: Any) -> Any:
        """The JSON body of the token response; an HTTP error (its secrets redacted) when the
        server refuses."""
        session = getattr(self, "session", None)
        if session is None:
            from dlt_source_rest_api.requests import client

            session = client.session
        response = session.post(url, **request)
        if response.status_code >= 400:
            from dlt_source_rest_api.rest_client.redaction import http_error

            raise http_error(response, failure)
        return response.json()


@configspec
class OAuth2ClientCredentials(_ExpiringTokenMixin, OAuth2AuthBase):
    """The OAuth 2 client credentials flow: a token from `access_token_url` (form-encoded
    `grant_type=client_credentials`, `client_id`, `client_secret` and
    `access_token_request_data`), reused until it expires and then fetched again.

    Override `build_access_token_request()` for servers that want the credentials elsewhere
    (e.g. in a basic `Authorization` header) and `parse_expiration_in_seconds()` /
    `parse_access_token()` for unusual token responses.
    """

    access_token_url: str = None  # type: ignore[assignment]
    client_id: TSecretStrValue = None
    client_secret: TSecretStrValue = None
    access_token_request_data: Optional[dict[str, Any]] = None
    default_token_expiration: int = 3600
    session: Optional[Any] = None

    def __post_init__(self) -> None:
        if self.access_token_request_data is None:
            self.access_token_request_data = {}

    def build_access_token_request(self) -> dict[str, Any]:
        """Keyword arguments of the token POST request (`headers`, `data`, ...)."""
        return {
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "data": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "grant_type": "client_credentials",
                **(self.access_token_request_data or {}),
            },
        }

    def obtain_token(self) -> None:
        """Request a new access token and remember when it expires."""
        body = self._post_for_token(self.access_token_url, "The OAuth2 token request failed",
                                    **self.build_access_token_request())
        self.access_token = self.parse_access_token(body)
        self._expires_in(self.parse_expiration_in_seconds(body))

    def parse_access_token(self, response_json: Any) -> str:
        """The token in the token response (`access_token`)."""
        return str(response_json.get("access_token"))

    def parse_expiration_in_seconds(self, response_json: Any) -> int:
        """The token lifetime in the token response (`expires_in`), else the default."""
        return int(response_json.get("expires_in", self.default_token_expiration))


@configspec
class OAuthJWTAuth(_ExpiringTokenMixin, BearerTokenAuth):
    """A bearer token obtained with a signed JWT (the OAuth 2 JWT bearer grant, RFC 7523):
    `client_id` signs a token request with `private_key` (PEM, RS256) and posts it to
    `auth_endpoint`; the token is reused until it expires. Needs PyJWT and cryptography
    (`pip install "dlt-source-rest-api[jwt]"`)."""

    client_id: str = None  # type: ignore[assignment]
    private_key: TSecretStrValue = None
    auth_endpoint: str = None  # type: ignore[assignment]
    scopes: Optional[Any] = None
    headers: Optional[dict[str, str]] = None
    private_key_passphrase: Optional[TSecretStrValue] = None
    default_token_expiration: int = 3600
    session: Optional[Any] = None

    _token_field = "token"

    def __post_init__(self) -> None:
        if self.scopes is not None and not isinstance(self.scopes, str):
            self.scopes = " ".join(self.scopes)

    def create_jwt_payload(self) -> dict[str, Any]:
        """The claims of the assertion: the client as issuer and subject, the token endpoint as
        audience, valid for an hour, with the scopes if any."""
        now = int(time.time())
        payload: dict[str, Any] = {"iss": self.client_id, "sub": self.client_id,
                                   "aud": self.auth_endpoint, "exp": now + 3600, "iat": now}
        if self.scopes is not None:
            payload["scope"] = self.scopes
        return payload

    def load_private_key(self) -> Any:
        """The private key object of the PEM text in `private_key`."""
        try:
            from cryptography.hazmat.primitives import serialization
        except ImportError as exc:
            raise _missing_jwt_dependency("cryptography") from exc
        passphrase = self.private_key_passphrase
        return serialization.load_pem_private_key(
            str(self.private_key).encode("utf-8"),
            password=str(passphrase).encode("utf-8") if passphrase else None,
        )

    def obtain_token(self) -> None:
        """Post a signed assertion to `auth_endpoint` and keep the access token it returns."""
        try:
            import jwt
        except ImportError as exc:
            raise _missing_jwt_dependency("PyJWT") from exc
        assertion = jwt.encode(self.create_jwt_payload(), self.load_private_key(), algorithm="RS256")
        body = self._post_for_token(self.auth_endpoint, "The OAuth JWT token request failed",
                                    headers=self.headers, data={
                                        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                        "assertion": assertion})
        self.token = body["access_token"]
        self._expires_in(int(body.get("expires_in", self.default_token_expiration)))


def _missing_jwt_dependency(package: str) -> Exception:
    from dlt.utils.exceptions import MissingDependencyException

    return MissingDependencyException(
        "OAuthJWTAuth", [package],
        'The plugin\'s extra installs both it needs: pip install "dlt-source-rest-api[jwt]".',
    )


__all__ = [
    "APIKeyAuth", "AuthConfigBase", "BearerTokenAuth", "HttpBasicAuth", "OAuth2AuthBase",
    "OAuth2ClientCredentials", "OAuthJWTAuth",
]
