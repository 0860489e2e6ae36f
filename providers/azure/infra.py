"""The resources the site stands on: resource group, storage account and containers, identity and its role.

Each plan function reads (never writes) and returns the actions still needed; each step converges
when it finds part of its work already done by an interrupted earlier run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.v2022_04_01.models import RoleAssignmentCreateParameters
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.msi.models import Identity
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup
from azure.mgmt.storage import StorageManagementClient, models

from faas import Action, ApplyState, Change
from faas.providers.azure import static
from faas.providers.azure.context import (
    BLOB_DATA_OWNER,
    DEPLOYMENT_CONTAINER,
    RELEASES_CONTAINER,
    Deployment,
    get_or_none,
    role_assignment_name,
    role_definition_id,
)

# Entra ID replicates a new principal to ARM's authorization store within seconds to minutes.
PROPAGATION_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 30.0)


# -- resource group ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        groups = deployment.client(ResourceManagementClient).resource_groups
        # Tagged as ours: undeploy deletes a group only when faas created it.
        groups.create_or_update(
            deployment.group, ResourceGroup(location=deployment.options.location, tags=deployment.tags())
        )


def plan_group(deployment: Deployment) -> list[Action]:
    groups = deployment.client(ResourceManagementClient).resource_groups
    if groups.check_existence(deployment.group):
        return []
    return [Action(Change.CREATE, "resource group", deployment.group, payload=GroupStep())]


# -- storage ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        storage = deployment.client(StorageManagementClient)
        storage.storage_accounts.begin_create(
            deployment.group,
            deployment.account,
            models.StorageAccountCreateParameters(
                location=deployment.options.location,
                kind="StorageV2",
                sku=models.Sku(name="Standard_LRS"),
                tags=deployment.tags(),
                properties=models.StorageAccountPropertiesCreateParameters(
                    # identities only: no account key can leak from an app setting
                    allow_shared_key_access=False,
                    minimum_tls_version="TLS1_2",
                    # only while a storage role's container is public (static.py)
                    allow_blob_public_access=static.wants_public_access(deployment),
                    enable_https_traffic_only=True,
                ),
            ),
        ).result()


@dataclass(frozen=True)
class ContainerStep:
    container: str

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        storage = deployment.client(StorageManagementClient)
        storage.blob_containers.create(deployment.group, deployment.account, self.container, models.BlobContainer())


def plan_storage(deployment: Deployment, group_exists: bool) -> list[Action]:
    storage = deployment.client(StorageManagementClient)
    get_account = storage.storage_accounts.get_properties
    account = get_or_none(get_account, deployment.group, deployment.account) if group_exists else None
    actions: list[Action] = []
    if account is None:
        actions.append(
            Action(
                Change.CREATE,
                "storage account",
                deployment.account,
                (("kind", "", "StorageV2"), ("shared key", "", "off")),
                payload=AccountStep(),
            )
        )
    for container in (DEPLOYMENT_CONTAINER, RELEASES_CONTAINER):
        found = (
            get_or_none(storage.blob_containers.get, deployment.group, deployment.account, container)
            if account is not None
            else None
        )
        if found is None:
            actions.append(
                Action(
                    Change.CREATE,
                    "blob container",
                    f"{deployment.account}/{container}",
                    payload=ContainerStep(container),
                )
            )
    return actions


def account_id(deployment: Deployment) -> str:
    return deployment.resource_id("Microsoft.Storage", "storageAccounts", deployment.account)


def container_url(deployment: Deployment) -> str:
    storage = deployment.client(StorageManagementClient)
    account = storage.storage_accounts.get_properties(deployment.group, deployment.account)
    return f"{account.primary_endpoints.blob.rstrip('/')}/{DEPLOYMENT_CONTAINER}"


# -- identity and its data role ---------------------------------------------------------------------


def identity_id(deployment: Deployment) -> str:
    return deployment.resource_id("Microsoft.ManagedIdentity", "userAssignedIdentities", deployment.names.identity)


def read_identity(deployment: Deployment) -> Any:
    msi = deployment.client(ManagedServiceIdentityClient)
    return get_or_none(msi.user_assigned_identities.get, deployment.group, deployment.names.identity)


@dataclass(frozen=True)
class IdentityStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        msi = deployment.client(ManagedServiceIdentityClient)
        msi.user_assigned_identities.create_or_update(
            deployment.group,
            deployment.names.identity,
            Identity(location=deployment.options.location, tags=deployment.tags()),
        )


@dataclass(frozen=True)
class RoleStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        identity = read_identity(deployment)
        if identity is None:
            raise RuntimeError("the identity step ran before the role step (a provider bug)")
        scope = account_id(deployment)
        name = role_assignment_name(scope, identity.principal_id, BLOB_DATA_OWNER)
        role = role_definition_id(deployment.subscription, BLOB_DATA_OWNER)
        assign_role(deployment, scope, name, role, identity.principal_id)


def assign_role(deployment: Deployment, scope: str, name: str, role: str, principal: str) -> None:
    """Role assignment `name` (role definition id `role`) for `principal` at `scope`, retried while it propagates."""
    assignments = deployment.client(AuthorizationManagementClient).role_assignments
    # from the client's own API version (2022-04-01): mypy resolves the unversioned models to 2015's
    body = RoleAssignmentCreateParameters(
        role_definition_id=role, principal_id=principal, principal_type="ServicePrincipal"
    )
    for delay in (*PROPAGATION_DELAYS, None):
        try:
            assignments.create(scope, name, body)
            return
        except HttpResponseError as error:
            # A new identity is not yet known to the authorization store: documented, retried.
            code = getattr(getattr(error, "error", None), "code", None)
            if code != "PrincipalNotFound" or delay is None:
                raise
            deployment.say(f"waiting {delay:g}s for identity {deployment.names.identity} to propagate")
            time.sleep(delay)


def plan_identity(deployment: Deployment, group_exists: bool) -> list[Action]:
    identity = read_identity(deployment) if group_exists else None
    actions: list[Action] = []
    if identity is None:
        actions.append(Action(Change.CREATE, "managed identity", deployment.names.identity, payload=IdentityStep()))
        assigned = False
    else:
        scope = account_id(deployment)
        assignments = deployment.client(AuthorizationManagementClient).role_assignments
        name = role_assignment_name(scope, identity.principal_id, BLOB_DATA_OWNER)
        try:
            assigned = get_or_none(assignments.get, scope, name) is not None
        except HttpResponseError as error:
            if error.status_code not in (400, 404):  # the account itself may not exist yet
                raise
            assigned = False
    if not assigned:
        actions.append(
            Action(
                Change.CREATE,
                "role assignment",
                f"Storage Blob Data Owner for {deployment.names.identity}",
                payload=RoleStep(),
            )
        )
    return actions
