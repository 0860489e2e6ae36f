"""Microsoft.Storage: accounts (create is a Location LRO; names are global), keys, blob containers.

Each account's blob endpoint is its own account in Azurite, so data-plane clients (azure-storage-blob,
OAuth or shared key) reach real blob storage; containers made through ARM exist there too.
"""

from __future__ import annotations

import re
import time
from typing import Any

from azure.core.exceptions import AzureError
from azure.mgmt.storage import models
from azure.storage.blob import BlobServiceClient

from .arm import Arm, now_iso
from .azurite import Azurite
from .errors import ArmError, not_found
from .httpserver import Request, Response
from .validation import validate_body

API_VERSIONS = {"2026-09-01", "2025-08-01", "2025-06-01", "2025-01-01", "2024-01-01", "2023-05-01", "2023-01-01"}
NS = "Microsoft.Storage"
ACCOUNT = (
    r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Storage/"
    r"storageAccounts/(?P<name>[^/]+)"
)
CONTAINER = ACCOUNT + r"/blobServices/default/containers/(?P<container>[^/]+)"
_ACCOUNT_NAME = re.compile(r"^[a-z0-9]{3,24}$")
_CONTAINER_NAME = re.compile(r"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$")


class StorageProvider:
    def __init__(self, arm: Arm, azurite: Azurite, ca_bundle: str) -> None:
        self.arm = arm
        self.azurite = azurite
        self.ca_bundle = ca_bundle
        # names taken by other subscriptions (global uniqueness); a test may add to it
        self.taken_elsewhere: set[str] = set()

    def register(self) -> None:
        arm = self.arm
        arm.route("PUT", ACCOUNT, API_VERSIONS, self.put_account, namespace=NS)
        arm.route("GET", ACCOUNT, API_VERSIONS, self.get_account, namespace=NS)
        arm.route("PATCH", ACCOUNT, API_VERSIONS, self.patch_account, namespace=NS)
        arm.route("DELETE", ACCOUNT, API_VERSIONS, self.delete_account, namespace=NS)
        arm.route("POST", ACCOUNT + "/listKeys", API_VERSIONS, self.list_keys, namespace=NS)
        arm.route(
            "POST",
            r"/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.Storage/checkNameAvailability",
            API_VERSIONS,
            self.check_name,
            namespace=NS,
        )
        arm.route("PUT", CONTAINER, API_VERSIONS, self.put_container, namespace=NS)
        arm.route("GET", CONTAINER, API_VERSIONS, self.get_container, namespace=NS)
        arm.route("DELETE", CONTAINER, API_VERSIONS, self.delete_container, namespace=NS)

    # -- accounts ---------------------------------------------------------------------------------

    def account_id(self, group: str, name: str) -> str:
        return f"{self.arm.group_id(group)}/providers/Microsoft.Storage/storageAccounts/{name}"

    def _name_problem(self, name: str) -> tuple[str, str] | None:
        if not _ACCOUNT_NAME.match(name):
            return (
                "AccountNameInvalid",
                f"{name} is not a valid storage account name. Storage account name must be between 3 and 24 "
                "characters in length and use numbers and lower-case letters only.",
            )
        if name in self.taken_elsewhere or any(
            d["name"] == name for d in self.arm.of_type("Microsoft.Storage/storageAccounts")
        ):
            return "AlreadyExists", f"The storage account named {name} is already taken."
        return None

    def check_name(self, request: Request, match: re.Match[str]) -> Response:
        body = request.json()
        validate_body(models.StorageAccountCheckNameAvailabilityParameters, body, what="name availability")
        if body["type"] != "Microsoft.Storage/storageAccounts":
            raise ArmError(400, "InvalidResourceType", f"The resource type '{body['type']}' is not supported.")
        problem = self._name_problem(body["name"])
        if problem is None:
            return Response(200, {"nameAvailable": True})
        return Response(200, {"nameAvailable": False, "reason": problem[0], "message": problem[1]})

    def _document(self, group: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        props = body.get("properties") or {}
        sku = body["sku"]["name"]
        return {
            "id": self.account_id(group, name),
            "name": name,
            "type": "Microsoft.Storage/storageAccounts",
            "location": body["location"],
            "kind": body["kind"],
            "sku": {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"},
            "tags": body.get("tags") or {},
            "properties": {
                "provisioningState": "Creating",
                "creationTime": now_iso(),
                "primaryLocation": body["location"],
                "statusOfPrimary": "available",
                "primaryEndpoints": {"blob": self.azurite.blob_endpoint(name)},
                "supportsHttpsTrafficOnly": props.get("supportsHttpsTrafficOnly", True),
                "minimumTlsVersion": props.get("minimumTlsVersion", "TLS1_0"),
                "allowBlobPublicAccess": props.get("allowBlobPublicAccess", False),
                "allowSharedKeyAccess": props.get("allowSharedKeyAccess", True),
                "accessTier": props.get("accessTier", "Hot"),
                "encryption": {"keySource": "Microsoft.Storage", "services": {"blob": {"enabled": True}}},
            },
        }

    def put_account(self, request: Request, match: re.Match[str]) -> Response:
        group, name = match["rg"], match["name"]
        self.arm.require_group(group)
        body = request.json()
        validate_body(models.StorageAccountCreateParameters, body, what="storage account")
        existing = self.arm.get(self.account_id(group, name))
        if existing is not None:
            # a PUT on an existing account updates its settings in place
            existing["tags"] = body.get("tags") or {}
            for key, value in (body.get("properties") or {}).items():
                existing["properties"][key] = value
            return Response(200, existing)
        problem = self._name_problem(name)
        if problem is not None:
            code = "AccountNameInvalid" if problem[0] == "AccountNameInvalid" else "StorageAccountAlreadyTaken"
            raise ArmError(400 if problem[0] == "AccountNameInvalid" else 409, code, problem[1])
        document = self._document(group, name, body)
        self.arm.put(document["id"], document)

        def finish() -> None:
            self.azurite.add_account(name)
            self._wait_for_azurite(name)
            document["properties"]["provisioningState"] = "Succeeded"

        headers = self.arm.start_operation(
            namespace=NS,
            location=body["location"],
            finish=finish,
            result=lambda: Response(200, document),
            style="location",
        )
        return Response(202, None, headers)

    def _wait_for_azurite(self, name: str) -> None:
        service = self.blob_service(name)
        deadline = time.monotonic() + 10
        while True:
            try:
                service.get_service_properties()
                return
            except AzureError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def blob_service(self, name: str) -> BlobServiceClient:
        """The platform's own access to an account (shared key, which Azurite always honours)."""
        key = self.azurite.key(name)
        return BlobServiceClient(
            self.azurite.blob_endpoint(name),
            credential={"account_name": name, "account_key": key},
            connection_verify=self.ca_bundle,
        )

    def _account(self, match: re.Match[str]) -> dict[str, Any]:
        self.arm.require_group(match["rg"])
        document = self.arm.get(self.account_id(match["rg"], match["name"]))
        if document is None:
            raise not_found("Microsoft.Storage/storageAccounts", match["name"], match["rg"])
        return document

    def get_account(self, request: Request, match: re.Match[str]) -> Response:
        return Response(200, self._account(match))

    def patch_account(self, request: Request, match: re.Match[str]) -> Response:
        document = self._account(match)
        body = request.json()
        validate_body(models.StorageAccountUpdateParameters, body, what="storage account update")
        if "tags" in body:
            document["tags"] = body["tags"] or {}
        for key, value in (body.get("properties") or {}).items():
            document["properties"][key] = value
        return Response(200, document)

    def delete_account(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        account_id = self.account_id(match["rg"], match["name"])
        if self.arm.get(account_id) is None:
            return Response(204)
        # The account's data goes with it: a new account of the same name starts empty.
        service = self.blob_service(match["name"])
        for container in service.list_containers():
            service.delete_container(container.name)
        self.arm.delete(account_id)
        return Response(200)

    def list_keys(self, request: Request, match: re.Match[str]) -> Response:
        document = self._account(match)
        if document["properties"].get("allowSharedKeyAccess") is False:
            raise ArmError(
                409,
                "KeyBasedAuthenticationNotPermitted",
                "Key based authentication is not permitted on this storage account (allowSharedKeyAccess is false).",
            )
        key = self.azurite.key(match["name"])
        return Response(200, {"keys": [{"keyName": "key1", "value": key, "permissions": "FULL"}]})

    # -- containers -------------------------------------------------------------------------------

    def container_id(self, group: str, account: str, container: str) -> str:
        return f"{self.account_id(group, account)}/blobServices/default/containers/{container}"

    def put_container(self, request: Request, match: re.Match[str]) -> Response:
        account = self._account(match)
        if account["properties"]["provisioningState"] != "Succeeded":
            raise ArmError(
                409,
                "StorageAccountIsNotProvisioned",
                "The storage account provisioning state must be 'Succeeded' before executing the operation.",
            )
        name = match["container"]
        if not _CONTAINER_NAME.match(name):
            raise ArmError(
                400,
                "ContainerOperationFailure",
                f"The specified resource name '{name}' is not valid: 3-63 lowercase letters, digits and "
                "single hyphens.",
            )
        body = request.json() or {}
        validate_body(models.BlobContainer, body, what="blob container")
        public = (body.get("properties") or {}).get("publicAccess", "None")
        if public not in ("None", None) and not account["properties"].get("allowBlobPublicAccess"):
            raise ArmError(409, "PublicAccessNotPermitted", "Public access is not permitted on this storage account.")
        container_id = self.container_id(match["rg"], match["name"], name)
        existing = self.arm.get(container_id)
        client = self.blob_service(match["name"]).get_container_client(name)
        if existing is None:
            client.create_container(public_access={"Blob": "blob", "Container": "container"}.get(public or "None"))
        else:  # a PUT of an existing container sets its access level, private included
            client.set_container_access_policy({}, public_access={"Blob": "blob", "Container": "container"}.get(public))
        document = {
            "id": container_id,
            "name": name,
            "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
            "properties": {
                "publicAccess": public or "None",
                "metadata": (body.get("properties") or {}).get("metadata") or {},
                "lastModifiedTime": now_iso(),
                "leaseState": "Available",
            },
        }
        self.arm.put(container_id, document)
        return Response(200 if existing else 201, document)

    def get_container(self, request: Request, match: re.Match[str]) -> Response:
        self._account(match)
        document = self.arm.get(self.container_id(match["rg"], match["name"], match["container"]))
        if document is None:
            raise ArmError(404, "ContainerNotFound", "The specified container does not exist.")
        return Response(200, document)

    def delete_container(self, request: Request, match: re.Match[str]) -> Response:
        self._account(match)
        container_id = self.container_id(match["rg"], match["name"], match["container"])
        if self.arm.get(container_id) is None:
            return Response(204)
        self.blob_service(match["name"]).delete_container(match["container"])
        self.arm.delete(container_id)
        return Response(200)
