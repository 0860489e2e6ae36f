"""#15's "done when": a Django project with a private network, ${secret:DB_PASSWORD} and
min_instances = 1 plans and applies against moto with exactly those resources and policies."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from faas.core import workflow

from .conftest import deploy, open_aws, record_calls
from .test_frameworks import DJANGO_URLS, DJANGO_WSGI

pytestmark = pytest.mark.slow

SETTINGS = """
import os
SECRET_KEY = "not-this-one"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": os.environ.get("DB_HOST", ""),
                         "NAME": "app", "USER": "app", "PASSWORD": os.environ.get("DB_PASSWORD", "")}}
"""
FILES = {
    "mysite/__init__.py": "",
    "mysite/settings.py": SETTINGS,
    "mysite/urls.py": DJANGO_URLS,
    "mysite/wsgi.py": DJANGO_WSGI,
    "requirements.txt": "django>=5,<6\n",
}


def test_a_django_app_with_a_database_in_a_vpc(write_project: Any) -> None:
    base = write_project.base
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"app-{vpc}", Description="app", VpcId=vpc)["GroupId"]
    config = f"""
[app]
entry = "mysite.wsgi:application"
framework = "django"
settings_module = "mysite.settings"
min_instances = 1
environment = {{ DB_HOST = "db.internal", DB_PASSWORD = "${{secret:{base}-DB_PASSWORD}}" }}

[providers.aws]
vpc = {{ subnets = ["{subnet}"], security_groups = ["{group}"] }}
"""
    project = write_project(config, files=FILES)
    secret_arn = open_aws(project).set_secret(f"{base}-DB_PASSWORD", "pg-s3cret-in-the-store")
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
    assert function["Environment"]["Variables"]["DB_PASSWORD"] == f"${{secret:{base}-DB_PASSWORD}}"
    warm = lam.get_provisioned_concurrency_config(FunctionName=names.function(""), Qualifier=names.alias)
    assert warm["RequestedProvisionedConcurrentExecutions"] == 1

    again = open_aws(write_project(config, files=FILES))
    calls = record_calls(again)
    assert workflow.deploy(again).plan.is_empty
    assert calls.writes == []

    workflow.undeploy(open_aws(write_project(config, files=FILES)))
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=names.function(""))
