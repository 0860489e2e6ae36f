"""A deploy that fails part-way names the failed step, and the next deploy converges from there."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.exceptions
import pytest

from faas.core import workflow
from faas.core.errors import DeployError

from .conftest import deploy, open_aws, record_calls


@pytest.fixture
def project(write_project: Any) -> Any:
    base = write_project.base
    boto3.client("s3").create_bucket(Bucket=f"{base}-in", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    boto3.client("sqs").create_queue(QueueName=f"{base}-q")
    config = f"""
[app]
entry = "app:application"
memory = {{memory}}

[[functions]]
name = "tick"
entry = "tasks:tick"
triggers = [{{ schedule = "rate(5 minutes)" }}, {{ storage = {{ bucket = "{base}-in" }} }}, {{ queue = "{base}-q" }}]

[storage.media]
source = "media"
"""

    def make(version: str = "1", memory: int = 512) -> Any:
        return write_project(config.replace("{memory}", str(memory)), version=version, files={"media/a.txt": "a"})

    return make


def _injected(operation: str) -> botocore.exceptions.ClientError:
    return botocore.exceptions.ClientError({"Error": {"Code": "InjectedFailure", "Message": "injected"}}, operation)


def _assert_converged(project: Any) -> None:
    provider = open_aws(project)
    _, plan = workflow.plan_deploy(provider)
    assert plan.is_empty, plan.render()
    names = provider.deployment.names
    lam = boto3.client("lambda")
    functions = sorted(
        f["FunctionName"] for f in lam.list_functions()["Functions"] if f["FunctionName"].startswith(names.prefix)
    )
    assert functions == [names.function(""), names.function("tick")]
    apis = [a for a in boto3.client("apigatewayv2").get_apis()["Items"] if a["Name"] == names.api]
    assert len(apis) == 1, "no duplicate API after a retried deploy"
    v2 = boto3.client("apigatewayv2")
    assert len(v2.get_routes(ApiId=apis[0]["ApiId"])["Items"]) == 1
    mappings = lam.list_event_source_mappings(FunctionName=provider.deployment.alias_arn("tick"))["EventSourceMappings"]
    assert len(mappings) == 1
    for key in ("", "tick"):
        alias = lam.get_alias(FunctionName=names.function(key), Name="live")["FunctionVersion"]
        served = lam.get_function_configuration(FunctionName=names.function(key), Qualifier=alias)
        latest = lam.get_function_configuration(FunctionName=names.function(key))
        assert served["CodeSha256"] == latest["CodeSha256"], "the alias serves the deployed code"


FIRST_DEPLOY_STEPS = [
    ("CreateRole", "iam role"),
    ("CreateBucket", "s3 bucket"),
    ("CreateFunction", "lambda function"),
    ("CreateAlias", "lambda function"),
    ("CreateApi", "http api"),
    ("AddPermission", "permission"),
    ("PutRule", "schedule"),
    ("PutBucketNotificationConfiguration", "s3 notification"),
    ("CreateEventSourceMapping", "queue mapping"),
]


@pytest.mark.parametrize(("operation", "step"), FIRST_DEPLOY_STEPS, ids=[op for op, _ in FIRST_DEPLOY_STEPS])
def test_failed_first_deploy_converges(project: Any, operation: str, step: str) -> None:
    provider = open_aws(project())
    calls = record_calls(provider)
    calls.fail[operation] = _injected(operation)
    with pytest.raises(DeployError) as failure:
        workflow.deploy(provider)
    assert failure.value.step.startswith(("create", "update")) and step in failure.value.step
    assert "InjectedFailure" in failure.value.reason
    _, outcome = deploy(project())
    assert outcome.result.url
    _assert_converged(project())


UPDATE_STEPS = ["UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias"]


@pytest.mark.parametrize("operation", UPDATE_STEPS)
def test_failed_update_keeps_the_old_version_live_and_converges(project: Any, operation: str) -> None:
    _, first = deploy(project())
    # Code and configuration both change, so every update call is made.
    provider = open_aws(project(version="2", memory=1024))
    calls = record_calls(provider)
    calls.fail[operation] = _injected(operation)
    with pytest.raises(DeployError) as failure:
        workflow.deploy(provider)
    assert "lambda function" in failure.value.step
    names = provider.deployment.names
    live = boto3.client("lambda").get_alias(FunctionName=names.function(""), Name="live")["FunctionVersion"]
    assert live == first.result.version, "a failed update never moves the alias"
    _, outcome = deploy(project(version="2", memory=1024))
    assert outcome.result.version != first.result.version
    _assert_converged(project(version="2", memory=1024))


def test_resource_deleted_between_plan_and_apply(project: Any) -> None:
    deploy(project())
    provider = open_aws(project(version="2"))
    artifact, plan = workflow.plan_deploy(provider)
    names = provider.deployment.names
    v2 = boto3.client("apigatewayv2")
    [api] = [a for a in v2.get_apis()["Items"] if a["Name"] == names.api]
    v2.delete_api(ApiId=api["ApiId"])
    events = boto3.client("events")
    events.remove_targets(Rule=names.rule("tick", 0), Ids=["faas"])
    events.delete_rule(Name=names.rule("tick", 0))
    provider.apply(plan, artifact)  # the plan did not know; nothing it does depends on those
    _, outcome = deploy(project(version="2"))
    resources = {a.resource for a in outcome.plan.actions}
    assert {"http api", "schedule"} <= resources
    _assert_converged(project(version="2"))
