"""Microsoft.ManagedIdentity (user-assigned identities) and Microsoft.Authorization (role assignments).

Role assignments check what ARM checks: a GUID name, an existing scope, a built-in role, a principal
that exists in the directory, no duplicate. `Switches.principal_propagation_failures` reproduces the
replication delay after an identity is created: its first assignments fail with PrincipalNotFound.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from azure.mgmt.authorization.v2022_04_01 import models as authorization_models
from azure.mgmt.msi.v2024_11_30 import models as msi_models

from .arm import Arm, now_iso
from .errors import ArmError, not_found
from .httpserver import Request, Response
from .validation import validate_body

MSI_VERSIONS = {"2024-11-30", "2023-07-31-preview", "2023-01-31", "2018-11-30"}
AUTHORIZATION_VERSIONS = {"2022-04-01", "2020-10-01-preview", "2020-04-01-preview"}
IDENTITY = (
    r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/"
    r"Microsoft\.ManagedIdentity/userAssignedIdentities/(?P<name>[^/]+)"
)
ASSIGNMENTS = r"(?P<scope>/subscriptions/(?P<sub>[^/]+)(?:/.+?)?)/providers/Microsoft\.Authorization/roleAssignments"

BUILT_IN_ROLES = {
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
    "de139f84-1756-47ae-9be6-808fbbe84772": "Website Contributor",
    "f1a07417-d97a-45cb-824c-7a7467783830": "Managed Identity Operator",
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
    "21090545-7ca7-4776-b22c-e363652d74d2": "Key Vault Reader",
}
BLOB_WRITERS = {"ba92f5b4-2d11-453d-a403-e96b0029c9fe", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"}
_ROLE_DEFINITION = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.Authorization/roleDefinitions/(?P<guid>[0-9a-f-]{36})$",
    re.IGNORECASE,
)


@dataclass
class Principal:
    object_id: str
    propagation_failures_left: int


class IdentityProvider:
    def __init__(self, arm: Arm) -> None:
        self.arm = arm
        self.principals: dict[str, Principal] = {}
        # the deploying service principal itself exists from the start
        self.principals[arm.tokens.object_id] = Principal(arm.tokens.object_id, 0)

    def register(self) -> None:
        arm = self.arm
        arm.route("PUT", IDENTITY, MSI_VERSIONS, self.put_identity, namespace="Microsoft.ManagedIdentity")
        arm.route("GET", IDENTITY, MSI_VERSIONS, self.get_identity, namespace="Microsoft.ManagedIdentity")
        arm.route("DELETE", IDENTITY, MSI_VERSIONS, self.delete_identity, namespace="Microsoft.ManagedIdentity")
        ns = "Microsoft.Authorization"
        arm.route("PUT", ASSIGNMENTS + r"/(?P<name>[^/]+)", AUTHORIZATION_VERSIONS, self.put_assignment, namespace=ns)
        arm.route("GET", ASSIGNMENTS + r"/(?P<name>[^/]+)", AUTHORIZATION_VERSIONS, self.get_assignment, namespace=ns)
        arm.route(
            "DELETE", ASSIGNMENTS + r"/(?P<name>[^/]+)", AUTHORIZATION_VERSIONS, self.delete_assignment, namespace=ns
        )
        arm.route("GET", ASSIGNMENTS, AUTHORIZATION_VERSIONS, self.list_assignments, namespace=ns)

    # -- identities -------------------------------------------------------------------------------

    def identity_id(self, group: str, name: str) -> str:
        return f"{self.arm.group_id(group)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"

    def put_identity(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        body = request.json()
        validate_body(msi_models.Identity, body, what="user-assigned identity")
        identity_id = self.identity_id(match["rg"], match["name"])
        existing = self.arm.get(identity_id)
        if existing is not None:
            existing["tags"] = body.get("tags") or {}
            return Response(200, existing)
        principal = Principal(str(uuid.uuid4()), self.arm.switches.principal_propagation_failures)
        self.principals[principal.object_id] = principal
        document: dict[str, Any] = {
            "id": identity_id,
            "name": match["name"],
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "location": body["location"],
            "tags": body.get("tags") or {},
            "properties": {
                "tenantId": self.arm.tenant_id,
                "principalId": principal.object_id,
                "clientId": str(uuid.uuid4()),
                "isolationScope": "None",
            },
        }
        self.arm.put(identity_id, document)
        return Response(201, document)

    def get_identity(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        document = self.arm.get(self.identity_id(match["rg"], match["name"]))
        if document is None:
            raise not_found("Microsoft.ManagedIdentity/userAssignedIdentities", match["name"], match["rg"])
        return Response(200, document)

    def delete_identity(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        identity_id = self.identity_id(match["rg"], match["name"])
        document = self.arm.get(identity_id)
        if document is None:
            return Response(204)
        self.principals.pop(document["properties"]["principalId"], None)
        self.arm.delete(identity_id)
        return Response(200)

    # -- role assignments -------------------------------------------------------------------------

    def _scope_exists(self, scope: str) -> bool:
        return scope.lower() == f"/subscriptions/{self.arm.subscription_id}".lower() or self.arm.get(scope) is not None

    def put_assignment(self, request: Request, match: re.Match[str]) -> Response:
        scope, name = match["scope"], match["name"]
        try:
            uuid.UUID(name)
        except ValueError:
            raise ArmError(
                400,
                "InvalidRoleAssignmentId",
                f"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.",
            ) from None
        body = request.json()
        validate_body(authorization_models.RoleAssignmentCreateParameters, body, what="role assignment")
        if not self._scope_exists(scope):
            raise ArmError(
                404,
                "ResourceNotFound" if "/providers/" in scope else "ResourceGroupNotFound",
                f"The scope '{scope}' does not exist.",
            )
        props = body["properties"]
        role = _ROLE_DEFINITION.match(props["roleDefinitionId"])
        if role is None or role["guid"].lower() not in BUILT_IN_ROLES:
            raise ArmError(
                400,
                "RoleDefinitionDoesNotExist",
                f"The specified role definition with ID '{props['roleDefinitionId']}' does not exist.",
            )
        principal = self.principals.get(props["principalId"])
        if principal is None or principal.propagation_failures_left > 0:
            if principal is not None:
                principal.propagation_failures_left -= 1
            raise ArmError(
                400,
                "PrincipalNotFound",
                f"Principal {props['principalId']} does not exist in the directory {self.arm.tenant_id}. "
                "Check that you have the correct principal ID. "
                "If you are creating this principal and then immediately assigning a role, this error "
                "might be related to a replication delay. "
                "In this case, set the role assignment principalType property to a value, such as "
                "ServicePrincipal, User, or Group.",
            )
        assignment_id = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
        existing = self.arm.get(assignment_id)
        for other in self.arm.of_type("Microsoft.Authorization/roleAssignments"):
            p = other["properties"]
            same = (
                p["scope"].lower() == scope.lower()
                and p["roleDefinitionId"].lower() == props["roleDefinitionId"].lower()
                and p["principalId"] == props["principalId"]
            )
            if same and other["name"] != name:
                raise ArmError(
                    409,
                    "RoleAssignmentExists",
                    "The role assignment already exists.",
                    [{"code": "RoleAssignmentExists", "message": other["id"]}],
                )
        if existing is not None:
            p = existing["properties"]
            if (
                p["roleDefinitionId"].lower() != props["roleDefinitionId"].lower()
                or p["principalId"] != props["principalId"]
            ):
                raise ArmError(
                    409,
                    "RoleAssignmentUpdateNotPermitted",
                    "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
                )
            return Response(200, existing)
        document = {
            "id": assignment_id,
            "name": name,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "scope": scope,
                "roleDefinitionId": props["roleDefinitionId"],
                "principalId": props["principalId"],
                "principalType": props.get("principalType", "User"),
                "createdOn": now_iso(),
                "updatedOn": now_iso(),
                "createdBy": self.arm.tokens.object_id,
                "updatedBy": self.arm.tokens.object_id,
            },
        }
        self.arm.put(assignment_id, document)
        return Response(201, document)

    def get_assignment(self, request: Request, match: re.Match[str]) -> Response:
        document = self.arm.get(f"{match['scope']}/providers/Microsoft.Authorization/roleAssignments/{match['name']}")
        if document is None:
            raise ArmError(404, "RoleAssignmentNotFound", f"The role assignment '{match['name']}' is not found.")
        return Response(200, document)

    def delete_assignment(self, request: Request, match: re.Match[str]) -> Response:
        assignment_id = f"{match['scope']}/providers/Microsoft.Authorization/roleAssignments/{match['name']}"
        document = self.arm.get(assignment_id)
        if document is None:
            return Response(204)
        self.arm.delete(assignment_id)
        return Response(200, document)

    def list_assignments(self, request: Request, match: re.Match[str]) -> Response:
        scope = match["scope"].lower()
        found = [
            d
            for d in self.arm.of_type("Microsoft.Authorization/roleAssignments")
            if d["properties"]["scope"].lower().startswith(scope)
        ]
        wanted = re.search(r"principalId\s+eq\s+'([^']+)'", request.query.get("$filter", ""))
        if wanted:
            found = [d for d in found if d["properties"]["principalId"] == wanted.group(1)]
        return Response(200, {"value": found})

    def can_write_blobs(self, principal_id: str, container_id: str) -> bool:
        """Whether a principal holds a blob-writing data role at or above a container (the platform's check)."""
        target = container_id.lower()
        for assignment in self.arm.of_type("Microsoft.Authorization/roleAssignments"):
            p = assignment["properties"]
            role = _ROLE_DEFINITION.match(p["roleDefinitionId"])
            scope = p["scope"].lower()
            if (
                p["principalId"] == principal_id
                and role
                and role["guid"].lower() in BLOB_WRITERS
                and (target == scope or target.startswith(scope + "/"))
            ):
                return True
        return False
