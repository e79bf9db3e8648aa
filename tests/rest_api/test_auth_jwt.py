"""`OAuthJWTAuth`: a bearer token fetched with a signed JWT from a real local token endpoint."""

from __future__ import annotations

import sys
from urllib.parse import parse_qs

import pytest


def _rsa_key_pair():
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    return private_pem, key.public_key()


def test_the_token_comes_from_a_signed_assertion_and_is_reused(api):
    jwt = pytest.importorskip("jwt")
    from dlt.sources.helpers.rest_client import RESTClient
    from dlt.sources.helpers.rest_client.auth import OAuthJWTAuth

    private_pem, public_key = _rsa_key_pair()
    token_url = api.url("/token")
    claims = []

    @api.route(r"/token", method="POST")
    def token(seen):
        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        claims.append(jwt.decode(form["assertion"], public_key, algorithms=["RS256"], audience=token_url))
        return {"access_token": "t-1", "expires_in": 600}

    @api.route(r"/me")
    def me(seen):
        if seen.headers.get("authorization") != "Bearer t-1":
            return 401, {"error": "no token"}
        return [{"id": 1}]

    auth = OAuthJWTAuth(client_id="svc", private_key=private_pem, auth_endpoint=token_url,
                        scopes=["read", "write"])
    client = RESTClient(api.base_url, auth=auth)
    assert [list(page) for page in client.paginate("/me")] == [[{"id": 1}]]
    assert client.get("/me").status_code == 200
    assert len(api.calls("/token")) == 1
    assert claims[0]["iss"] == claims[0]["sub"] == "svc"
    assert claims[0]["scope"] == "read write"


def test_without_pyjwt_the_error_names_the_package_to_install(api, monkeypatch):
    from dlt.sources.helpers.rest_client.auth import OAuthJWTAuth

    monkeypatch.setitem(sys.modules, "jwt", None)  # as if PyJWT were not installed
    auth = OAuthJWTAuth(client_id="svc", private_key="unused", auth_endpoint=api.url("/token"))
    with pytest.raises(ImportError, match="PyJWT"):
        auth.obtain_token()
    assert api.calls("/token") == []
