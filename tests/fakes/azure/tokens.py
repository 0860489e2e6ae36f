"""The Microsoft identity platform, as far as a ClientSecretCredential needs it.

MSAL reads `{authority}/{tenant}/v2.0/.well-known/openid-configuration`, then posts the client
credentials to its token endpoint. Tokens are JWT-shaped (Azurite's OAuth check decodes them: issuer
`https://sts.windows.net/{tenant}/`, audience from the scope) and remembered, so ARM and Kudu accept
only tokens this endpoint issued for their audience.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from urllib.parse import parse_qs

from .httpserver import App, Request, Response


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer(App):
    def __init__(self, *, tenant_id: str, client_id: str, client_secret: str, object_id: str) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.object_id = object_id
        self.url = ""  # set once the server listens
        self._issued: dict[str, str] = {}  # token -> audience
        self._lock = threading.Lock()

    def audience_of(self, authorization: str | None) -> str | None:
        if not authorization or not authorization.startswith("Bearer "):
            return None
        with self._lock:
            return self._issued.get(authorization[len("Bearer ") :])

    def issue(self, audience: str) -> str:
        now = int(time.time())
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{self.tenant_id}/",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "appid": self.client_id,
            "oid": self.object_id,
            "tid": self.tenant_id,
        }
        token = ".".join(
            [_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(secrets.token_bytes(32))]
        )
        with self._lock:
            self._issued[token] = audience
        return token

    def handle(self, request: Request) -> Response:
        base = f"{self.url}/{self.tenant_id}"
        if request.path.endswith("/.well-known/openid-configuration"):
            return Response(
                200,
                {
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                    "issuer": f"{base}/v2.0",
                    "jwks_uri": f"{base}/discovery/v2.0/keys",
                    "tenant_region_scope": "NA",
                },
            )
        if request.method == "POST" and request.path == f"/{self.tenant_id}/oauth2/v2.0/token":
            form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
            if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
                return Response(
                    401,
                    {
                        "error": "invalid_client",
                        "error_description": "AADSTS7000215: Invalid client secret provided.",
                        "error_codes": [7000215],
                    },
                )
            scope = form.get("scope", "").split()
            resource = next((s for s in scope if s.endswith("/.default")), "")
            if not resource:
                return Response(
                    400,
                    {"error": "invalid_scope", "error_description": "AADSTS70011: The provided scope is not valid."},
                )
            audience = resource[: -len("/.default")]
            return Response(
                200,
                {
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "ext_expires_in": 3600,
                    "access_token": self.issue(audience),
                },
            )
        return Response(404, {"error": "not_found", "error_description": request.path})
