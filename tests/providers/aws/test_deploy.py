"""A full deploy verified resource by resource with boto3, then re-deployed without a single write."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from faas.core import workflow
from faas.core.plan import Change

from .conftest import deploy, open_aws, record_calls

SECRET = "s3cr3t-value-never-printed"


@pytest.fixture
def full_project(write_project: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An app, a scheduled function, a storage-triggered and a queue-fed function, and a static bucket."""
    monkeypatch.setenv("FAAS_TEST_SECRET", SECRET)
    base = write_project.base
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=f"{base}-uploads", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    boto3.client("sqs").create_queue(QueueName=f"{base}-thumbs")
    config = f"""
[app]
entry = "app:application"
interface = "wsgi"
memory = 256
timeout = 20
environment = {{ API_KEY = "${{env:FAAS_TEST_SECRET}}", MODE = "test" }}

[[functions]]
name = "tick"
entry = "tasks:tick"
triggers = [{{ schedule = "cron(30 4 * * 1-5)" }}, {{ schedule = "rate(1 hour)" }}]

[[functions]]
name = "thumbnail"
entry = "tasks:thumbnail"
triggers = [
  {{ storage = {{ bucket = "{base}-uploads", events = ["created", "deleted"], prefix = "img/", suffix = ".jpg" }} }},
  {{ queue = {{ name = "{base}-thumbs", batch_size = 5 }} }},
]

[storage.static]
public = true
source = "assets"

[providers.aws]
architecture = "arm64"
log_retention_days = 14
tags = {{ team = "web" }}

[[providers.aws.iam_statements]]
actions = ["dynamodb:GetItem"]
resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/pups"]
"""
    files = {"assets/site.css": "body { color: red }", "assets/js/app.js": "console.log(1)"}
    return lambda version="1", extra="": write_project(config + extra, version=version, files=files)


def _policy(client: Any, name: str) -> dict[str, Any]:
    return {
        s["Sid"]: s for s in json.loads(client.get_policy(FunctionName=name, Qualifier="live")["Policy"])["Statement"]
    }


def test_deploy_creates_every_resource(full_project: Any) -> None:
    provider, outcome = deploy(full_project())
    result = outcome.result
    names = provider.deployment.names
    account = provider.deployment.account
    lam = boto3.client("lambda")

    app = lam.get_function(FunctionName=names.function(""))
    config = app["Configuration"]
    assert config["Runtime"] == "python3.12"
    assert config["Architectures"] == ["arm64"]
    assert (config["MemorySize"], config["Timeout"]) == (256, 20)
    assert config["Handler"] == "faas_entry.handler"
    env = config["Environment"]["Variables"]
    assert env["API_KEY"] == SECRET and env["MODE"] == "test"
    assert env["FAAS_STATIC_URL"].startswith("https://") and env["FAAS_STATIC_BUCKET"]
    assert "FAAS_FUNCTION" not in env
    assert app["Tags"] == {"faas:project": names.project, "faas:stage": "dev", "faas:function": "app", "team": "web"}
    alias = lam.get_alias(FunctionName=names.function(""), Name="live")
    assert alias["FunctionVersion"] == result.version == "1"
    tick = lam.get_function_configuration(FunctionName=names.function("tick"), Qualifier="live")
    assert tick["Environment"]["Variables"]["FAAS_FUNCTION"] == "tick"
    assert tick["MemorySize"] == 512

    # HTTP API: $default route -> AWS_PROXY integration on the alias, $default stage, scoped permission.
    v2 = boto3.client("apigatewayv2")
    api = next(a for a in v2.get_apis()["Items"] if a["Name"] == names.api)
    assert api["Tags"]["faas:stage"] == "dev"
    assert result.url == api["ApiEndpoint"].rstrip("/") + "/"
    integration = v2.get_integrations(ApiId=api["ApiId"])["Items"][0]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["IntegrationUri"].endswith(f":function:{names.function('')}:live")
    assert integration["PayloadFormatVersion"] == "2.0"
    routes = v2.get_routes(ApiId=api["ApiId"])["Items"]
    assert [(r["RouteKey"], r["Target"]) for r in routes] == [
        ("$default", f"integrations/{integration['IntegrationId']}")
    ]
    assert [s["StageName"] for s in v2.get_stages(ApiId=api["ApiId"])["Items"]] == ["$default"]
    http = _policy(lam, names.function(""))["faas-http"]
    assert http["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert http["Condition"]["ArnLike"]["AWS:SourceArn"] == f"arn:aws:execute-api:eu-west-1:{account}:{api['ApiId']}/*"

    # Schedules: canonical cron translated to AWS's 6 fields, both targeting the alias.
    events = boto3.client("events")
    rules = {r["Name"]: r for r in events.list_rules(NamePrefix=names.prefix + "-")["Rules"]}
    assert {n: r["ScheduleExpression"] for n, r in rules.items()} == {
        f"{names.prefix}-tick-0": "cron(30 4 ? * MON-FRI *)",
        f"{names.prefix}-tick-1": "rate(1 hour)",
    }
    for name in rules:
        targets = events.list_targets_by_rule(Rule=name)["Targets"]
        assert [t["Arn"] for t in targets] == [provider.deployment.alias_arn("tick")]
        assert _policy(lam, names.function("tick"))[f"faas-rule-{name}"]["Principal"] == {
            "Service": "events.amazonaws.com"
        }

    # Storage trigger: the notification on the user's bucket, with the S3 permission.
    base = names.project
    notifications = boto3.client("s3").get_bucket_notification_configuration(Bucket=f"{base}-uploads")
    [entry] = notifications["LambdaFunctionConfigurations"]
    assert entry["LambdaFunctionArn"] == provider.deployment.alias_arn("thumbnail")
    assert sorted(entry["Events"]) == ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
    rules_ = {r["Name"].lower(): r["Value"] for r in entry["Filter"]["Key"]["FilterRules"]}
    assert rules_ == {"prefix": "img/", "suffix": ".jpg"}
    s3_statement = _policy(lam, names.function("thumbnail"))[f"faas-s3-{base}-uploads"]
    assert s3_statement["Principal"] == {"Service": "s3.amazonaws.com"}

    # Queue trigger: an event source mapping on the alias.
    [mapping] = lam.list_event_source_mappings(FunctionName=provider.deployment.alias_arn("thumbnail"))[
        "EventSourceMappings"
    ]
    assert mapping["EventSourceArn"].endswith(f":{base}-thumbs")
    assert mapping["BatchSize"] == 5
    mapping_tags = lam.list_tags(Resource=mapping["EventSourceMappingArn"])["Tags"]
    assert mapping_tags["faas:project"] == provider.project.name
    assert mapping_tags["faas:stage"] == provider.project.stage

    # Static bucket: files uploaded, public read policy, tagged.
    s3 = boto3.client("s3")
    bucket = env["FAAS_STATIC_BUCKET"]
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["js/app.js", "site.css"]
    assert s3.head_object(Bucket=bucket, Key="site.css")["ContentType"] == "text/css"
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Action"] == "s3:GetObject"
    assert {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}["faas:stage"] == "dev"

    # Log groups created with retention and tags.
    logs = boto3.client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{names.prefix}")["logGroups"]
    assert sorted(g["logGroupName"] for g in groups) == sorted(names.log_group(k) for k in ("", "tick", "thumbnail"))
    assert {g["retentionInDays"] for g in groups} == {14}


def test_execution_role_is_least_privilege(full_project: Any) -> None:
    provider, _ = deploy(full_project())
    names = provider.deployment.names
    account = provider.deployment.account
    iam = boto3.client("iam")
    role = iam.get_role(RoleName=names.role)["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert iam.list_attached_role_policies(RoleName=names.role)["AttachedPolicies"] == []
    document = iam.get_role_policy(RoleName=names.role, PolicyName="faas")["PolicyDocument"]
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert "*" not in actions and not any(a.endswith(":*") for a in actions), statement
        assert "*" not in resources, statement
    assert by_sid["OwnLogs"]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert sorted(by_sid["OwnLogs"]["Resource"]) == sorted(
        f"arn:aws:logs:eu-west-1:{account}:log-group:{names.log_group(k)}:*" for k in ("", "tick", "thumbnail")
    )
    assert by_sid["ReadTriggerObjects"] == {
        "Sid": "ReadTriggerObjects",
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": [f"arn:aws:s3:::{names.project}-uploads/img/*"],
    }
    assert by_sid["ConsumeQueues"]["Resource"] == [f"arn:aws:sqs:eu-west-1:{account}:{names.project}-thumbs"]
    assert "sqs:SendMessage" not in by_sid["ConsumeQueues"]["Action"]
    static = provider.deployment.session.client("lambda").get_function_configuration(FunctionName=names.function(""))
    bucket = static["Environment"]["Variables"]["FAAS_STATIC_BUCKET"]
    assert by_sid["StorageObjects"]["Resource"] == [f"arn:aws:s3:::{bucket}/*"]
    assert by_sid["User0"] == {
        "Sid": "User0",
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem"],
        "Resource": ["arn:aws:dynamodb:eu-west-1:123456789012:table/pups"],
    }


def test_redeploy_unchanged_makes_no_write_call(full_project: Any) -> None:
    _, first = deploy(full_project())
    provider = open_aws(full_project())
    calls = record_calls(provider)
    outcome = workflow.deploy(provider)
    assert outcome.plan.is_empty, outcome.plan.render()
    assert outcome.plan.summary() == "no changes"
    assert calls.writes == []
    assert calls.calls, "the plan must have looked"
    assert outcome.result is not None
    assert (outcome.result.changed, outcome.result.version, outcome.result.url) == (False, "1", first.result.url)


def test_secrets_never_reach_the_plan_or_messages(full_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    deploy(full_project())
    monkeypatch.setenv("FAAS_TEST_SECRET", "an0ther-secret-value")
    provider = open_aws(full_project())
    outcome = workflow.deploy(provider)
    rendered = "\n".join(outcome.plan.render()) + json.dumps(outcome.plan.to_json())
    assert "environment" in rendered and "API_KEY" in rendered
    assert "an0ther-secret-value" not in rendered and SECRET not in rendered
    messages = "\n".join(provider.reporter.messages + provider.reporter.warnings)
    assert "an0ther-secret-value" not in messages
    assert outcome.result.version == "2"


def test_config_change_updates_in_place_and_removes_what_went_away(full_project: Any, write_project: Any) -> None:
    deploy(full_project())
    # Drop the functions and storage: their Lambdas, rules, notification and mapping must go.
    # (Same architecture: moto's UpdateFunctionCode ignores Architectures, real Lambda applies it.)
    lean = write_project('[app]\nentry = "app:application"\nmemory = 1024\n[providers.aws]\narchitecture = "arm64"\n')
    provider, outcome = deploy(lean)
    changes = {(a.change, a.resource) for a in outcome.plan.actions}
    assert (Change.UPDATE, "lambda function") in changes
    assert (Change.DELETE, "lambda function") in changes
    assert (Change.DELETE, "schedule") in changes
    names = provider.deployment.names
    lam = boto3.client("lambda")
    functions = [
        f["FunctionName"] for f in lam.list_functions()["Functions"] if f["FunctionName"].startswith(names.prefix)
    ]
    assert functions == [names.function("")]
    assert lam.get_function_configuration(FunctionName=names.function(""), Qualifier="live")["MemorySize"] == 1024
    assert boto3.client("events").list_rules(NamePrefix=names.prefix + "-")["Rules"] == []
    notifications = boto3.client("s3").get_bucket_notification_configuration(Bucket=f"{names.project}-uploads")
    assert not notifications.get("LambdaFunctionConfigurations")
    assert workflow.deploy(open_aws(lean)).plan.is_empty
