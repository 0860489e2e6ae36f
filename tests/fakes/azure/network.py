"""Microsoft.Network: virtual networks and their subnets, as far as a Flex site's VNet integration needs.

`virtualNetworks` PUT (body checked against azure-mgmt-network's VirtualNetwork; its subnets with it),
GET, DELETE; `.../subnets/{name}` GET. `subnet_problem(id)` is the platform's check when a Flex site
names `virtualNetworkSubnetId`: the subnet must exist and be delegated to Microsoft.App/environments.
"""

from __future__ import annotations

import re
from typing import Any

from azure.mgmt.network import models as network_models

from .arm import Arm
from .errors import ArmError, not_found
from .httpserver import Request, Response
from .validation import validate_body

NETWORK_VERSIONS = {"2026-03-01", "2025-05-01", "2024-07-01", "2024-05-01"}
VNET = (
    r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.Network/"
    r"virtualNetworks/(?P<name>[^/]+)"
)
FLEX_DELEGATION = "Microsoft.App/environments"


class NetworkProvider:
    def __init__(self, arm: Arm) -> None:
        self.arm = arm

    def register(self) -> None:
        ns = "Microsoft.Network"
        self.arm.route("PUT", VNET, NETWORK_VERSIONS, self.put_vnet, namespace=ns)
        self.arm.route("GET", VNET, NETWORK_VERSIONS, self.get_vnet, namespace=ns)
        self.arm.route("DELETE", VNET, NETWORK_VERSIONS, self.delete_vnet, namespace=ns)
        self.arm.route("GET", VNET + r"/subnets/(?P<subnet>[^/]+)", NETWORK_VERSIONS, self.get_subnet, namespace=ns)

    def vnet_id(self, group: str, name: str) -> str:
        return f"{self.arm.group_id(group)}/providers/Microsoft.Network/virtualNetworks/{name}"

    def put_vnet(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        body = request.json()
        validate_body(network_models.VirtualNetwork, body, what="virtual network")
        vnet_id = self.vnet_id(match["rg"], match["name"])
        existing = self.arm.get(vnet_id)
        props = dict(body.get("properties") or {})
        subnets = []
        for subnet in props.get("subnets") or []:
            subnet_id = f"{vnet_id}/subnets/{subnet['name']}"
            sub_props = dict(subnet.get("properties") or {})
            sub_props["delegations"] = [
                {
                    "id": f"{subnet_id}/delegations/{d['name']}",
                    "name": d["name"],
                    "type": "Microsoft.Network/virtualNetworks/subnets/delegations",
                    "properties": {**d.get("properties", {}), "provisioningState": "Succeeded"},
                }
                for d in sub_props.get("delegations") or []
            ]
            sub_props["provisioningState"] = "Succeeded"
            subnets.append(
                {
                    "id": subnet_id,
                    "name": subnet["name"],
                    "type": "Microsoft.Network/virtualNetworks/subnets",
                    "properties": sub_props,
                }
            )
        document: dict[str, Any] = {
            "id": vnet_id,
            "name": match["name"],
            "type": "Microsoft.Network/virtualNetworks",
            "location": body["location"],
            "tags": body.get("tags") or {},
            "properties": {**props, "subnets": subnets, "provisioningState": "Succeeded"},
        }
        self.arm.put(vnet_id, document)
        return Response(200 if existing else 201, document)

    def get_vnet(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        document = self.arm.get(self.vnet_id(match["rg"], match["name"]))
        if document is None:
            raise not_found("Microsoft.Network/virtualNetworks", match["name"], match["rg"])
        return Response(200, document)

    def delete_vnet(self, request: Request, match: re.Match[str]) -> Response:
        vnet_id = self.vnet_id(match["rg"], match["name"])
        if self.arm.get(vnet_id) is None:
            return Response(204)
        self.arm.delete(vnet_id)
        return Response(200)

    def subnet(self, subnet_id: str) -> dict[str, Any] | None:
        vnet_id, _, name = subnet_id.rpartition("/subnets/")
        vnet = self.arm.get(vnet_id)
        if vnet is None:
            return None
        return next((s for s in vnet["properties"]["subnets"] if s["name"].lower() == name.lower()), None)

    def get_subnet(self, request: Request, match: re.Match[str]) -> Response:
        self.arm.require_group(match["rg"])
        found = self.subnet(f"{self.vnet_id(match['rg'], match['name'])}/subnets/{match['subnet']}")
        if found is None:
            raise ArmError(404, "NotFound", f"Resource {request.path} not found.")
        return Response(200, found)

    def subnet_problem(self, subnet_id: str) -> str | None:
        """Why a Flex site cannot join this subnet, or None."""
        found = self.subnet(subnet_id)
        if found is None:
            return f"Subnet {subnet_id} does not exist."
        services = [d["properties"].get("serviceName") for d in found["properties"].get("delegations") or []]
        if FLEX_DELEGATION not in services:
            return (
                f"Subnet {found['name']} must be delegated to {FLEX_DELEGATION} for a Flex Consumption app "
                f"(its delegations: {', '.join(s for s in services if s) or 'none'})."
            )
        return None
