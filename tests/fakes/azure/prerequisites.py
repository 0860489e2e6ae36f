"""What a user owns before faas runs, made in the fake's ARM the way they would make it: a Key Vault
with RBAC authorization, a virtual network whose subnet is delegated to Flex Consumption."""

from __future__ import annotations

import uuid

from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.v2022_04_01.models import RoleAssignmentCreateParameters
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.keyvault import models as kv
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as net
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.resources.models import ResourceGroup

from .fake import AzureFake
from .keyvault import SECRETS_OFFICER

VAULT = "faas-shared-kv"


def make_vault(fake: AzureFake, *, officer: bool = True) -> str:
    """The user's own vault (RBAC), in a group of its own; the deployer may write secrets when `officer`."""
    fake.client(ResourceManagementClient).resource_groups.create_or_update("shared", ResourceGroup(location="eastus"))
    parameters = kv.VaultCreateOrUpdateParameters(
        location="eastus",
        properties=kv.VaultProperties(
            tenant_id=fake.tokens.tenant_id,
            sku=kv.Sku(family="A", name="standard"),
            enable_rbac_authorization=True,
        ),
    )
    vault = fake.client(KeyVaultManagementClient).vaults.begin_create_or_update("shared", VAULT, parameters).result()
    if officer:
        role = (
            f"/subscriptions/{fake.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{SECRETS_OFFICER}"
        )
        fake.client(AuthorizationManagementClient).role_assignments.create(
            vault.id,
            str(uuid.uuid4()),
            RoleAssignmentCreateParameters(role_definition_id=role, principal_id=fake.tokens.object_id),
        )
    return str(vault.id)


def make_subnet(fake: AzureFake, *, delegated: bool = True) -> str:
    fake.client(ResourceManagementClient).resource_groups.create_or_update("network", ResourceGroup(location="eastus"))
    delegations = (
        [
            net.Delegation(
                name="flex", properties=net.ServiceDelegationPropertiesFormat(service_name="Microsoft.App/environments")
            )
        ]
        if delegated
        else []
    )
    body = net.VirtualNetwork(
        location="eastus",
        properties=net.VirtualNetworkPropertiesFormat(
            address_space=net.AddressSpace(address_prefixes=["10.20.0.0/16"]),
            subnets=[
                net.Subnet(
                    name="apps",
                    properties=net.SubnetPropertiesFormat(address_prefix="10.20.1.0/24", delegations=delegations),
                )
            ],
        ),
    )
    client = fake.client(NetworkManagementClient)
    client.virtual_networks.begin_create_or_update("network", "app-vnet", body).result()
    return str(client.subnets.get("network", "app-vnet", "apps").id)
