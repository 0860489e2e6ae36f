"""Microsoft.Resources: resource groups (create is synchronous; delete is a Location LRO)."""

from __future__ import annotations

import re
from typing import Any

from azure.mgmt.resource.resources import models

from .arm import Arm
from .errors import ArmError
from .httpserver import Request, Response
from .validation import validate_body

API_VERSIONS = {"2025-04-01", "2024-11-01", "2024-07-01", "2024-03-01", "2022-09-01", "2021-04-01"}
GROUP = r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)"
_VALID_NAME = re.compile(r"^[-\w._()]{1,90}$")


def register(arm: Arm) -> None:
    def put(request: Request, match: re.Match[str]) -> Response:
        name = match["rg"]
        if not _VALID_NAME.match(name) or name.endswith("."):
            raise ArmError(400, "InvalidResourceGroupName", f"The resource group name '{name}' is invalid.")
        body = request.json()
        validate_body(models.ResourceGroup, body, what="resource group")
        existing = arm.get(arm.group_id(name))
        if existing and existing["location"].lower() != body["location"].lower():
            raise ArmError(
                409,
                "InvalidResourceGroupLocation",
                f"Invalid resource group location '{body['location']}'. The Resource group already exists "
                f"in location '{existing['location']}'.",
            )
        if existing and existing["properties"]["provisioningState"] == "Deleting":
            raise ArmError(
                409,
                "ResourceGroupBeingDeleted",
                f"The resource group '{name}' is in deprovisioning state and cannot perform this operation.",
            )
        document: dict[str, Any] = {
            "id": arm.group_id(existing["name"] if existing else name),
            "name": existing["name"] if existing else name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": body["location"],
            "tags": body.get("tags") or {},
            "properties": {"provisioningState": "Succeeded"},
        }
        if body.get("managedBy"):
            document["managedBy"] = body["managedBy"]
        arm.put(document["id"], document)
        return Response(200 if existing else 201, document)

    def get(request: Request, match: re.Match[str]) -> Response:
        return Response(200, arm.require_group(match["rg"]))

    def head(request: Request, match: re.Match[str]) -> Response:
        return Response(204 if arm.get(arm.group_id(match["rg"])) else 404)

    def delete(request: Request, match: re.Match[str]) -> Response:
        document = arm.require_group(match["rg"])
        document["properties"]["provisioningState"] = "Deleting"
        group_id = document["id"]
        headers = arm.start_operation(
            namespace="Microsoft.Resources",
            location=document["location"],
            finish=lambda: arm.delete(group_id),
            style="location",
        )
        return Response(202, None, headers)

    def list_groups(request: Request, match: re.Match[str]) -> Response:
        return Response(200, {"value": arm.of_type("Microsoft.Resources/resourceGroups")})

    def list_resources(request: Request, match: re.Match[str]) -> Response:
        # top-level resources only, as ARM lists them: no children (containers), no extensions (role assignments)
        prefix = arm.require_group(match["rg"])["id"].lower() + "/providers/"
        found = [
            {key: document[key] for key in ("id", "name", "type", "location", "kind", "sku", "tags") if key in document}
            for key_id, document in arm.resources.items()
            if key_id.startswith(prefix) and len(key_id[len(prefix) :].split("/")) == 3
        ]
        return Response(200, {"value": found})

    def provider_document(namespace: str, state: str) -> dict[str, Any]:
        path = f"/subscriptions/{arm.subscription_id}/providers/{namespace}"
        return {"id": path, "namespace": namespace, "registrationState": state}

    def get_provider(request: Request, match: re.Match[str]) -> Response:
        namespace = match["ns"]
        pending = {n.lower(): n for n in registering}
        if namespace.lower() in pending:
            # registration takes a while on ARM: the next read after `register` sees it done
            arm.unregistered.discard(pending.pop(namespace.lower()))
            registering.clear()
            registering.update(pending.values())
            return Response(200, provider_document(namespace, "Registered"))
        unregistered = {n.lower() for n in arm.unregistered}
        return Response(
            200, provider_document(namespace, "NotRegistered" if namespace.lower() in unregistered else "Registered")
        )

    def register_provider(request: Request, match: re.Match[str]) -> Response:
        namespace = match["ns"]
        if any(n.lower() == namespace.lower() for n in arm.unregistered):
            registering.add(namespace)
            return Response(200, provider_document(namespace, "Registering"))
        return Response(200, provider_document(namespace, "Registered"))

    registering: set[str] = set()
    provider_versions = API_VERSIONS | {"2016-02-01"}
    provider = r"/subscriptions/(?P<sub>[^/]+)/providers/(?P<ns>[^/]+)"
    arm.route("GET", provider, provider_versions, get_provider, namespace="Microsoft.Resources")
    arm.route("POST", provider + "/register", provider_versions, register_provider, namespace="Microsoft.Resources")
    arm.route("PUT", GROUP, API_VERSIONS, put, namespace="Microsoft.Resources")
    arm.route("GET", GROUP, API_VERSIONS, get, namespace="Microsoft.Resources")
    arm.route("HEAD", GROUP, API_VERSIONS, head, namespace="Microsoft.Resources")
    arm.route("DELETE", GROUP, API_VERSIONS, delete, namespace="Microsoft.Resources")
    arm.route("GET", GROUP + "/resources", API_VERSIONS, list_resources, namespace="Microsoft.Resources")
    arm.route(
        "GET",
        r"/subscriptions/(?P<sub>[^/]+)/resourcegroups",
        API_VERSIONS,
        list_groups,
        namespace="Microsoft.Resources",
    )
