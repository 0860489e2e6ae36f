"""Bullets of issue 14's semantics and conventions not covered by the per-tool tests: a Zappa
`extends` chain of two hops, `${cf:...}` kept as a reference, and the VPC and reserved concurrency
settings that have no faas counterpart, warned in every tool that has them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.migrate.conftest import entries, import_json, stage_config, written


def test_zappa_extends_is_a_chained_shallow_update(tmp_path: Path) -> None:
    settings = {
        "base": {
            "app_function": "app.app",
            "project_name": "chain",
            "runtime": "python3.12",
            "memory_size": 256,
            "timeout_seconds": 20,
            "environment_variables": {"FROM_BASE": "1", "LEVEL": "base"},
        },
        "staging": {"extends": "base", "memory_size": 512, "environment_variables": {"LEVEL": "staging"}},
        "production": {"extends": "staging", "timeout_seconds": 60},
    }
    (tmp_path / "zappa_settings.json").write_text(json.dumps(settings))
    (tmp_path / "app.py").write_text("app = None\n")
    document = import_json(cwd=tmp_path)
    production = stage_config(tmp_path / "faas.toml", "production")
    assert production.app is not None
    # production <- staging <- base: each hop replaces the keys it names, tables included.
    assert (production.app.memory, production.app.timeout) == (512, 60)
    assert production.app.environment == {"LEVEL": "staging"}  # base's FROM_BASE does not come back
    # Both stages that others extend are templates: listed, and not stages of their own.
    report = entries(document)
    assert report["staging"]["status"] == "info" and "template" in report["staging"]["reason"]
    assert report["base"]["status"] == "info"
    assert set(written(tmp_path / "faas.toml").get("stages", {})) == {"production"}


def test_serverless_cf_outputs_stay_references(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: refs\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n"
        "    QUEUE_URL: ${cf:infra-${sls:stage}.QueueUrl}\n"
        "functions:\n  worker:\n    handler: handler.run\n"
        "    events:\n      - schedule: rate(1 hour)\n"
    )
    (tmp_path / "handler.py").write_text("def run(event, context):\n    pass\n")
    document = import_json(cwd=tmp_path)
    entry = entries(document)["provider.environment.QUEUE_URL"]
    assert entry["status"] == "warn"
    # Resolved per stage as far as can be done offline, and never looked up in CloudFormation.
    assert "${cf:infra-dev.QueueUrl}" in entry["reason"]
    # The value becomes a reference to the deploying machine's environment, never an invented one.
    (worker,) = stage_config(tmp_path / "faas.toml", "dev", environ={"QUEUE_URL": "https://q"}).functions
    assert worker.environment == {"QUEUE_URL": "https://q"}
    assert written(tmp_path / "faas.toml")["functions"][0]["environment"] == {"QUEUE_URL": "${env:QUEUE_URL}"}


def test_serverless_vpc_ids_that_are_not_ids_warn_and_reserved_concurrency_is_max_instances(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: private\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "  vpc:\n    securityGroupIds: [sg-1]\n    subnetIds: [subnet-1]\n"
        "functions:\n  worker:\n    handler: handler.run\n    reservedConcurrency: 5\n"
        "    events:\n      - schedule: rate(1 hour)\n"
    )
    (tmp_path / "handler.py").write_text("def run(event, context):\n    pass\n")
    report = entries(import_json(cwd=tmp_path))
    assert report["provider.vpc"]["status"] == "warn" and "VPC" in report["provider.vpc"]["reason"]
    assert "providers.aws.vpc.subnets" in report["provider.vpc"]["reason"]
    concurrency = report["functions.worker.reservedConcurrency"]
    assert concurrency["status"] == "mapped" and "reserved concurrency" in concurrency["reason"]
    assert concurrency["target"] == "functions.worker.max_instances"


def test_sam_vpc_ids_that_are_not_ids_warn_and_reserved_concurrency_is_max_instances(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: handler.run\n"
        "      Runtime: python3.12\n      ReservedConcurrentExecutions: 2\n"
        "      VpcConfig:\n        SecurityGroupIds: [sg-1]\n        SubnetIds: [subnet-1]\n"
        "      Events:\n        Hourly:\n          Type: Schedule\n          Properties:\n"
        "            Schedule: rate(1 hour)\n"
    )
    (tmp_path / "handler.py").write_text("def run(event, context):\n    pass\n")
    report = entries(import_json(cwd=tmp_path))
    vpc = report["Resources.Worker.Properties.VpcConfig"]
    assert vpc["status"] == "warn" and "VPC" in vpc["reason"]
    assert "subnet-1" in vpc["reason"] and "providers.aws.vpc.subnets" in vpc["reason"]
    concurrency = report["Resources.Worker.Properties.ReservedConcurrentExecutions"]
    assert concurrency["status"] == "mapped" and "reserved concurrency" in concurrency["reason"]
    assert concurrency["target"] == "functions.worker.max_instances"


def test_vpc_is_warned_in_zappa(tmp_path: Path) -> None:
    settings = {"dev": {"app_function": "app.app", "project_name": "vpc", "vpc_config": {"SubnetIds": ["s-1"]}}}
    (tmp_path / "zappa_settings.json").write_text(json.dumps(settings))
    (tmp_path / "app.py").write_text("app = None\n")
    entry = entries(import_json(cwd=tmp_path))["dev.vpc_config"]
    assert entry["status"] == "warn" and "VPC" in entry["reason"]


def test_a_project_name_that_does_not_fit_is_the_nearest_valid_one_and_warned(tmp_path: Path) -> None:
    long_name = "My_Very_Long_Project_Name_For_The_Shop_Backend"
    (tmp_path / "zappa_settings.json").write_text(
        json.dumps({"dev": {"app_function": "app.app", "project_name": long_name}})
    )
    (tmp_path / "app.py").write_text("app = None\n")
    document = import_json(cwd=tmp_path)
    name = document["config"]["name"]
    assert name == "my-very-long-project-name-for-the-shop-b"
    entry = entries(document)["dev.project_name"]
    assert entry["status"] == "warn" and long_name in entry["reason"] and name in entry["reason"]
    assert stage_config(tmp_path / "faas.toml", "dev").name == name


def test_sns_events_become_topic_triggers_in_sam(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Alerts:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: shop-alerts\n"
        "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: handler.run\n"
        "      Runtime: python3.12\n      Events:\n"
        "        Own:\n          Type: SNS\n          Properties:\n            Topic: !Ref Alerts\n"
        "        Shared:\n          Type: SNS\n          Properties:\n"
        "            Topic: arn:aws:sns:eu-west-1:123456789012:billing\n            FilterPolicy: {kind: [invoice]}\n"
        "        Elsewhere:\n          Type: SNS\n          Properties:\n"
        "            Topic: !ImportValue other-stack-topic\n"
    )
    (tmp_path / "handler.py").write_text("def run(event, context):\n    pass\n")
    document = import_json(cwd=tmp_path)
    (worker,) = stage_config(tmp_path / "faas.toml", "default").functions
    assert [trigger.topic.name for trigger in worker.triggers] == ["shop-alerts", "billing"]  # type: ignore[attr-defined]
    report = entries(document)
    events = "Resources.Worker.Properties.Events"
    assert "SAM creates this topic" in report[f"{events}.Own"]["reason"]
    assert "FilterPolicy not imported" in report[f"{events}.Shared"]["reason"]
    assert "cannot be named offline" in report[f"{events}.Elsewhere"]["reason"]
    assert all(
        "aws provider does not deploy topic" in report[f"{events}.{name}"]["reason"] for name in ("Own", "Shared")
    )


def test_a_chalice_sns_arn_is_a_topic_trigger(tmp_path: Path) -> None:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(
        json.dumps({"version": "2.0", "app_name": "bus", "stages": {"dev": {}}})
    )
    (tmp_path / "app.py").write_text(
        "from chalice import Chalice\napp = Chalice(app_name='bus')\n\n"
        "@app.on_sns_message(topic='arn:aws:sns:eu-west-1:123456789012:orders')\ndef orders(event):\n    pass\n"
    )
    document = import_json(cwd=tmp_path)
    (function,) = stage_config(tmp_path / "faas.toml", "dev").functions
    assert [trigger.topic.name for trigger in function.triggers] == ["orders"]  # type: ignore[attr-defined]
    assert entries(document)["app.py:orders:on_sns_message"]["status"] == "warn"


def test_a_domain_stays_with_its_stage_and_never_reaches_the_default_one(tmp_path: Path) -> None:
    # The Zappa README's shape: production extends dev (so dev is a template and production the only
    # stage); its domain must not become the top-level value that faas's default stage deploys.
    settings = {
        "dev": {"app_function": "app.app", "project_name": "shop", "runtime": "python3.12"},
        "production": {
            "extends": "dev",
            "domain": "shop.example.com",
            "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        },
    }
    (tmp_path / "zappa_settings.json").write_text(json.dumps(settings))
    (tmp_path / "app.py").write_text("app = None\n")
    import_json(cwd=tmp_path)
    document = written(tmp_path / "faas.toml")
    assert "domain" not in document and "certificate" not in document
    assert document["stages"]["production"]["domain"] == "shop.example.com"
    assert stage_config(tmp_path / "faas.toml", "dev").domain is None
    assert stage_config(tmp_path / "faas.toml", "production").domain == "shop.example.com"
