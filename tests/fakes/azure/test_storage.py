"""Storage accounts through azure-mgmt-storage; their blobs live in Azurite."""

from __future__ import annotations

from typing import Any, cast

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup
from azure.mgmt.storage import StorageManagementClient
from azure.mgmt.storage.models import (
    BlobContainer,
    ContainerProperties,
    Sku,
    StorageAccountCheckNameAvailabilityParameters,
    StorageAccountCreateParameters,
    StorageAccountPropertiesCreateParameters,
)
from azure.storage.blob import BlobServiceClient

from .fake import AzureFake

LOCATION = "westeurope"


def _group(fake: AzureFake, name: str = "rg-app") -> None:
    fake.client(ResourceManagementClient).resource_groups.create_or_update(name, ResourceGroup(location=LOCATION))


def _params(*, shared_key: bool = False) -> StorageAccountCreateParameters:
    return StorageAccountCreateParameters(
        sku=Sku(name="Standard_LRS"),
        kind="StorageV2",
        location=LOCATION,
        properties=StorageAccountPropertiesCreateParameters(
            allow_blob_public_access=False, minimum_tls_version="TLS1_2", allow_shared_key_access=shared_key
        ),
    )


def _available(client: StorageManagementClient, name: str) -> tuple[bool | None, str | None]:
    result = client.storage_accounts.check_name_availability(StorageAccountCheckNameAvailabilityParameters(name=name))
    return result.name_available, result.reason


def test_create_is_a_long_running_operation_and_the_name_becomes_taken(azure_fake: AzureFake) -> None:
    _group(azure_fake)
    client = azure_fake.client(StorageManagementClient)
    assert _available(client, "faasappdata1") == (True, None)
    azure_fake.arm.switches.lro_polls = 2
    account = client.storage_accounts.begin_create("rg-app", "faasappdata1", _params()).result()
    assert account.provisioning_state == "Succeeded"
    assert account.allow_shared_key_access is False and account.minimum_tls_version == "TLS1_2"
    statuses = [c.status for c in azure_fake.calls if "operationResults" in c.path]
    assert statuses == [202, 202, 200]
    assert _available(client, "faasappdata1") == (False, "AlreadyExists")


@pytest.mark.parametrize("name", ["ab", "UpperCase1", "has-dash", "a" * 25])
def test_invalid_names_are_reported_and_refused(azure_fake: AzureFake, name: str) -> None:
    _group(azure_fake)
    client = azure_fake.client(StorageManagementClient)
    assert _available(client, name) == (False, "AccountNameInvalid")
    with pytest.raises(HttpResponseError) as caught:
        client.storage_accounts.begin_create("rg-app", name, _params()).result()
    assert caught.value.error is not None and caught.value.error.code == "AccountNameInvalid"


def test_a_name_taken_in_another_subscription_is_a_conflict(azure_fake: AzureFake) -> None:
    _group(azure_fake)
    assert azure_fake.storage is not None
    azure_fake.storage.taken_elsewhere.add("someoneelses")
    client = azure_fake.client(StorageManagementClient)
    assert _available(client, "someoneelses") == (False, "AlreadyExists")
    with pytest.raises(HttpResponseError) as caught:
        client.storage_accounts.begin_create("rg-app", "someoneelses", _params()).result()
    assert caught.value.status_code == 409 and caught.value.error is not None
    assert caught.value.error.code == "StorageAccountAlreadyTaken"


def test_account_in_a_missing_group_is_resource_group_not_found(azure_fake: AzureFake) -> None:
    client = azure_fake.client(StorageManagementClient)
    with pytest.raises(HttpResponseError) as caught:
        client.storage_accounts.begin_create("rg-none", "faasappdata2", _params()).result()
    assert caught.value.status_code == 404 and caught.value.error is not None
    assert caught.value.error.code == "ResourceGroupNotFound"


def test_keys_are_refused_when_shared_key_access_is_off(azure_fake: AzureFake) -> None:
    _group(azure_fake)
    client = azure_fake.client(StorageManagementClient)
    client.storage_accounts.begin_create("rg-app", "nokeys1", _params(shared_key=False)).result()
    client.storage_accounts.begin_create("rg-app", "withkeys1", _params(shared_key=True)).result()
    with pytest.raises(HttpResponseError) as caught:
        client.storage_accounts.list_keys("rg-app", "nokeys1")
    assert caught.value.error is not None and caught.value.error.code == "KeyBasedAuthenticationNotPermitted"
    listed = client.storage_accounts.list_keys("rg-app", "withkeys1")
    # TypeSpec models are mappings too, so `.keys` is the Mapping method: read the field by its rest name
    assert listed["keys"][0]["value"]


def test_a_container_made_through_arm_is_real_blob_storage_reached_with_oauth(azure_fake: AzureFake) -> None:
    _group(azure_fake)
    client = azure_fake.client(StorageManagementClient)
    account = client.storage_accounts.begin_create("rg-app", "faasappdata3", _params()).result()
    client.blob_containers.create("rg-app", "faasappdata3", "app-package", BlobContainer())
    assert account.primary_endpoints is not None and account.primary_endpoints.blob
    blobs = BlobServiceClient(
        account.primary_endpoints.blob, credential=azure_fake.credential(), connection_verify=azure_fake.ca_bundle
    )
    blobs.get_container_client("app-package").upload_blob("hello.txt", b"hi")
    assert blobs.get_container_client("app-package").download_blob("hello.txt").readall() == b"hi"
    assert [c.name for c in blobs.list_containers()] == ["app-package"]


def test_a_deleted_account_takes_its_data_with_it(azure_fake: AzureFake) -> None:
    _group(azure_fake)
    client = azure_fake.client(StorageManagementClient)
    client.storage_accounts.begin_create("rg-app", "faasappdata5", _params()).result()
    client.blob_containers.create("rg-app", "faasappdata5", "app-package", BlobContainer())
    client.storage_accounts.delete("rg-app", "faasappdata5")
    account = client.storage_accounts.begin_create("rg-app", "faasappdata5", _params()).result()
    assert account.primary_endpoints is not None and account.primary_endpoints.blob
    blobs = BlobServiceClient(
        account.primary_endpoints.blob, credential=azure_fake.credential(), connection_verify=azure_fake.ca_bundle
    )
    assert list(blobs.list_containers()) == []
    client.blob_containers.create("rg-app", "faasappdata5", "app-package", BlobContainer())  # created anew


def test_public_containers_need_public_access_allowed_on_the_account(azure_fake: AzureFake) -> None:
    _group(azure_fake)
    client = azure_fake.client(StorageManagementClient)
    client.storage_accounts.begin_create("rg-app", "faasappdata4", _params()).result()
    with pytest.raises(HttpResponseError) as caught:
        client.blob_containers.create(
            "rg-app",
            "faasappdata4",
            "static",
            BlobContainer(container_properties=ContainerProperties(public_access="Blob")),
        )
    assert caught.value.error is not None and caught.value.error.code == "PublicAccessNotPermitted"


def test_unknown_property_in_the_create_body_is_a_400(azure_fake: AzureFake) -> None:
    _group(azure_fake)
    client = azure_fake.client(StorageManagementClient)
    body = {
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
        "location": LOCATION,
        "properties": {"allowSharedKeyAcess": False},
    }
    with pytest.raises(HttpResponseError) as caught:
        client.storage_accounts.begin_create("rg-app", "faasappdata5", cast(Any, body)).result()
    assert caught.value.status_code == 400 and caught.value.error is not None
    assert "allowSharedKeyAcess" in str(caught.value.error.message)
