"""The Flex Consumption resources in the order the provider creates them, through the official SDKs.

Tests of the fake share it; it is also a worked example of driving the fake (issue 13's deploy order).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.v2022_04_01.models import RoleAssignmentCreateParameters
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.msi.models import Identity
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup
from azure.mgmt.storage import StorageManagementClient
from azure.mgmt.storage.models import (
    BlobContainer,
    Sku,
    StorageAccountCreateParameters,
    StorageAccountPropertiesCreateParameters,
)
from azure.mgmt.web import WebSiteManagementClient
from azure.mgmt.web import models as web

from .fake import AzureFake

LOCATION = "westeurope"
BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"


@dataclass
class Stack:
    group: str
    account: str
    container_url: str
    identity_id: str
    principal_id: str
    plan_id: str


def base_resources(
    fake: AzureFake, *, group: str = "rg-app", account: str = "faasapp1data", grant_role: bool = True
) -> Stack:
    fake.client(ResourceManagementClient).resource_groups.create_or_update(group, ResourceGroup(location=LOCATION))
    storage = fake.client(StorageManagementClient)
    created = storage.storage_accounts.begin_create(
        group,
        account,
        StorageAccountCreateParameters(
            sku=Sku(name="Standard_LRS"),
            kind="StorageV2",
            location=LOCATION,
            properties=StorageAccountPropertiesCreateParameters(
                allow_shared_key_access=False, minimum_tls_version="TLS1_2"
            ),
        ),
    ).result()
    storage.blob_containers.create(group, account, "app-package", BlobContainer())
    assert created.primary_endpoints is not None and created.primary_endpoints.blob and created.id
    identity = fake.client(ManagedServiceIdentityClient).user_assigned_identities.create_or_update(
        group, "app-identity", Identity(location=LOCATION)
    )
    assert identity.id and identity.principal_id
    if grant_role:
        fake.client(AuthorizationManagementClient).role_assignments.create(
            created.id,
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(
                role_definition_id=f"/subscriptions/{fake.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{BLOB_DATA_OWNER}",
                principal_id=identity.principal_id,
                principal_type="ServicePrincipal",
            ),
        )
    plan = (
        fake.client(WebSiteManagementClient)
        .app_service_plans.begin_create_or_update(
            group,
            "app-plan",
            web.AppServicePlan(
                location=LOCATION,
                kind="functionapp",
                properties=web.AppServicePlanProperties(reserved=True),
                sku=web.SkuDescription(name="FC1", tier="FlexConsumption"),
            ),
        )
        .result()
    )
    assert plan.id
    return Stack(
        group, account, created.primary_endpoints.blob + "app-package", identity.id, identity.principal_id, plan.id
    )


def flex_site(
    stack: Stack,
    *,
    memory: int = 2048,
    max_instances: int = 100,
    settings: dict[str, str] | None = None,
    kind: str = "functionapp,linux",
) -> web.Site:
    return web.Site(
        location=LOCATION,
        kind=kind,
        identity=web.ManagedServiceIdentity(
            type="UserAssigned", user_assigned_identities={stack.identity_id: web.UserAssignedIdentity()}
        ),
        properties=_site_properties(stack, memory, max_instances, settings),
    )


def _site_properties(
    stack: Stack, memory: int, max_instances: int, settings: dict[str, str] | None
) -> web.SiteProperties:
    return web.SiteProperties(
        server_farm_id=stack.plan_id,
        https_only=True,
        function_app_config=web.FunctionAppConfig(
            deployment=web.FunctionsDeployment(
                storage=web.FunctionsDeploymentStorage(
                    type="blobContainer",
                    value=stack.container_url,
                    authentication=web.FunctionsDeploymentStorageAuthentication(
                        type="UserAssignedIdentity", user_assigned_identity_resource_id=stack.identity_id
                    ),
                )
            ),
            runtime=web.FunctionsRuntime(name="python", version="3.12"),
            scale_and_concurrency=web.FunctionsScaleAndConcurrency(
                instance_memory_mb=memory, maximum_instance_count=max_instances
            ),
        ),
        site_config=web.SiteConfig(
            app_settings=[
                web.NameValuePair(name=k, value=v)
                for k, v in (settings or {"AzureWebJobsStorage__accountName": stack.account}).items()
            ]
        ),
    )
