"""`[providers.aws] vpc` against moto: the functions attach, the role gets only the ENI permissions
for those subnets, a re-deploy is a no-op, removing the key detaches, undeploy removes the role."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from faas.core import workflow
from faas.core.errors import DeployError

from .conftest import deploy, open_aws, record_calls

APP = '[app]\nentry = "app:application"\ninterface = "wsgi"\n'
_READ_ONLY_EC2 = {"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"}


@pytest.fixture
def network(aws_env: str) -> dict[str, Any]:
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{index}.0/24", AvailabilityZone=f"eu-west-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for index, zone in ((1, "a"), (2, "b"))
    ]
    group = ec2.create_security_group(GroupName=f"db-clients-{vpc}", Description="app", VpcId=vpc)["GroupId"]
    return {"vpc": vpc, "subnets": sorted(subnets), "group": group}


def vpc_table(network: dict[str, Any]) -> str:
    subnets = ", ".join(f'"{subnet}"' for subnet in network["subnets"])
    return f'[providers.aws]\nvpc = {{ subnets = [{subnets}], security_groups = ["{network["group"]}"] }}\n'


def ec2_statements(provider: Any) -> list[dict[str, Any]]:
    role = provider.deployment.names.role
    document = boto3.client("iam").get_role_policy(RoleName=role, PolicyName="faas")["PolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    return [s for s in document["Statement"] if any(str(a).startswith("ec2:") for a in s["Action"])]


def test_functions_attach_and_the_role_gets_only_the_eni_permissions(write_project: Any, network: Any) -> None:
    provider, outcome = deploy(write_project(APP + vpc_table(network)))
    rendered = "\n".join(outcome.plan.render())
    assert network["subnets"][0] in rendered and "NAT" in rendered
    config = boto3.client("lambda").get_function_configuration(FunctionName=provider.deployment.names.function(""))
    assert sorted(config["VpcConfig"]["SubnetIds"]) == network["subnets"]
    assert config["VpcConfig"]["SecurityGroupIds"] == [network["group"]]

    account = provider.deployment.account
    subnet_arns = [f"arn:aws:ec2:eu-west-1:{account}:subnet/{subnet}" for subnet in network["subnets"]]
    statements = ec2_statements(provider)
    for statement in statements:
        actions = set(statement["Action"])
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if "*" in resources:
            # AWS supports no resource scoping for these two: the only "*" the role may hold.
            assert actions <= _READ_ONLY_EC2, statement
            continue
        for resource in resources:
            assert resource.startswith(f"arn:aws:ec2:eu-west-1:{account}:"), statement
            if resource.endswith("network-interface/*"):
                assert statement["Condition"] == {"ArnEquals": {"ec2:Subnet": subnet_arns}}, statement
            else:
                assert resource in subnet_arns or resource.endswith(f"security-group/{network['group']}")
    granted = {action for statement in statements for action in statement["Action"]}
    assert granted == _READ_ONLY_EC2 | {
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    }

    again = open_aws(write_project(APP + vpc_table(network)))
    calls = record_calls(again)
    assert workflow.deploy(again).plan.is_empty
    assert calls.writes == []

    provider, outcome = deploy(write_project(APP))
    assert ("vpc", " / ".join([", ".join(network["subnets"]), network["group"]]), "(none)") in [
        detail for action in outcome.plan.actions for detail in action.details
    ]
    config = boto3.client("lambda").get_function_configuration(FunctionName=provider.deployment.names.function(""))
    assert not (config.get("VpcConfig") or {}).get("SubnetIds")
    assert ec2_statements(provider) == []

    workflow.undeploy(open_aws(write_project(APP + vpc_table(network))))
    with pytest.raises(boto3.client("iam").exceptions.NoSuchEntityException):
        boto3.client("iam").get_role(RoleName=provider.deployment.names.role)


def test_an_unknown_subnet_is_refused_before_any_write(write_project: Any, network: Any) -> None:
    table = vpc_table({**network, "subnets": ["subnet-0123456789abcdef0"]})
    provider = open_aws(write_project(APP + table))
    calls = record_calls(provider)
    with pytest.raises(DeployError, match="subnet-0123456789abcdef0"):
        workflow.deploy(provider)
    assert calls.writes == []


def test_subnets_and_groups_of_different_vpcs_are_refused(write_project: Any, network: Any) -> None:
    ec2 = boto3.client("ec2")
    other = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName=f"other-{other}", Description="x", VpcId=other)["GroupId"]
    with pytest.raises(DeployError, match="must be in one VPC"):
        workflow.deploy(open_aws(write_project(APP + vpc_table({**network, "group": group}))))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('vpc = { subnets = ["subnet-1"], security_groups = ["sg-0abc12345"] }', "'subnet-1' is not a subnet id"),
        ('vpc = { subnets = ["subnet-0abc12345"], security_groups = [] }', "at least 1 item"),
        ('vpc = { subnets = ["subnet-0abc12345"] }', "security_groups"),
    ],
)
def test_bad_vpc_options_are_clear(write_project: Any, table: str, message: str) -> None:
    from faas.core.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        open_aws(write_project(f"{APP}[providers.aws]\n{table}\n"))


def network_findings(provider: Any) -> list[Any]:
    return [finding for finding in provider.diagnose() if finding.check == "network"]


def test_doctor_warns_when_a_subnet_has_no_nat_and_the_secrets_cannot_be_read(write_project: Any, network: Any) -> None:
    ec2 = boto3.client("ec2")
    environment = '\nenvironment = { DB_PASSWORD = "${secret:DB_PASSWORD}" }\n'
    provider = open_aws(write_project(APP + environment + vpc_table(network)))
    # Only the VPC's main route table (local routes): no way out, and no endpoint for Secrets Manager.
    closed, secrets = network_findings(provider)
    assert not closed.ok and all(subnet in closed.message for subnet in network["subnets"])
    assert "NAT" in closed.action
    assert not secrets.ok and "com.amazonaws.eu-west-1.secretsmanager" in secrets.message
    assert "DB_PASSWORD" in secrets.message
    # An internet gateway does not help: Lambda's interfaces have no public address.
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=network["vpc"])
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [network["vpc"]]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    assert not network_findings(provider)[0].ok
    # A NAT gateway route in the subnets' own table is a way out.
    public = ec2.create_subnet(VpcId=network["vpc"], CidrBlock="10.20.9.0/24")["Subnet"]["SubnetId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    private = ec2.create_route_table(VpcId=network["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    for subnet in network["subnets"]:
        ec2.associate_route_table(RouteTableId=private, SubnetId=subnet)
    [ready] = network_findings(provider)
    assert ready.ok, ready.message


def test_doctor_accepts_a_vpc_endpoint_for_the_secret_store(write_project: Any, network: Any) -> None:
    ec2 = boto3.client("ec2")
    ec2.create_vpc_endpoint(
        VpcId=network["vpc"],
        ServiceName="com.amazonaws.eu-west-1.secretsmanager",
        VpcEndpointType="Interface",
        SubnetIds=network["subnets"],
    )
    environment = '\nenvironment = { DB_PASSWORD = "${secret:DB_PASSWORD}" }\n'
    provider = open_aws(write_project(APP + environment + vpc_table(network)))
    # Still no NAT (a warning), but the secrets are reachable through the endpoint.
    [closed] = network_findings(provider)
    assert not closed.ok and "no route out through a NAT" in closed.message
