"""`[providers.azure] vnet`: the Flex site's subnet (regional VNet integration), checked at plan time."""

from __future__ import annotations

from azure.mgmt.network import NetworkManagementClient

from faas import ConfigError
from faas.providers.azure.context import Deployment, get_or_none

FLEX_DELEGATION = "Microsoft.App/environments"


def subnet_id(deployment: Deployment) -> str:
    """The subnet the site joins, or "" without `vnet`."""
    return deployment.options.vnet.subnet if deployment.options.vnet is not None else ""


def check_subnet(deployment: Deployment) -> None:
    """Refuse, at plan time, a subnet that is missing or not delegated to Microsoft.App/environments."""
    vnet = deployment.options.vnet
    if vnet is None:
        return
    parts = vnet.subnet.split("/")
    group, network, subnet = parts[4], parts[8], parts[10]
    if parts[2].lower() != deployment.subscription.lower():
        raise ConfigError(
            f"[providers.azure] vnet.subnet is in subscription {parts[2]}: VNet integration needs the virtual network "
            f"in the app's subscription ({deployment.subscription})"
        )
    subnets = deployment.client(NetworkManagementClient).subnets
    found = get_or_none(subnets.get, group, network, subnet)
    if found is None:
        raise ConfigError(f"[providers.azure] vnet.subnet: no subnet {subnet} in virtual network {network} ({group})")
    services = [d.service_name for d in found.delegations or ()]
    if FLEX_DELEGATION not in services:
        raise ConfigError(
            f"[providers.azure] vnet.subnet {subnet} is not delegated to {FLEX_DELEGATION}, which Flex Consumption "
            f"needs: `az network vnet subnet update -g {group} --vnet-name {network} -n {subnet} "
            f"--delegations {FLEX_DELEGATION}`"
        )
