"""Microsoft.KeyVault: vaults in ARM, and each vault's secrets data plane on its own HTTPS port.

ARM side: `vaults` PUT (body checked against azure-mgmt-keyvault's VaultCreateOrUpdateParameters),
GET, DELETE, list by subscription; a vault's `vaultUri` is its data plane on loopback. Data side,
as azure-keyvault-secrets expects it: a request without a token gets Key Vault's bearer challenge
(401, `WWW-Authenticate: Bearer authorization=..., resource="https://vault.azure.net"`), then only
tokens issued for that audience pass; the api-version is checked; each operation needs a data role
on the vault (RBAC vaults only): reading a value takes Key Vault Secrets User (or Officer or
Administrator), listing versions Key Vault Reader, Officer or Administrator, writing Officer or
Administrator; else 403 ForbiddenByRbac.

`resolve(settings, principal)` is what App Service does for Key Vault references when it starts a
site: `@Microsoft.KeyVault(VaultName=v;SecretName=s)` becomes the secret's value when the principal
may read it, else the literal text stays and the reason is kept in `unresolved`.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from azure.mgmt.keyvault import models as keyvault_models

from .arm import Arm
from .errors import ArmError, not_found
from .httpserver import App, HttpsServer, Request, Response
from .validation import validate_body

KEYVAULT_VERSIONS = {"2026-05-15", "2025-05-01", "2024-11-01", "2023-07-01"}
DATA_VERSIONS = {"2026-04-01", "2025-07-01", "7.6", "7.5", "7.4"}
AUDIENCE = "https://vault.azure.net"
VAULT = (
    r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.KeyVault/vaults/(?P<name>[^/]+)"
)
VAULTS = r"/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.KeyVault/vaults"
_VAULT_NAME = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]$")
_SECRET_NAME = re.compile(r"^[0-9A-Za-z-]{1,127}$")
REFERENCE = re.compile(r"^@Microsoft\.KeyVault\(VaultName=(?P<vault>[^;]+);SecretName=(?P<secret>[^;)]+)\)$")

SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
READER = "21090545-7ca7-4776-b22c-e363652d74d2"  # Key Vault Reader: metadata, never a value
READERS = {SECRETS_USER, SECRETS_OFFICER, ADMINISTRATOR}
WRITERS = {SECRETS_OFFICER, ADMINISTRATOR}
METADATA_READERS = {READER, SECRETS_OFFICER, ADMINISTRATOR}
ROLES = {
    SECRETS_USER: "Key Vault Secrets User",
    SECRETS_OFFICER: "Key Vault Secrets Officer",
    ADMINISTRATOR: "Key Vault Administrator",
}


class DataError(Exception):
    def __init__(self, status: int, code: str, message: str, inner: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.inner = status, code, message, inner

    def response(self) -> Response:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.inner:
            error["innererror"] = {"code": self.inner}
        return Response(self.status, {"error": error})


@dataclass
class Version:
    id: str
    value: str
    created: int


@dataclass
class DataPlane(App):
    """One vault's secrets endpoint (its `vaultUri`)."""

    vaults: KeyVaultProvider
    vault_id: str
    secrets: dict[str, list[Version]] = field(default_factory=dict)  # lowercased name -> versions, newest last
    url: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) as received

    def handle(self, request: Request) -> Response:
        self.requests.append((request.method, request.path))
        try:
            return self._handle(request)
        except DataError as error:
            return error.response()

    def _handle(self, request: Request) -> Response:
        tokens = self.vaults.arm.tokens
        if tokens.audience_of(request.headers.get("authorization")) != AUDIENCE:
            challenge = f'Bearer authorization="{tokens.url}/{self.vaults.arm.tenant_id}", resource="{AUDIENCE}"'
            response = DataError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.").response()
            response.headers["WWW-Authenticate"] = challenge
            return response
        version = request.query.get("api-version")
        if version not in DATA_VERSIONS:
            raise DataError(400, "BadParameter", f"The specified version ({version}) is not recognized.")
        match = re.fullmatch(r"/secrets/(?P<name>[^/]+)(?:/(?P<rest>[^/]*))?/?", request.path)
        if match is None:
            raise DataError(404, "NotFound", f"No operation at {request.path}")
        name, rest = match["name"], match["rest"] or ""
        if not _SECRET_NAME.match(name):
            raise DataError(400, "BadParameter", "The secret name must be 1-127 letters, digits and dashes.")
        caller = tokens.object_id  # every token this fake issues is the deploying principal's
        if request.method == "PUT" and not rest:
            self._require(caller, WRITERS, "Microsoft.KeyVault/vaults/secrets/setSecret/action")
            body = request.json() or {}
            if not isinstance(body.get("value"), str):
                raise DataError(400, "BadParameter", "Property value is required.")
            version_id = uuid.uuid4().hex
            with self.vaults.lock:
                self.secrets.setdefault(name.lower(), []).append(Version(version_id, body["value"], int(time.time())))
            return Response(200, self._bundle(name, self.secrets[name.lower()][-1], with_value=True))
        if request.method == "GET" and rest == "versions":
            self._require(caller, METADATA_READERS, "Microsoft.KeyVault/vaults/secrets/readMetadata/action")
            versions = self._versions(name)
            return Response(
                200, {"value": [self._bundle(name, v, with_value=False) for v in versions], "nextLink": None}
            )
        if request.method == "GET":
            self._require(caller, READERS, "Microsoft.KeyVault/vaults/secrets/getSecret/action")
            versions = self._versions(name)
            chosen = versions[-1] if not rest else next((v for v in versions if v.id == rest), None)
            if chosen is None:
                raise DataError(
                    404, "SecretNotFound", f"A secret with (name/id) ({name}/{rest}) was not found in this key vault."
                )
            return Response(200, self._bundle(name, chosen, with_value=True))
        raise DataError(405, "MethodNotAllowed", f"{request.method} is not supported at {request.path}")

    def _versions(self, name: str) -> list[Version]:
        versions = self.secrets.get(name.lower())
        if not versions:
            raise DataError(404, "SecretNotFound", f"A secret with (name/id) {name} was not found in this key vault.")
        return versions

    def _require(self, principal: str, roles: set[str], action: str) -> None:
        if not self.vaults.holds(principal, self.vault_id, roles):
            raise DataError(
                403,
                "Forbidden",
                f"Caller is not authorized to perform action on resource. Action: '{action}'. "
                f"Caller: oid={principal}. Vault: {self.vault_id}",
                inner="ForbiddenByRbac",
            )

    def _bundle(self, name: str, version: Version, *, with_value: bool) -> dict[str, Any]:
        bundle: dict[str, Any] = {
            "id": f"{self.url}/secrets/{name}/{version.id}",
            "attributes": {
                "enabled": True,
                "created": version.created,
                "updated": version.created,
                "recoveryLevel": "Recoverable+Purgeable",
                "recoverableDays": 90,
            },
        }
        if with_value:
            bundle["value"] = version.value
        return bundle


class KeyVaultProvider:
    def __init__(self, arm: Arm, serve: Callable[[App], HttpsServer]) -> None:
        self.arm = arm
        self._serve = serve
        self.planes: dict[str, DataPlane] = {}  # lowercased vault id -> data plane
        self._servers: dict[str, HttpsServer] = {}
        self.lock = threading.RLock()
        # site id (lowercased) -> {setting: why its Key Vault reference did not resolve}
        self.unresolved: dict[str, dict[str, str]] = {}
        # site id (lowercased) -> {setting: (reference, status)} as of the site's last start
        self.references: dict[str, dict[str, tuple[str, str]]] = {}

    def register(self) -> None:
        ns = "Microsoft.KeyVault"
        self.arm.route("PUT", VAULT, KEYVAULT_VERSIONS, self.put_vault, namespace=ns)
        self.arm.route("GET", VAULT, KEYVAULT_VERSIONS, self.get_vault, namespace=ns)
        self.arm.route("DELETE", VAULT, KEYVAULT_VERSIONS, self.delete_vault, namespace=ns)
        self.arm.route("GET", VAULTS, KEYVAULT_VERSIONS, self.list_vaults, namespace=ns)
        self.arm.deletion_listeners.append(self._forget)
        from .web import API_VERSIONS, SITE

        # what the portal's Environment variables page shows: each reference and whether it resolved
        self.arm.route(
            "GET",
            SITE + "/config/configreferences/appsettings",
            API_VERSIONS,
            self.list_references,
            namespace="Microsoft.Web",
        )

    # -- ARM --------------------------------------------------------------------------------------

    def vault_id(self, group: str, name: str) -> str:
        return f"{self.arm.group_id(group)}/providers/Microsoft.KeyVault/vaults/{name}"

    def put_vault(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        body = request.json()
        validate_body(keyvault_models.VaultCreateOrUpdateParameters, body, what="vault")
        name = match["name"]
        if not _VAULT_NAME.match(name):
            raise ArmError(
                400,
                "VaultNameNotValid",
                f"The vault name '{name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. "
                "The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens.",
            )
        vault_id = self.vault_id(match["rg"], name)
        for other in self.arm.of_type("Microsoft.KeyVault/vaults"):
            if other["name"].lower() == name.lower() and other["id"].lower() != vault_id.lower():
                raise ArmError(409, "VaultAlreadyExists", f"The vault name '{name}' is already in use.")
        props = body["properties"]
        with self.lock:
            plane = self.planes.get(vault_id.lower())
            if plane is None:
                plane = DataPlane(self, vault_id)
                server = self._serve(plane)
                plane.url = server.url
                self.planes[vault_id.lower()] = plane
                self._servers[vault_id.lower()] = server
        existing = self.arm.get(vault_id)
        document: dict[str, Any] = {
            "id": vault_id,
            "name": name,
            "type": "Microsoft.KeyVault/vaults",
            "location": body["location"],
            "tags": body.get("tags") or {},
            "properties": {
                **props,
                "vaultUri": plane.url + "/",
                "provisioningState": "Succeeded",
                "enableRbacAuthorization": bool(props.get("enableRbacAuthorization", False)),
                "enableSoftDelete": True,
                "softDeleteRetentionInDays": 90,
            },
        }
        self.arm.put(vault_id, document)
        return Response(200 if existing else 201, document)

    def get_vault(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        document = self.arm.get(self.vault_id(match["rg"], match["name"]))
        if document is None:
            raise not_found("Microsoft.KeyVault/vaults", match["name"], match["rg"])
        return Response(200, document)

    def delete_vault(self, request: Request, match: re.Match[str]) -> Response:
        vault_id = self.vault_id(match["rg"], match["name"])
        if self.arm.get(vault_id) is None:
            return Response(204)
        self.arm.delete(vault_id)
        return Response(200)

    def list_vaults(self, request: Request, match: re.Match[str]) -> Response:
        return Response(200, {"value": self.arm.of_type("Microsoft.KeyVault/vaults")})

    def _forget(self, document: dict[str, Any]) -> None:
        if document.get("type") != "Microsoft.KeyVault/vaults":
            return
        with self.lock:
            self.planes.pop(document["id"].lower(), None)
            server = self._servers.pop(document["id"].lower(), None)
        if server is not None:
            server.stop()

    def stop_all(self) -> None:
        for server in list(self._servers.values()):
            server.stop()

    # -- RBAC and references ----------------------------------------------------------------------

    def holds(self, principal: str, vault_id: str, roles: set[str]) -> bool:
        """Whether `principal` has one of `roles` at the vault or a scope above it."""
        target = vault_id.lower()
        for assignment in self.arm.of_type("Microsoft.Authorization/roleAssignments"):
            p = assignment["properties"]
            scope = p["scope"].lower()
            role = p["roleDefinitionId"].rsplit("/", 1)[-1].lower()
            if p["principalId"] == principal and role in roles and (target == scope or target.startswith(scope + "/")):
                return True
        return False

    def by_name(self, name: str) -> dict[str, Any] | None:
        return next(
            (d for d in self.arm.of_type("Microsoft.KeyVault/vaults") if d["name"].lower() == name.lower()), None
        )

    def resolve(self, site_id: str, settings: dict[str, str], principal: str | None) -> dict[str, str]:
        """The settings as the site's process sees them: references replaced where `principal` may read."""
        resolved: dict[str, str] = {}
        failures: dict[str, str] = {}
        for key, value in settings.items():
            match = REFERENCE.match(value)
            if match is None:
                resolved[key] = value
                continue
            resolved[key] = value  # Azure keeps the literal text when a reference does not resolve
            vault = self.by_name(match["vault"])
            if vault is None:
                failures[key] = "VaultNotFound"
            elif principal is None:
                failures[key] = "MSINotEnabled: no keyVaultReferenceIdentity with a principal"
            elif not vault["properties"]["enableRbacAuthorization"] or not self.holds(principal, vault["id"], READERS):
                failures[key] = "AccessToKeyVaultDenied"
            else:
                versions = self.planes[vault["id"].lower()].secrets.get(match["secret"].lower())
                if not versions:
                    failures[key] = "SecretNotFound"
                else:
                    resolved[key] = versions[-1].value
        self.unresolved[site_id.lower()] = failures
        self.references[site_id.lower()] = {
            key: (value, failures.get(key, "Resolved").split(":")[0])
            for key, value in settings.items()
            if REFERENCE.match(value)
        }
        return resolved

    def list_references(self, request: Request, match: re.Match[str]) -> Response:
        site_id = f"{self.arm.group_id(match['rg'])}/providers/Microsoft.Web/sites/{match['name']}"
        if self.arm.get(site_id) is None:
            raise not_found("Microsoft.Web/sites", match["name"], match["rg"])
        found = []
        for key, (value, status) in sorted(self.references.get(site_id.lower(), {}).items()):
            parsed = REFERENCE.match(value)
            assert parsed is not None
            found.append(
                {
                    "id": f"{site_id}/config/configreferences/appsettings/{key}",
                    "name": key,
                    "type": "Microsoft.Web/sites/config/configreferences",
                    "properties": {
                        "reference": value,
                        "status": status,
                        "vaultName": parsed["vault"],
                        "secretName": parsed["secret"],
                        "identityType": "UserAssigned",
                        "source": "KeyVault",
                        "details": ""
                        if status == "Resolved"
                        else f"Key Vault reference was not able to be resolved: {status}",
                    },
                }
            )
        return Response(200, {"value": found, "nextLink": None})
