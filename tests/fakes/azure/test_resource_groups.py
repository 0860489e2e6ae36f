"""Resource groups through azure-mgmt-resource against the fake ARM."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.core.rest import HttpRequest
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup

from .fake import AzureFake
from .stack import base_resources


def test_create_get_and_delete_as_a_long_running_operation(azure_fake: AzureFake) -> None:
    client = azure_fake.client(ResourceManagementClient)
    created = client.resource_groups.create_or_update(
        "rg-app", ResourceGroup(location="westeurope", tags={"faas:stage": "dev"})
    )
    assert created.properties is not None and created.properties.provisioning_state == "Succeeded"
    assert client.resource_groups.get("rg-app").tags == {"faas:stage": "dev"}

    azure_fake.arm.switches.lro_polls = 2
    poller = client.resource_groups.begin_delete("rg-app")
    poller.result()
    assert poller.status() == "Succeeded"
    polls = [c for c in azure_fake.calls if "/operationResults/" in c.path]
    assert [c.status for c in polls] == [202, 202, 200]
    assert client.resource_groups.check_existence("rg-app") is False


def test_missing_group_is_resource_group_not_found(azure_fake: AzureFake) -> None:
    client = azure_fake.client(ResourceManagementClient)
    with pytest.raises(ResourceNotFoundError) as caught:
        client.resource_groups.get("nope")
    assert caught.value.error is not None and caught.value.error.code == "ResourceGroupNotFound"


def test_moving_a_group_to_another_location_is_refused(azure_fake: AzureFake) -> None:
    client = azure_fake.client(ResourceManagementClient)
    client.resource_groups.create_or_update("rg-app", ResourceGroup(location="westeurope"))
    with pytest.raises(HttpResponseError) as caught:
        client.resource_groups.create_or_update("rg-app", ResourceGroup(location="eastus"))
    assert caught.value.status_code == 409 and caught.value.error is not None
    assert caught.value.error.code == "InvalidResourceGroupLocation"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"location": "westeurope", "colour": "blue"}, "Could not find member 'colour'"),
        (
            {"location": "westeurope", "properties": {"provisioningState": "Succeeded"}},
            "'properties.provisioningState' is read-only",
        ),
        ({"location": 7}, "'location' must be of type str"),
        ({"tags": {}}, "'location' is required"),
    ],
)
def test_bad_bodies_get_arms_error_envelope(azure_fake: AzureFake, body: dict[str, object], expected: str) -> None:
    client = azure_fake.client(ResourceManagementClient)
    url = f"/subscriptions/{azure_fake.subscription_id}/resourcegroups/rg-bad?api-version=2025-04-01"
    response = client._client.send_request(HttpRequest("PUT", azure_fake.arm_endpoint + url, json=body))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "InvalidRequestContent"
    assert expected in error["message"]
    assert isinstance(error["details"], list) and error["details"]
    assert client.resource_groups.check_existence("rg-bad") is False


def test_unknown_api_version_is_refused(azure_fake: AzureFake) -> None:
    client = azure_fake.client(ResourceManagementClient)
    url = (
        f"{azure_fake.arm_endpoint}/subscriptions/{azure_fake.subscription_id}/resourcegroups/"
        "rg1?api-version=1999-01-01"
    )
    response = client._client.send_request(HttpRequest("GET", url))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidApiVersionParameter"


def test_tokens_come_only_from_the_fake_tenant(azure_fake: AzureFake) -> None:
    c = azure_fake.credentials
    wrong = ClientSecretCredential(
        c.tenant_id,
        c.client_id,
        "not-the-secret",
        authority=c.authority,
        disable_instance_discovery=True,
        connection_verify=azure_fake.ca_bundle,
    )
    client = ResourceManagementClient(wrong, azure_fake.subscription_id, **azure_fake.client_kwargs())
    with pytest.raises(ClientAuthenticationError):
        client.resource_groups.check_existence("rg1")


def test_conflict_fault_fails_exactly_the_nth_mutating_call(azure_fake: AzureFake) -> None:
    client = azure_fake.client(ResourceManagementClient)
    azure_fake.fail_nth_call(2, status=409, code="AnotherOperationInProgress")
    client.resource_groups.create_or_update("rg-one", ResourceGroup(location="westeurope"))
    client.resource_groups.get("rg-one")  # reads are not counted
    with pytest.raises(HttpResponseError) as caught:
        client.resource_groups.create_or_update("rg-two", ResourceGroup(location="westeurope"))
    assert caught.value.status_code == 409 and caught.value.error is not None
    assert caught.value.error.code == "AnotherOperationInProgress"
    client.resource_groups.create_or_update("rg-two", ResourceGroup(location="westeurope"))
    assert client.resource_groups.check_existence("rg-two")


def test_throttling_fault_is_retried_by_the_sdk_after_retry_after(azure_fake: AzureFake) -> None:
    client = azure_fake.client(ResourceManagementClient)
    azure_fake.fail_nth_call(1, status=429, code="TooManyRequests", retry_after=0)
    client.resource_groups.create_or_update("rg-one", ResourceGroup(location="westeurope"))
    assert [c.status for c in azure_fake.mutating_calls("rg-one")] == [429, 201]


def test_an_unregistered_resource_provider_is_registered_by_the_sdks_own_policy(azure_fake: AzureFake) -> None:
    from azure.mgmt.web import WebSiteManagementClient
    from azure.mgmt.web.models import ResourceNameAvailabilityRequest

    azure_fake.arm.unregistered.add("Microsoft.Web")
    resources = azure_fake.client(ResourceManagementClient)
    assert resources.providers.get("Microsoft.Web").registration_state == "NotRegistered"
    web = azure_fake.client(WebSiteManagementClient)
    # azure-mgmt-core's ARMAutoResourceProviderRegistrationPolicy meets the 409, registers, polls (10 s), retries
    assert web.check_name_availability(ResourceNameAvailabilityRequest(name="faas-x1", type="Site")).name_available
    trail = [(c.method, c.path.rsplit("/", 1)[-1], c.status) for c in azure_fake.calls[-4:]]
    assert trail == [
        ("POST", "checknameavailability", 409),
        ("POST", "register", 200),
        ("GET", "Microsoft.Web", 200),
        ("POST", "checknameavailability", 200),
    ]
    assert resources.providers.get("Microsoft.Web").registration_state == "Registered"


def test_a_put_without_a_body_is_a_400_not_a_crash(azure_fake: AzureFake) -> None:
    client = azure_fake.client(ResourceManagementClient)
    url = f"{azure_fake.arm_endpoint}/subscriptions/{azure_fake.subscription_id}/resourcegroups/rg-empty"
    response = client._client.send_request(HttpRequest("PUT", url, params={"api-version": "2025-04-01"}))
    assert response.status_code == 400 and response.json()["error"]["code"] == "InvalidRequestContent"
    assert all(call.error is None for call in azure_fake.calls)


def test_a_groups_resources_are_listed_top_level_only(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    client = azure_fake.client(ResourceManagementClient)
    listed = {(r.type, r.name) for r in client.resources.list_by_resource_group(stack.group)}
    # the storage account's containers and its role assignment are not the group's own resources
    assert listed == {
        ("Microsoft.Storage/storageAccounts", "faasapp1data"),
        ("Microsoft.ManagedIdentity/userAssignedIdentities", "app-identity"),
        ("Microsoft.Web/serverfarms", "app-plan"),
    }
    with pytest.raises(ResourceNotFoundError):
        list(client.resources.list_by_resource_group("nope"))
