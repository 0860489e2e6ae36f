"""Fault switches on the Flex path: what the provider's retry and convergence logic will meet."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.web import WebSiteManagementClient

from .fake import AzureFake
from .stack import base_resources, flex_site


def test_throttled_site_put_is_retried_by_azure_core_and_converges(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    azure_fake.fail_nth_call(1, status=429, code="TooManyRequests", retry_after=0, path_contains="/sites/")
    client = azure_fake.client(WebSiteManagementClient)
    site = client.web_apps.begin_create_or_update(stack.group, "faas-faulty", flex_site(stack)).result()
    assert site.name == "faas-faulty"
    assert [c.status for c in azure_fake.mutating_calls("/sites/faas-faulty")] == [429, 202]


def test_conflict_on_the_nth_call_surfaces_with_its_code_and_nothing_is_created(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    fault = azure_fake.fail_nth_call(
        2, status=409, code="Conflict", message="Another operation is in progress.", path_contains="/sites/"
    )
    client = azure_fake.client(WebSiteManagementClient)
    client.web_apps.begin_create_or_update(stack.group, "faas-first", flex_site(stack)).result()
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.begin_create_or_update(stack.group, "faas-second", flex_site(stack)).result()
    assert fault.fired and caught.value.status_code == 409 and caught.value.error is not None
    assert caught.value.error.code == "Conflict" and caught.value.error.message == "Another operation is in progress."
    assert [s.name for s in client.web_apps.list_by_resource_group(stack.group)] == ["faas-first"]


def test_the_request_log_holds_every_arm_call_with_its_body(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    azure_fake.client(WebSiteManagementClient).web_apps.begin_create_or_update(
        stack.group, "faas-logged", flex_site(stack)
    ).result()
    puts = [c for c in azure_fake.calls if c.method == "PUT" and c.path.endswith("/sites/faas-logged")]
    assert len(puts) == 1 and puts[0].api_version == "2025-05-01"
    assert puts[0].body["properties"]["functionAppConfig"]["runtime"] == {"name": "python", "version": "3.12"}
