# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Identity for the fake: a generated service-account key, Google's token endpoint, bearer checks.

google-auth signs with the key file's private key in two ways, and both are accepted here, as
Google accepts them: the GAPIC clients send a self-signed JWT straight to the API (AIP-4111), and
the other clients (storage, logging) trade a signed assertion at `token_uri` for an access token.
`fetch_id_token` trades one carrying `target_audience` for an ID token, which the fake signs with
its own key and publishes at `/oauth2/v1/certs` (for `verify_oauth2_token(certs_url=...)`).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt, jwt

from .errors import GoogleError

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ID_TOKEN_ISSUER = "https://accounts.google.com"
TOKEN_LIFETIME = 3600
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


def _new_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public.decode()


@dataclass
class ServiceAccount:
    email: str
    key_id: str
    private_key: str
    public_key: str

    def key_file(self, project: str, token_uri: str) -> dict[str, str]:
        """The JSON key file, as `gcloud iam service-accounts keys create` writes it."""
        return {
            "type": "service_account",
            "project_id": project,
            "private_key_id": self.key_id,
            "private_key": self.private_key,
            "client_email": self.email,
            "client_id": str(int.from_bytes(secrets.token_bytes(8), "big")),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "universe_domain": "googleapis.com",
        }


@dataclass
class Identity:
    """Keys the fake knows, access tokens it issued, and its own ID-token signing key."""

    project: str
    accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.signing_key_id = secrets.token_hex(20)
        self._signing_private, self._signing_public = _new_key()
        self.signer = crypt.RSASigner.from_string(self._signing_private, self.signing_key_id)

    def create_account(self, account_id: str) -> ServiceAccount:
        private, public = _new_key()
        email = f"{account_id}@{self.project}.iam.gserviceaccount.com"
        account = ServiceAccount(email, secrets.token_hex(20), private, public)
        self.accounts[email] = account
        return account

    def write_key_file(self, account: ServiceAccount, path: Path, token_uri: str) -> Path:
        path.write_text(json.dumps(account.key_file(self.project, token_uri), indent=2), encoding="utf-8")
        return path

    def certs(self) -> dict[str, str]:
        """The PEM map `google.oauth2.id_token.verify_token` reads from a certs URL."""
        return {self.signing_key_id: self._signing_public}

    def _decode(self, assertion: str, audience: str | list[str] | None) -> dict[str, Any]:
        """A JWT signed by one of the service-account keys the fake issued."""
        try:
            unverified = jwt.decode(assertion, verify=False)
        except ValueError as exc:
            raise GoogleError("UNAUTHENTICATED", f"Invalid JWT: {exc}") from None
        account = self.accounts.get(unverified.get("iss", ""))
        if account is None:
            raise GoogleError("UNAUTHENTICATED", f"Invalid JWT Signature: unknown issuer {unverified.get('iss')!r}")
        try:
            claims: dict[str, Any] = jwt.decode(assertion, certs=account.public_key, audience=audience)
        except ValueError as exc:
            raise GoogleError("UNAUTHENTICATED", f"Invalid JWT: {exc}") from None
        return claims

    def grant(self, form: dict[str, str], token_uri: str) -> dict[str, Any]:
        """The token endpoint: an access token, or an ID token for `target_audience`."""
        if form.get("grant_type") != JWT_BEARER:
            raise ValueError(f"unsupported_grant_type: {form.get('grant_type')!r}")
        # google-auth always addresses the assertion to Google's token URI, whatever token_uri says.
        claims = self._decode(form.get("assertion", ""), [GOOGLE_TOKEN_URI, token_uri])
        if "target_audience" in claims:
            return {"id_token": self.id_token(claims["iss"], claims["target_audience"])}
        token = "ya29.fake-" + secrets.token_urlsafe(32)
        with self._lock:
            self.tokens[token] = (claims["iss"], time.time() + TOKEN_LIFETIME)
        return {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}

    def id_token(self, email: str, audience: str) -> str:
        now = int(time.time())
        payload = {
            "iss": ID_TOKEN_ISSUER,
            "aud": audience,
            "azp": email,
            "sub": str(abs(hash(email))),
            "email": email,
            "email_verified": True,
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
        }
        token: bytes = jwt.encode(self.signer, payload)
        return token.decode()

    def caller(self, authorization: str | None, service_audience: str) -> str:
        """The service account a request's bearer token belongs to, or 401 UNAUTHENTICATED."""
        if not authorization or not authorization.startswith("Bearer "):
            raise GoogleError(
                "UNAUTHENTICATED",
                "Request is missing required authentication credential. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
            )
        token = authorization.removeprefix("Bearer ").strip()
        with self._lock:
            issued = self.tokens.get(token)
        if issued is not None:
            email, expiry = issued
            if expiry < time.time():
                raise GoogleError("UNAUTHENTICATED", "Request had invalid authentication credentials: token expired.")
            return email
        if token.count(".") != 2:
            raise GoogleError("UNAUTHENTICATED", "Request had invalid authentication credentials.")
        # A self-signed JWT names the API as its audience, or carries the scopes instead (AIP-4111).
        claims = self._decode(token, None)
        if "aud" in claims and claims["aud"] != service_audience:
            raise GoogleError(
                "UNAUTHENTICATED", f"Invalid JWT audience {claims['aud']!r}, expected {service_audience!r}"
            )
        if "aud" not in claims and "scope" not in claims:
            raise GoogleError("UNAUTHENTICATED", "Self-signed JWT carries neither an audience nor a scope.")
        return str(claims["iss"])
