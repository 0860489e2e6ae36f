"""Site operations after create, through azure-mgmt-web 11's own calls: update, config/web, keys, delete."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.web import WebSiteManagementClient
from azure.mgmt.web import models as web

from .fake import AzureFake
from .stack import base_resources, flex_site


def _created(fake: AzureFake, name: str = "faas-ops") -> tuple[WebSiteManagementClient, str]:
    stack = base_resources(fake)
    client = fake.client(WebSiteManagementClient)
    client.web_apps.begin_create_or_update(stack.group, name, flex_site(stack)).result()
    return client, stack.group


def test_patch_updates_what_it_names_and_keeps_the_rest(azure_fake: AzureFake) -> None:
    client, group = _created(azure_fake)
    before = client.web_apps.get(group, "faas-ops")
    patch = web.SitePatchResource(
        properties=web.SitePatchResourceProperties(https_only=False, site_config=web.SiteConfig(min_tls_version="1.3"))
    )
    updated = client.web_apps.update(group, "faas-ops", patch)
    assert updated.https_only is False and updated.function_app_config == before.function_app_config
    assert [c.method for c in azure_fake.calls if c.path.endswith("/sites/faas-ops")][-1] == "PATCH"
    config = client.web_apps.get_configuration(group, "faas-ops")
    assert config.min_tls_version == "1.3"
    assert client.web_apps.list_application_settings(group, "faas-ops").properties == {
        "AzureWebJobsStorage__accountName": "faasapp1data"
    }


def test_patch_body_is_checked_against_the_sdk_model(azure_fake: AzureFake) -> None:
    client, group = _created(azure_fake)
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.update(group, "faas-ops", {"properties": {"defaultHostName": "x"}})  # type: ignore[call-overload]
    assert caught.value.status_code == 400 and "read-only" in str(caught.value.error and caught.value.error.message)


def test_config_web_put_replaces_and_patch_merges(azure_fake: AzureFake) -> None:
    client, group = _created(azure_fake)
    client.web_apps.create_or_update_configuration(
        group,
        "faas-ops",
        web.SiteConfigResource(
            properties=web.SiteConfig(http20_enabled=True, cors=web.CorsSettings(allowed_origins=["*"]))
        ),
    )
    client.web_apps.update_configuration(
        group, "faas-ops", web.SiteConfigResource(properties=web.SiteConfig(health_check_path="/health"))
    )
    config = client.web_apps.get_configuration(group, "faas-ops")
    assert config.http20_enabled is True and config.health_check_path == "/health"
    assert config.cors is not None and config.cors.allowed_origins == ["*"]
    client.web_apps.create_or_update_configuration(
        group, "faas-ops", web.SiteConfigResource(properties=web.SiteConfig(health_check_path="/ready"))
    )
    replaced = client.web_apps.get_configuration(group, "faas-ops")
    assert replaced.health_check_path == "/ready" and replaced.cors is None


@pytest.mark.parametrize(
    ("config", "label"),
    [
        (web.SiteConfig(function_app_scale_limit=10), "FunctionAppScaleLimit"),
        (web.SiteConfig(linux_fx_version="PYTHON|3.12"), "LinuxFxVersion"),
    ],
)
def test_flex_refuses_site_config_that_moved_to_function_app_config(
    azure_fake: AzureFake, config: web.SiteConfig, label: str
) -> None:
    client, group = _created(azure_fake)
    with pytest.raises(HttpResponseError) as caught:
        client.web_apps.update_configuration(group, "faas-ops", web.SiteConfigResource(properties=config))
    assert caught.value.status_code == 400 and f"Site.SiteConfig.{label}" in str(
        caught.value.error and caught.value.error.message
    )
    with pytest.raises(HttpResponseError):
        client.web_apps.update(
            group, "faas-ops", web.SitePatchResource(properties=web.SitePatchResourceProperties(site_config=config))
        )


def test_host_keys_are_stable_per_site(azure_fake: AzureFake) -> None:
    client, group = _created(azure_fake)
    keys = client.web_apps.list_host_keys(group, "faas-ops")
    assert keys.master_key and keys.function_keys and set(keys.function_keys) == {"default"}
    again = client.web_apps.list_host_keys(group, "faas-ops")
    assert again.master_key == keys.master_key and again.function_keys == keys.function_keys


def test_sites_are_listed_by_group_and_deleted_before_their_plan(azure_fake: AzureFake) -> None:
    client, group = _created(azure_fake)
    assert [s.name for s in client.web_apps.list_by_resource_group(group)] == ["faas-ops"]
    with pytest.raises(HttpResponseError) as caught:
        client.app_service_plans.delete(group, "app-plan")
    assert caught.value.status_code == 409
    client.web_apps.restart(group, "faas-ops")
    client.web_apps.sync_function_triggers(group, "faas-ops")
    assert azure_fake.site_operations.restarts == ["faas-ops"]
    client.web_apps.delete(group, "faas-ops")
    assert list(client.web_apps.list_by_resource_group(group)) == []
    with pytest.raises(ResourceNotFoundError):
        client.web_apps.list_host_keys(group, "faas-ops")
    client.app_service_plans.delete(group, "app-plan")
    with pytest.raises(ResourceNotFoundError):
        client.app_service_plans.get(group, "app-plan")
    assert azure_fake.sites.hosts == {}
