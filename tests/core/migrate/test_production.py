"""`faas import` of private networks, concurrency and secret-store references, from each source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.migrate.conftest import entries, import_json, plan_local, stage_config

FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"

# Zappa's README example for RDS access, with reserved concurrency as Zappa spells it.
ZAPPA_RDS = {
    "production": {
        "app_function": "my_app.app",
        "project_name": "shop",
        "aws_region": "eu-west-1",
        "vpc_config": {
            "SubnetIds": ["subnet-12345678", "subnet-0abcdef1234567890"],
            "SecurityGroupIds": ["sg-12345678"],
        },
        "lambda_concurrency": 10,
        "keep_warm": True,
    }
}


def test_zappa_vpc_and_concurrency_become_the_faas_keys_and_plan_on_local(tmp_path: Path) -> None:
    (tmp_path / "my_app.py").write_text(FLASK_APP)
    (tmp_path / "zappa_settings.json").write_text(json.dumps(ZAPPA_RDS))
    document = import_json(cwd=tmp_path)
    config = stage_config(tmp_path / "faas.toml", "production")
    assert config.providers["aws"]["vpc"] == {
        "subnets": ["subnet-0abcdef1234567890", "subnet-12345678"],
        "security_groups": ["sg-12345678"],
    }
    assert config.app is not None and config.app.max_instances == 10 and config.app.min_instances is None
    report = entries(document)
    assert report["production.vpc_config"]["status"] == "mapped"
    assert report["production.vpc_config"]["target"] == "providers.aws.vpc"
    assert report["production.lambda_concurrency"]["target"] == "app.max_instances"
    # A ping schedule is not provisioned concurrency: suggested, never written.
    warm = report["production.keep_warm"]
    assert warm["status"] == "info" and "min_instances = 1" in warm["reason"]
    plan_local(tmp_path, "production")


def test_zappa_vpc_ids_that_are_not_literal_stay_a_warning(tmp_path: Path) -> None:
    settings = {"dev": {"app_function": "my_app.app", "project_name": "vpc"}}
    settings["dev"]["vpc_config"] = {"SubnetIds": ["s-1"], "SecurityGroupIds": ["sg-12345678"]}  # type: ignore[assignment]
    (tmp_path / "my_app.py").write_text(FLASK_APP)
    (tmp_path / "zappa_settings.json").write_text(json.dumps(settings))
    document = import_json(cwd=tmp_path)
    entry = entries(document)["dev.vpc_config"]
    assert entry["status"] == "warn" and "s-1" in entry["reason"] and "providers.aws.vpc.subnets" in entry["reason"]
    assert "vpc" not in stage_config(tmp_path / "faas.toml", "dev").providers.get("aws", {})


# A Django-on-Lambda template as the SAM docs shape one: Globals.VpcConfig for RDS, a dynamic
# reference for the password, reserved and provisioned concurrency on the web function.
SAM_RDS = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    VpcConfig:
      SubnetIds: [subnet-0a1b2c3d4e5f67890, subnet-12345678]
      SecurityGroupIds: [sg-0a1b2c3d4e5f67890]
Resources:
  WebFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: main.handler
      AutoPublishAlias: live
      ReservedConcurrentExecutions: 50
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
      Environment:
        Variables:
          DB_PASSWORD: '{{resolve:secretsmanager:shop-db-password}}'
          DB_USER: '{{resolve:secretsmanager:shop-db:SecretString:username}}'
      Events:
        Root:
          Type: HttpApi
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: tasks.run
      VpcConfig:
        SubnetIds: [!Ref PrivateSubnet]
        SecurityGroupIds: [sg-0a1b2c3d4e5f67890]
      ReservedConcurrentExecutions: !Ref WorkerLimit
      Events:
        Hourly:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
"""
MANGUM_APP = "from mangum import Mangum\nfrom fastapi import FastAPI\napp = FastAPI()\nhandler = Mangum(app)\n"


def test_sam_vpc_concurrency_and_secrets_become_the_faas_keys_and_plan_on_local(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    (tmp_path / "template.yaml").write_text(SAM_RDS)
    (tmp_path / "main.py").write_text(MANGUM_APP)
    (tmp_path / "tasks.py").write_text("def run(event, context):\n    return 'ok'\n")
    document = import_json(cwd=tmp_path)
    [stage] = document["config"]["stages"]
    config = stage_config(tmp_path / "faas.toml", stage)
    assert config.providers["aws"]["vpc"] == {
        "subnets": ["subnet-0a1b2c3d4e5f67890", "subnet-12345678"],
        "security_groups": ["sg-0a1b2c3d4e5f67890"],
    }
    assert "secrets" not in config.providers["aws"]  # Secrets Manager is the default store
    assert config.app is not None
    assert (config.app.min_instances, config.app.max_instances) == (2, 50)
    assert config.app.environment["DB_PASSWORD"] == "${secret:shop-db-password}"
    # A JSON key of a secret is not a whole secret: not written, and said so.
    assert "DB_USER" not in config.app.environment
    [worker] = config.functions
    assert worker.max_instances is None
    report = entries(document)
    web = "Resources.WebFunction.Properties"
    assert report[f"{web}.Environment.Variables.DB_PASSWORD"]["status"] == "mapped"
    user = report[f"{web}.Environment.Variables.DB_USER"]
    assert user["status"] == "warn" and "username" in user["reason"]
    assert report[f"{web}.ReservedConcurrentExecutions"]["target"] == "app.max_instances"
    assert report[f"{web}.ProvisionedConcurrencyConfig"]["target"] == "app.min_instances"
    assert report["Globals.Function.VpcConfig"]["status"] == "mapped"
    worker_key = "Resources.WorkerFunction.Properties"
    assert report[f"{worker_key}.VpcConfig"]["status"] == "warn"
    limit = report[f"{worker_key}.ReservedConcurrentExecutions"]
    assert limit["status"] == "warn" and limit["target"].endswith(".max_instances")
    # The local provider refuses a reference without a value, so the user's next step comes first.
    store = {"XDG_DATA_HOME": str(tmp_path_factory.mktemp("data"))}
    stored = subprocess.run(
        [
            sys.executable,
            "-m",
            "faas.core.cli",
            "secrets",
            "set",
            "shop-db-password",
            "--provider",
            "local",
            "--stage",
            stage,
        ],
        input="s3cret",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **store},
        timeout=120,
    )
    assert stored.returncode == 0, stored.stderr
    plan_local(tmp_path, stage, env=store)


# serverless-wsgi with RDS, as its docs and Serverless's variables docs shape one: the provider's
# vpc, SSM parameters (a plain name, a path, and Secrets Manager through SSM's reference path).
SERVERLESS_RDS = """\
service: shop
provider:
  name: aws
  runtime: python3.12
  region: eu-west-1
  vpc:
    securityGroupIds: [sg-0a1b2c3d4e5f67890]
    subnetIds: [subnet-0a1b2c3d4e5f67890, subnet-12345678]
  environment:
    DB_PASSWORD: ${ssm:shop-db-password}
    API_TOKEN: ${ssm:/shop/prod/api-token}
custom:
  wsgi:
    app: my_app.app
functions:
  api:
    handler: wsgi_handler.handler
    reservedConcurrency: 20
    provisionedConcurrency: 1
    events:
      - httpApi: '*'
  report:
    handler: tasks.report
    vpc:
      securityGroupIds: [sg-0a1b2c3d4e5f67890]
      subnetIds: ['${cf:network.PrivateSubnet}']
    events:
      - schedule: rate(1 day)
"""


def test_serverless_vpc_concurrency_and_ssm_become_the_faas_keys_and_plan_on_local(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    (tmp_path / "serverless.yml").write_text(SERVERLESS_RDS)
    (tmp_path / "my_app.py").write_text(FLASK_APP)
    (tmp_path / "tasks.py").write_text("def report(event, context):\n    return 'ok'\n")
    document = import_json(cwd=tmp_path)
    [stage] = document["config"]["stages"]
    written_aws = document["config"]["providers"]["aws"]
    assert written_aws["secrets"] == "ssm"  # every mapped reference is an SSM parameter
    assert written_aws["vpc"]["subnets"] == ["subnet-0a1b2c3d4e5f67890", "subnet-12345678"]
    report = entries(document)
    password = report["provider.environment.DB_PASSWORD"]
    assert password["status"] == "mapped" and "SSM parameter shop-db-password" in password["reason"]
    # A hierarchical name does not fit ${secret:NAME}: the user is told to copy it, the value is not guessed.
    token = report["provider.environment.API_TOKEN"]
    assert token["status"] == "warn" and "/shop/prod/api-token" in token["reason"]
    assert report["functions.api.reservedConcurrency"]["target"] == "app.max_instances"
    assert report["functions.api.provisionedConcurrency"]["target"] == "app.min_instances"
    other = report["functions.report.vpc"]
    assert other["status"] == "warn" and "providers.aws.vpc.subnets" in other["reason"]
    store = {"XDG_DATA_HOME": str(tmp_path_factory.mktemp("data")), "API_TOKEN": "t"}
    stored = subprocess.run(
        [sys.executable, "-m", "faas.core.cli", "secrets", "set", "shop-db-password", "--provider", "local"],
        input="s3cret",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **store},
        timeout=120,
    )
    assert stored.returncode == 0, stored.stderr
    config = stage_config(tmp_path / "faas.toml", stage, environ={"API_TOKEN": "t"})
    assert config.app is not None and (config.app.min_instances, config.app.max_instances) == (1, 20)
    assert config.app.environment["DB_PASSWORD"] == "${secret:shop-db-password}"
    plan_local(tmp_path, stage, env=store)


# Chalice's config reference: subnet_ids and security_group_ids at the stage, reserved_concurrency
# per function in the stage's lambda_functions table.
CHALICE_CONFIG = {
    "version": "2.0",
    "app_name": "jobs",
    "stages": {
        "prod": {
            "subnet_ids": ["subnet-0a1b2c3d4e5f67890"],
            "security_group_ids": ["sg-0a1b2c3d4e5f67890"],
            "lambda_functions": {"nightly": {"reserved_concurrency": 1}},
        }
    },
}
CHALICE_APP = """\
from chalice import Chalice

app = Chalice(app_name="jobs")


@app.schedule("rate(1 day)")
def nightly(event):
    pass
"""


def test_chalice_vpc_and_reserved_concurrency_become_the_faas_keys_and_plan_on_local(tmp_path: Path) -> None:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps(CHALICE_CONFIG))
    (tmp_path / "app.py").write_text(CHALICE_APP)
    document = import_json(cwd=tmp_path)
    config = stage_config(tmp_path / "faas.toml", "prod")
    assert config.providers["aws"]["vpc"] == {
        "subnets": ["subnet-0a1b2c3d4e5f67890"],
        "security_groups": ["sg-0a1b2c3d4e5f67890"],
    }
    [nightly] = config.functions
    assert nightly.max_instances == 1
    report = entries(document)
    assert report["stages.prod.subnet_ids"]["status"] == "mapped"
    assert report["stages.prod.security_group_ids"]["status"] == "mapped"
    limit = report["stages.prod.lambda_functions.nightly.reserved_concurrency"]
    assert limit["status"] == "mapped" and limit["target"] == "functions.nightly.max_instances"
    plan_local(tmp_path, "prod")
