"""User-assigned identities (azure-mgmt-msi) and role assignments (azure-mgmt-authorization)."""

from __future__ import annotations

import uuid

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.v2022_04_01.models import RoleAssignmentCreateParameters
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.msi.models import Identity
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup
from azure.mgmt.storage import StorageManagementClient
from azure.mgmt.storage.models import Sku, StorageAccountCreateParameters

from .fake import AzureFake

BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"


def _setup(fake: AzureFake) -> tuple[str, str]:
    """A group, a storage account and an identity; returns (account id, principal id)."""
    fake.client(ResourceManagementClient).resource_groups.create_or_update(
        "rg-app", ResourceGroup(location="westeurope")
    )
    account = (
        fake.client(StorageManagementClient)
        .storage_accounts.begin_create(
            "rg-app",
            "faasidentity1",
            StorageAccountCreateParameters(sku=Sku(name="Standard_LRS"), kind="StorageV2", location="westeurope"),
        )
        .result()
    )
    identity = fake.client(ManagedServiceIdentityClient).user_assigned_identities.create_or_update(
        "rg-app", "app-id", Identity(location="westeurope")
    )
    assert (
        account.id and identity.principal_id and identity.client_id and identity.tenant_id == fake.credentials.tenant_id
    )
    return account.id, identity.principal_id


def _assign(
    fake: AzureFake, scope: str, principal: str, role: str = BLOB_DATA_CONTRIBUTOR, name: str | None = None
) -> object:
    client = fake.client(AuthorizationManagementClient)
    role_id = f"/subscriptions/{fake.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role}"
    params = RoleAssignmentCreateParameters(
        role_definition_id=role_id, principal_id=principal, principal_type="ServicePrincipal"
    )
    return client.role_assignments.create(scope, name or str(uuid.uuid4()), params)


def test_role_assignment_on_a_storage_account(azure_fake: AzureFake) -> None:
    scope, principal = _setup(azure_fake)
    _assign(azure_fake, scope, principal)
    listed = list(
        azure_fake.client(AuthorizationManagementClient).role_assignments.list_for_scope(
            scope, filter=f"principalId eq '{principal}'"
        )
    )
    assert [a.principal_id for a in listed] == [principal]
    container = f"{scope}/blobServices/default/containers/anything"
    assert azure_fake.identity.can_write_blobs(principal, container)


def test_propagation_delay_gives_principal_not_found_then_succeeds(azure_fake: AzureFake) -> None:
    azure_fake.arm.switches.principal_propagation_failures = 2
    scope, principal = _setup(azure_fake)
    name = str(uuid.uuid4())
    for _ in range(2):
        with pytest.raises(HttpResponseError) as caught:
            _assign(azure_fake, scope, principal, name=name)
        assert caught.value.status_code == 400 and caught.value.error is not None
        assert caught.value.error.code == "PrincipalNotFound"
    _assign(azure_fake, scope, principal, name=name)
    assert [c.status for c in azure_fake.mutating_calls("roleAssignments")] == [400, 400, 201]


def test_unknown_principal_and_role_are_refused(azure_fake: AzureFake) -> None:
    scope, principal = _setup(azure_fake)
    with pytest.raises(HttpResponseError) as caught:
        _assign(azure_fake, scope, str(uuid.uuid4()))
    assert caught.value.error is not None and caught.value.error.code == "PrincipalNotFound"
    with pytest.raises(HttpResponseError) as caught:
        _assign(azure_fake, scope, principal, role=str(uuid.uuid4()))
    assert caught.value.error is not None and caught.value.error.code == "RoleDefinitionDoesNotExist"


def test_the_same_assignment_under_another_name_is_a_conflict(azure_fake: AzureFake) -> None:
    scope, principal = _setup(azure_fake)
    _assign(azure_fake, scope, principal)
    with pytest.raises(HttpResponseError) as caught:
        _assign(azure_fake, scope, principal)
    assert caught.value.status_code == 409 and caught.value.error is not None
    assert caught.value.error.code == "RoleAssignmentExists"


def test_read_only_identity_fields_are_refused(azure_fake: AzureFake) -> None:
    azure_fake.client(ResourceManagementClient).resource_groups.create_or_update(
        "rg-app", ResourceGroup(location="westeurope")
    )
    client = azure_fake.client(ManagedServiceIdentityClient)
    # the msrest SDK drops read-only fields itself, so send the body as raw JSON, as another tool might
    path = (
        f"/subscriptions/{azure_fake.subscription_id}/resourceGroups/rg-app/providers/"
        "Microsoft.ManagedIdentity/userAssignedIdentities/app-id"
    )
    body = {"location": "westeurope", "properties": {"principalId": str(uuid.uuid4())}}
    request = HttpRequest("PUT", f"{azure_fake.arm_endpoint}{path}?api-version=2024-11-30", json=body)
    response = client._client.send_request(request)
    assert response.status_code == 400
    assert "properties.principalId' is read-only" in response.json()["error"]["message"]
