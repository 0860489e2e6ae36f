"""`[providers.aws] vpc`: the functions attach to the user's subnets and security groups.

Lambda creates the network interfaces with the execution role, so the role gets the ENI
permissions, scoped as narrowly as EC2 allows: creating an interface only in the listed subnets
with the listed security groups, deleting or re-addressing only interfaces in those subnets. The
two Describe calls Lambda makes support no resource-level scoping at all (AWS requires "*" for
them, see the Lambda guide's "Execution role and user permissions"): they are the only "*".

The plan checks that the subnets and groups exist and share one VPC before any change.
"""

from __future__ import annotations

from typing import Any

from faas import DeployError
from faas.providers.aws.context import Deployment
from faas.providers.aws.options import VpcConfig
from faas.providers.aws.session import error_code

_DESCRIBE = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
_ON_OWN_INTERFACES = ["ec2:AssignPrivateIpAddresses", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"]


def vpc_configuration(vpc: VpcConfig | None) -> dict[str, list[str]]:
    """Lambda's VpcConfig; empty lists detach a function from its VPC."""
    if vpc is None:
        return {"SubnetIds": [], "SecurityGroupIds": []}
    return {"SubnetIds": list(vpc.subnets), "SecurityGroupIds": list(vpc.security_groups)}


def deployed_vpc(configuration: dict[str, Any]) -> dict[str, list[str]]:
    """The VpcConfig a function has (GetFunctionConfiguration), in the same shape, sorted."""
    current = configuration.get("VpcConfig") or {}
    return {
        "SubnetIds": sorted(current.get("SubnetIds") or []),
        "SecurityGroupIds": sorted(current.get("SecurityGroupIds") or []),
    }


def describe(vpc: dict[str, list[str]]) -> str:
    """How a plan shows a VpcConfig: `subnet-a, subnet-b / sg-c`, or (none)."""
    if not vpc["SubnetIds"]:
        return "(none)"
    return f"{', '.join(vpc['SubnetIds'])} / {', '.join(vpc['SecurityGroupIds'])}"


def check_network(deployment: Deployment) -> None:
    """Refuse, at plan time, subnets or groups that do not exist or lie in different VPCs."""
    vpc = deployment.options.vpc
    if vpc is None:
        return
    ec2 = deployment.session.client("ec2")
    try:
        subnets = ec2.describe_subnets(SubnetIds=vpc.subnets)["Subnets"]
        groups = ec2.describe_security_groups(GroupIds=vpc.security_groups)["SecurityGroups"]
    except Exception as error:
        code = error_code(error)
        if code.startswith(("InvalidSubnetID", "InvalidGroup", "InvalidSecurityGroupID")):
            raise DeployError("plan", f"[providers.aws] vpc: {error}") from None
        raise
    vpcs = {item["VpcId"] for item in [*subnets, *groups]}
    if len(vpcs) != 1:
        raise DeployError(
            "plan",
            f"[providers.aws] vpc: the subnets and security groups must be in one VPC; found {', '.join(sorted(vpcs))}",
        )


def policy_statements(deployment: Deployment) -> list[dict[str, Any]]:
    """The ENI permissions Lambda needs for the listed subnets and groups; none without a VPC."""
    vpc = deployment.options.vpc
    if vpc is None:
        return []
    subnets = [deployment.arn("ec2", f"subnet/{subnet}") for subnet in vpc.subnets]
    groups = [deployment.arn("ec2", f"security-group/{group}") for group in vpc.security_groups]
    interfaces = deployment.arn("ec2", "network-interface/*")
    in_subnets = {"ArnEquals": {"ec2:Subnet": subnets}}
    return [
        {"Sid": "VpcDescribe", "Effect": "Allow", "Action": _DESCRIBE, "Resource": "*"},
        {
            "Sid": "VpcCreateIn",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": subnets + groups,
        },
        {
            "Sid": "VpcCreateInterface",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [interfaces],
            "Condition": in_subnets,
        },
        {
            "Sid": "VpcOwnInterfaces",
            "Effect": "Allow",
            "Action": _ON_OWN_INTERFACES,
            "Resource": [interfaces],
            "Condition": in_subnets,
        },
    ]
