"""FC1 plans and Flex Consumption sites through azure-mgmt-web against the fake ARM."""

from __future__ import annotations

from typing import Any, cast

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.web import WebSiteManagementClient
from azure.mgmt.web import models as web

from .fake import AzureFake
from .stack import LOCATION, base_resources, flex_site


def test_flex_site_is_created_as_a_long_running_operation(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    client = azure_fake.client(WebSiteManagementClient)
    site = client.web_apps.begin_create_or_update(stack.group, "faas-app-1", flex_site(stack)).result()
    assert site.kind == "functionapp,linux" and (site.default_host_name or "").startswith("127.0.0.1:")
    assert site.function_app_config is not None and site.function_app_config.runtime is not None
    assert site.function_app_config.runtime.version == "3.12"
    repository = [s.name for s in site.host_name_ssl_states or [] if s.host_type == "Repository"]
    assert len(repository) == 1 and repository[0].startswith("127.0.0.1:")
    polls = [c for c in azure_fake.calls if "operationStatuses" in c.path]
    assert polls, "sites are created through Azure-AsyncOperation polling"
    plan = client.app_service_plans.get(stack.group, "app-plan")
    assert plan.sku is not None and plan.sku.name == "FC1" and plan.number_of_sites == 1


def test_site_names_are_global(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    client = azure_fake.client(WebSiteManagementClient)
    request = web.ResourceNameAvailabilityRequest(name="faas-app-2", type="Site")
    assert client.check_name_availability(request).name_available is True
    client.web_apps.begin_create_or_update(stack.group, "faas-app-2", flex_site(stack)).result()
    taken = client.check_name_availability(request)
    assert taken.name_available is False and taken.reason == "AlreadyExists"
    azure_fake.web.taken_elsewhere.add("someone-elses-app")
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.begin_create_or_update(stack.group, "someone-elses-app", flex_site(stack)).result()
    assert caught.value.status_code == 409
    bad = client.check_name_availability(web.ResourceNameAvailabilityRequest(name="-bad-", type="Site"))
    assert bad.name_available is False and bad.reason == "Invalid"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"memory": 1024}, "instanceMemoryMB 1024 is not supported"),
        ({"max_instances": 1001}, "maximumInstanceCount 1001"),
        ({"max_instances": 0}, "maximumInstanceCount 0"),
        ({"kind": "functionapp"}, "kind 'functionapp,linux'"),
    ],
)
def test_flex_rules_are_enforced(azure_fake: AzureFake, change: dict[str, object], message: str) -> None:
    stack = base_resources(azure_fake)
    client = azure_fake.client(WebSiteManagementClient)
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.begin_create_or_update(stack.group, "faas-app-3", flex_site(stack, **change)).result()  # type: ignore[arg-type]
    assert caught.value.status_code == 400 and caught.value.error is not None
    assert message in str(caught.value.error.message)
    with pytest.raises(ResourceNotFoundError):
        client.web_apps.get(stack.group, "faas-app-3")


@pytest.mark.parametrize(
    "setting",
    ["FUNCTIONS_WORKER_RUNTIME", "WEBSITE_RUN_FROM_PACKAGE", "SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITE_CONTENTSHARE"],
)
def test_settings_flex_forbids_are_refused_at_create_and_update(azure_fake: AzureFake, setting: str) -> None:
    stack = base_resources(azure_fake)
    client = azure_fake.client(WebSiteManagementClient)
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.begin_create_or_update(
            stack.group, "faas-app-4", flex_site(stack, settings={setting: "1"})
        ).result()
    assert (
        caught.value.status_code == 400
        and caught.value.error is not None
        and setting in str(caught.value.error.message)
    )
    client.web_apps.begin_create_or_update(stack.group, "faas-app-4", flex_site(stack)).result()
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.update_application_settings(
            stack.group, "faas-app-4", web.StringDictionary(properties={"A": "1", setting: "1"})
        )
    assert caught.value.status_code == 400
    assert client.web_apps.list_application_settings(stack.group, "faas-app-4").properties == {
        "AzureWebJobsStorage__accountName": stack.account
    }


def test_updating_app_settings_replaces_the_whole_set(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    client = azure_fake.client(WebSiteManagementClient)
    client.web_apps.begin_create_or_update(
        stack.group,
        "faas-app-5",
        flex_site(stack, settings={"KEEP": "1", "AzureWebJobsStorage__accountName": stack.account}),
    ).result()
    client.web_apps.update_application_settings(
        stack.group, "faas-app-5", web.StringDictionary(properties={"NEW": "2"})
    )
    assert client.web_apps.list_application_settings(stack.group, "faas-app-5").properties == {"NEW": "2"}
    # the site GET does not carry the settings, as on Azure
    site = client.web_apps.get(stack.group, "faas-app-5")
    assert site.site_config is None or not site.site_config.app_settings


def test_function_app_config_needs_a_flex_plan(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    client = azure_fake.client(WebSiteManagementClient)
    premium = client.app_service_plans.begin_create_or_update(
        stack.group,
        "premium",
        web.AppServicePlan(
            location=LOCATION,
            kind="elastic",
            properties=web.AppServicePlanProperties(reserved=True),
            sku=web.SkuDescription(name="EP1", tier="ElasticPremium"),
        ),
    ).result()
    assert premium.id
    stack.plan_id = premium.id
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.begin_create_or_update(stack.group, "faas-app-6", flex_site(stack)).result()
    assert caught.value.error is not None and "only supported on Flex Consumption" in str(caught.value.error.message)


def test_fc1_plans_must_be_linux(azure_fake: AzureFake) -> None:
    base_resources(azure_fake)
    client = azure_fake.client(WebSiteManagementClient)
    with pytest.raises(HttpResponseError) as caught:
        client.app_service_plans.begin_create_or_update(
            "rg-app",
            "windows",
            web.AppServicePlan(location=LOCATION, sku=web.SkuDescription(name="FC1", tier="FlexConsumption")),
        ).result()
    assert caught.value.status_code == 400


def test_read_only_site_properties_are_a_400(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    client = azure_fake.client(WebSiteManagementClient)
    body = flex_site(stack).as_dict()
    body["properties"]["state"] = "Stopped"
    body["properties"]["functionAppConfig"]["runtime"]["flavour"] = "x"
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.begin_create_or_update(stack.group, "faas-app-7", cast(Any, body)).result()
    assert caught.value.status_code == 400 and caught.value.error is not None
    messages = [str(detail.message) for detail in caught.value.error.details]
    assert any("'properties.state' is read-only" in m for m in messages)
    assert any("flavour" in m for m in messages)


def test_host_name_binding_needs_the_dns_records(azure_fake: AzureFake) -> None:
    stack = base_resources(azure_fake)
    client = azure_fake.client(WebSiteManagementClient)
    site = client.web_apps.begin_create_or_update(stack.group, "faas-app-8", flex_site(stack)).result()
    binding = web.HostNameBinding(
        properties=web.HostNameBindingProperties(
            site_name="faas-app-8", host_name_type="Verified", custom_host_name_dns_record_type="CName"
        )
    )
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.create_or_update_host_name_binding(stack.group, "faas-app-8", "www.example.org", binding)
    assert caught.value.error is not None and "asuid.www.example.org" in str(caught.value.error.message)
    assert site.custom_domain_verification_id and site.default_host_name
    azure_fake.web.dns["asuid.www.example.org"] = site.custom_domain_verification_id
    azure_fake.web.dns["www.example.org"] = site.default_host_name
    client.web_apps.create_or_update_host_name_binding(stack.group, "faas-app-8", "www.example.org", binding)
    names = [b.name for b in client.web_apps.list_host_name_bindings(stack.group, "faas-app-8")]
    assert "faas-app-8/www.example.org" in names
    assert "www.example.org" in (client.web_apps.get(stack.group, "faas-app-8").host_names or [])
