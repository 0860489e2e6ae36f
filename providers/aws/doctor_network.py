"""`faas doctor` on a function in a VPC: can it reach the internet and the AWS APIs it needs?

Lambda's network interfaces in a VPC get no public address, so a route to an internet gateway does
not help them: only a NAT (a NAT gateway, a NAT instance or a transit gateway that leads to one)
takes their traffic out. Without it the app cannot call any outside API, and `${secret:...}`
values cannot be read unless the VPC has an interface endpoint for the secret store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faas import Diagnosis

if TYPE_CHECKING:
    from faas.providers.aws.context import Deployment
    from faas.providers.aws.options import VpcConfig

# Route targets that carry traffic from private addresses out (an internet gateway does not).
_EGRESS_TARGETS = ("NatGatewayId", "InstanceId", "NetworkInterfaceId", "TransitGatewayId")
_STORE_SERVICE = {"secretsmanager": "secretsmanager", "ssm": "ssm"}


def diagnose_network(deployment: Deployment, vpc: VpcConfig, secrets: list[str]) -> list[Diagnosis]:
    """Read-only: which of `vpc`'s subnets have no way out, and whether the secret store is reachable."""
    ec2 = deployment.session.client("ec2")
    subnets = ec2.describe_subnets(SubnetIds=list(vpc.subnets))["Subnets"]
    closed = [subnet["SubnetId"] for subnet in subnets if not _has_egress(ec2, subnet)]
    if not closed:
        return [Diagnosis("aws", "network", "every subnet of the vpc routes to the internet through a NAT", ok=True)]
    findings = [
        Diagnosis(
            "aws",
            "network",
            f"subnet {', '.join(closed)} has no route out through a NAT: the functions there cannot reach the "
            "internet or AWS APIs outside the VPC",
            action="add a 0.0.0.0/0 route to a NAT gateway in those subnets' route table, or VPC endpoints "
            "for the AWS services the app calls",
        )
    ]
    service = f"com.amazonaws.{deployment.session.region}.{_STORE_SERVICE[deployment.options.secrets]}"
    if secrets and not _has_endpoint(ec2, subnets[0]["VpcId"], service):
        findings.append(
            Diagnosis(
                "aws",
                "network",
                f"no NAT and no VPC endpoint for {service}: the function cannot read {', '.join(secrets)}",
                action=f"create an interface VPC endpoint for {service} in the VPC, or a NAT gateway route",
            )
        )
    return findings


def _has_egress(ec2: Any, subnet: dict[str, Any]) -> bool:
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}])
    if not tables["RouteTables"]:
        # A subnet with no table of its own uses the VPC's main route table.
        main = [{"Name": "vpc-id", "Values": [subnet["VpcId"]]}, {"Name": "association.main", "Values": ["true"]}]
        tables = ec2.describe_route_tables(Filters=main)
    return any(
        route.get("DestinationCidrBlock") == "0.0.0.0/0" and any(route.get(target) for target in _EGRESS_TARGETS)
        for table in tables["RouteTables"]
        for route in table.get("Routes", [])
    )


def _has_endpoint(ec2: Any, vpc_id: str, service: str) -> bool:
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "service-name", "Values": [service]}]
    endpoints = ec2.describe_vpc_endpoints(Filters=filters)["VpcEndpoints"]
    return any(endpoint.get("State", "available").lower() == "available" for endpoint in endpoints)
