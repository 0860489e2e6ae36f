"""status, logs, invoke, manage, rollback and undeploy against the moto server."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from faas.core import workflow
from faas.core.errors import UsageError

from .conftest import deploy, open_aws

CONFIG = """
[app]
entry = "app:application"
framework = "django"

[[functions]]
name = "tick"
entry = "tasks:tick"
triggers = [{ schedule = "rate(2 hours)" }]

[storage.static]
source = "assets"
"""


@pytest.fixture
def project(write_project: Any) -> Any:
    return lambda version="1": write_project(CONFIG, version=version, files={"assets/x.css": "x"})


def test_status_lists_what_is_deployed(project: Any) -> None:
    provider, outcome = deploy(project())
    status = provider.status()
    assert status.deployed and status.url == outcome.result.url
    assert (status.version, status.serving) == ("1", "live")
    assert status.last_deploy is not None and status.last_deploy > datetime.now(UTC) - timedelta(hours=1)
    kinds = {r.kind for r in status.resources}
    assert {"function", "log group", "http-api", "schedule", "iam role", "bucket"} <= kinds
    [schedule] = [r for r in status.resources if r.kind == "schedule"]
    assert schedule.detail == "rate(2 hours)"
    # The CLI shows the alias as what the version serves through; --json names the field neutrally.
    from click.testing import CliRunner

    from faas.core.cli.main import cli

    config = str(provider.project.source)
    text = CliRunner().invoke(cli, ["status", "--provider", "aws", "-c", config])
    assert text.exit_code == 0, text.output
    assert "Version: 1\nServing through: live\n" in text.output
    document = CliRunner().invoke(cli, ["status", "--provider", "aws", "-c", config, "--json"])
    assert document.exit_code == 0, document.output
    data = json.loads(document.output)
    assert (data["version"], data["serving"]) == ("1", "live") and "alias" not in data


def test_status_of_nothing_deployed(write_project: Any) -> None:
    status = open_aws(write_project(CONFIG, stage="nope")).status()
    assert not status.deployed and status.resources == () and status.url is None


def test_invoke_and_manage_go_through_the_alias(project: Any) -> None:
    provider, _ = deploy(project())
    # moto's Lambda without Docker answers every invoke with a fixed body; what is checked here is the
    # call: the qualified function, the RequestResponse type and the decoded log tail.
    result = provider.invoke({"ping": 1}, function="tick")
    assert result.error is None
    assert result.payload is not None
    managed = provider.manage(["migrate", "--noinput"])
    assert managed.error is None
    with pytest.raises(UsageError, match="no function 'nope'"):
        provider.invoke({}, function="nope")


def test_logs_filter_and_since(project: Any) -> None:
    provider, _ = deploy(project())
    names = provider.deployment.names
    logs = boto3.client("logs")
    now = int(time.time() * 1000)
    for key, message in (("", "START RequestId: abc-123 Version: 1"), ("tick", "ticked OK"), ("", "GET /hello 200")):
        group = names.log_group(key)
        stream = f"s{now}"
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": now, "message": message}]
        )
        now += 1
    records = list(provider.logs(since=datetime.now(UTC) - timedelta(minutes=5)))
    assert [r.message for r in records] == ["START RequestId: abc-123 Version: 1", "ticked OK", "GET /hello 200"]
    assert records[0].request_id == "abc-123"
    assert records[1].source == names.function("tick")
    assert [r.message for r in provider.logs(pattern="ticked")] == ["ticked OK"]


def test_logs_follow_keeps_polling(project: Any) -> None:
    provider, _ = deploy(project())
    logs = boto3.client("logs")
    group = provider.deployment.names.log_group("")
    logs.create_log_stream(logGroupName=group, logStreamName="follow")

    def put(message: str) -> None:
        event = {"timestamp": int(time.time() * 1000), "message": message}
        logs.put_log_events(logGroupName=group, logStreamName="follow", logEvents=[event])

    put("first")
    stream = provider.logs(since=datetime.now(UTC) - timedelta(minutes=1), follow=True)
    assert next(stream).message == "first"
    put("second")
    assert next(stream).message == "second"
    stream.close()


def test_rollback_to_a_given_version_moves_every_alias(project: Any) -> None:
    deploy(project("1"))
    deploy(project("2"))
    provider, third = deploy(project("3"))
    assert third.result.version == "3"
    rolled = provider.rollback(to="1")
    assert (rolled.previous_version, rolled.current_version) == ("3", "1")
    lam = boto3.client("lambda")
    names = provider.deployment.names
    assert lam.get_alias(FunctionName=names.function("tick"), Name="live")["FunctionVersion"] == "1"
    assert provider.status().version == "1"
    with pytest.raises(UsageError, match="no version 9"):
        provider.rollback(to="9")
    with pytest.raises(UsageError, match="first deployed version"):
        provider.rollback()
    # The next deploy of the same code moves the alias forward again (a new version, same code).
    again = workflow.deploy(open_aws(project("3")))
    assert again.result.changed and again.plan.count(again.plan.actions[0].change) >= 1


def _tagged(names: Any) -> list[str]:
    tagging = boto3.client("resourcegroupstaggingapi")
    filters = [{"Key": "faas:project", "Values": [names.project]}, {"Key": "faas:stage", "Values": [names.stage]}]
    return [r["ResourceARN"] for r in tagging.get_resources(TagFilters=filters)["ResourceTagMappingList"]]


def test_undeploy_removes_everything_tagged(project: Any) -> None:
    provider, _ = deploy(project())
    names = provider.deployment.names
    assert _tagged(names)
    plan = workflow.undeploy(provider)
    assert plan.actions and all(a.change.value == "delete" for a in plan.actions)
    assert _tagged(names) == []
    lam = boto3.client("lambda")
    assert not [f for f in lam.list_functions()["Functions"] if f["FunctionName"].startswith(names.prefix)]
    assert boto3.client("events").list_rules(NamePrefix=names.prefix + "-")["Rules"] == []
    assert not [r for r in boto3.client("iam").list_roles()["Roles"] if r["RoleName"] == names.role]
    groups = boto3.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{names.prefix}")["logGroups"]
    assert groups == []
    assert not [a for a in boto3.client("apigatewayv2").get_apis()["Items"] if a["Name"] == names.api]
    assert not [b for b in boto3.client("s3").list_buckets()["Buckets"] if b["Name"].startswith(names.prefix)]
    assert not provider.status().deployed
    assert workflow.undeploy(open_aws(project())).actions == ()


def test_undeploy_keeps_the_artifact_bucket_when_asked(write_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # The mode comes from the environment so that faas.toml (which is packaged) stays byte-identical.
    config = '[app]\nentry = "app:application"\nenvironment = { MODE = "${env:FAAS_TEST_MODE}" }\n'
    config += '[providers.aws]\nartifact_upload = "s3"\n'
    monkeypatch.setenv("FAAS_TEST_MODE", "one")
    project = write_project(config)
    provider, _ = deploy(project)
    names = provider.deployment.names
    bucket = names.bucket("artifacts", provider.deployment.account, provider.deployment.region)
    s3 = boto3.client("s3")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"]
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    [stored] = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert stored["Key"].endswith(".zip")
    # A configuration-only change sends no code: no upload, no new object.
    monkeypatch.setenv("FAAS_TEST_MODE", "two")
    outcome = workflow.deploy(open_aws(write_project(config)))
    assert outcome.plan.actions
    assert "artifact" not in {a.resource for a in outcome.plan.actions}, outcome.plan.render()
    assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == 1
    # New code is uploaded once, keyed by its sha256.
    outcome = workflow.deploy(open_aws(write_project(config, version="2")))
    [upload] = [a for a in outcome.plan.actions if a.resource == "artifact"]
    assert outcome.artifact.sha256 in upload.name
    assert len(s3.list_objects_v2(Bucket=bucket)["Contents"]) == 2
    workflow.undeploy(open_aws(project), keep_artifacts=True)
    assert s3.head_bucket(Bucket=bucket)
    assert [r for r in _tagged(names) if ":s3:::" not in r] == []
    workflow.undeploy(open_aws(project))
    assert _tagged(names) == []
