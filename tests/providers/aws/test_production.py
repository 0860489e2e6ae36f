"""#15's "done when": a Django project with a private network, a ${secret:...} and min_instances = 1
(tests/providers/production.py, the faas.toml GCP and Azure deploy too) plans and applies against
moto with exactly those resources and policies."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from faas.core import workflow
from tests.providers.production import FILES, SECRET, Networks, faas_toml

from .conftest import deploy, open_aws, record_calls

pytestmark = pytest.mark.slow


def test_a_django_app_with_a_database_in_a_vpc(write_project: Any) -> None:
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"app-{vpc}", Description="app", VpcId=vpc)["GroupId"]
    config = faas_toml(Networks(aws_subnet=subnet, aws_security_group=group))
    project = write_project(config, files=FILES)
    secret_arn = open_aws(project).set_secret(SECRET, "pg-s3cret-in-the-store")
    provider, outcome = deploy(project)

    created = sorted((action.change.value, action.resource) for action in outcome.plan.actions)
    assert created == sorted(
        [
            ("create", "iam role"),
            ("create", "log group"),
            ("create", "lambda function"),
            ("create", "lambda concurrency"),
            ("create", "http api"),
            ("create", "permission"),  # the HTTP API may invoke the alias
        ]
    ), created
    assert any("billed while idle" in note for note in outcome.plan.notes)

    names = provider.deployment.names
    role = boto3.client("iam").get_role_policy(RoleName=names.role, PolicyName="faas")["PolicyDocument"]
    by_sid = {statement["Sid"]: statement for statement in role["Statement"]}
    assert sorted(by_sid) == [
        "OwnLogs",
        "ReadSecrets",
        "VpcCreateIn",
        "VpcCreateInterface",
        "VpcDescribe",
        "VpcOwnInterfaces",
    ]
    assert by_sid["ReadSecrets"]["Resource"] == [secret_arn]
    wildcard = [sid for sid, statement in by_sid.items() if "*" in statement["Resource"]]
    assert wildcard == ["VpcDescribe"]  # Describe calls: the only ones EC2 cannot scope

    lam = boto3.client("lambda")
    function = lam.get_function_configuration(FunctionName=names.function(""))
    assert function["VpcConfig"]["SubnetIds"] == [subnet]
    assert function["Environment"]["Variables"]["DB_PASSWORD"] == f"${{secret:{SECRET}}}"
    warm = lam.get_provisioned_concurrency_config(FunctionName=names.function(""), Qualifier=names.alias)
    assert warm["RequestedProvisionedConcurrentExecutions"] == 1

    again = open_aws(write_project(config, files=FILES))
    calls = record_calls(again)
    assert workflow.deploy(again).plan.is_empty
    assert calls.writes == []

    workflow.undeploy(open_aws(write_project(config, files=FILES)))
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=names.function(""))
