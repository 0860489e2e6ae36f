"""The three front doors (HTTP API, REST API, Function URL) and switching between them."""

from __future__ import annotations

import json
from typing import Any

import boto3

from faas.core import workflow

from .conftest import deploy, open_aws, record_calls

APP = '[app]\nentry = "app:application"\n'


def _statements(provider: Any) -> dict[str, Any]:
    lam = boto3.client("lambda")
    try:
        policy = lam.get_policy(FunctionName=provider.deployment.names.function(""), Qualifier="live")["Policy"]
    except lam.exceptions.ResourceNotFoundException:
        return {}  # no statement left
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_rest_api_proxies_every_path_and_method_to_the_alias(write_project: Any) -> None:
    project = write_project(APP + '[providers.aws]\nfront_door = "rest-api"\n', stage="prod")
    provider, outcome = deploy(project)
    names = provider.deployment.names
    apigw = boto3.client("apigateway")
    [api] = [a for a in apigw.get_rest_apis()["items"] if a["name"] == names.api]
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert api["tags"]["faas:stage"] == "prod"
    assert outcome.result.url == f"https://{api['id']}.execute-api.eu-west-1.amazonaws.com/prod/"
    resources = {r["path"]: r for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert set(resources) == {"/", "/{proxy+}"}
    for resource in resources.values():
        integration = apigw.get_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY")
        assert integration["type"] == "AWS_PROXY"
        assert integration["uri"].endswith(f"function:{names.function('')}:live/invocations")
    assert apigw.get_stage(restApiId=api["id"], stageName="prod")["deploymentId"]
    source = _statements(provider)["faas-http"]["Condition"]["ArnLike"]["AWS:SourceArn"]
    assert source.endswith(f":{api['id']}/*")
    again = open_aws(project)
    calls = record_calls(again)
    assert workflow.deploy(again).plan.is_empty
    assert calls.writes == []


def test_function_url_on_the_alias_and_switching_front_doors(write_project: Any) -> None:
    provider, first = deploy(write_project(APP))
    names = provider.deployment.names
    v2 = boto3.client("apigatewayv2")
    assert [a for a in v2.get_apis()["Items"] if a["Name"] == names.api]

    provider, outcome = deploy(write_project(APP + '[providers.aws]\nfront_door = "function-url"\n'))
    assert {(a.change.value, a.resource) for a in outcome.plan.actions} >= {
        ("delete", "http api"),
        ("create", "function url"),
    }
    assert not [a for a in v2.get_apis()["Items"] if a["Name"] == names.api]
    url = boto3.client("lambda").get_function_url_config(FunctionName=names.function(""), Qualifier="live")
    assert url["AuthType"] == "NONE"
    assert outcome.result.url == url["FunctionUrl"] != first.result.url
    statements = _statements(provider)
    assert "faas-http" not in statements
    assert statements["faas-url"]["Action"] == "lambda:InvokeFunctionUrl"
    assert statements["faas-url-invoke"]["Action"] == "lambda:InvokeFunction"
    assert provider.status().url == outcome.result.url

    provider, outcome = deploy(write_project(APP + '[providers.aws]\nfront_door = "function-url"\nprivate = true\n'))
    assert (
        boto3.client("lambda").get_function_url_config(FunctionName=names.function(""), Qualifier="live")["AuthType"]
        == "AWS_IAM"
    )
    assert "faas-url" not in _statements(provider)

    provider, outcome = deploy(write_project(APP))
    assert [a for a in v2.get_apis()["Items"] if a["Name"] == names.api]
    assert provider.status().url == outcome.result.url
    assert workflow.deploy(open_aws(write_project(APP))).plan.is_empty
