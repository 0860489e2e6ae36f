"""The provider conformance suite, run against a real moto server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.exceptions
import pytest

from faas.core.plugins import Provider
from faas.core.results import DeployResult
from faas.core.testing.conformance import ProviderConformance
from faas.providers.aws.provider import AwsProvider

from .conftest import _READ_PREFIXES


class NthWriteFails:
    """A botocore before-call hook: counts mutating calls and fails the n-th, as an AWS error would."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.writes = 0

    def __call__(self, model: Any, **_: Any) -> None:
        if model.name.startswith(_READ_PREFIXES):
            return
        self.writes += 1
        if self.writes == self.n:
            error = {"Error": {"Code": "InjectedFailure", "Message": f"injected at write {self.n}"}}
            raise botocore.exceptions.ClientError(error, model.name)


class TestAwsConformance(ProviderConformance):
    provider_name = "aws"
    can_execute = False  # moto stores functions but cannot run them; the local provider runs the artifact

    @pytest.fixture
    def cloud(self, aws_env: str) -> Iterator[None]:
        yield

    @pytest.fixture
    def stage(self, request: pytest.FixtureRequest) -> str:
        # One stage per test keeps tests independent on the shared server.
        return "c" + str(abs(hash(request.node.name)) % 10**8)

    def inject_fault(self, provider: Provider, n: int) -> Callable[[], int]:
        assert isinstance(provider, AwsProvider)
        hook = NthWriteFails(n)
        provider.deployment.session.boto.events.register("before-call", hook)
        return lambda: hook.writes

    def verify_schedule(self, provider: Provider, function: str, schedule: str) -> None:
        assert isinstance(provider, AwsProvider)
        assert schedule == "cron(15 10 * * MON-FRI)"
        rule = boto3.client("events").describe_rule(Name=provider.deployment.names.rule(function, 0))
        assert rule["ScheduleExpression"] == "cron(15 10 ? * MON-FRI *)"

    def verify_deployed(self, provider: Provider, result: DeployResult) -> None:
        assert isinstance(provider, AwsProvider)
        names = provider.deployment.names
        client = boto3.client("lambda")
        app = client.get_function(FunctionName=names.function(""))
        assert app["Configuration"]["Handler"] == "faas_entry.handler"
        assert app["Tags"]["faas:stage"] == provider.project.stage
        alias = client.get_alias(FunctionName=names.function(""), Name="live")
        assert alias["FunctionVersion"] == result.version
        tick = client.get_function_configuration(FunctionName=names.function("tick"))
        assert tick["Environment"]["Variables"]["FAAS_FUNCTION"] == "tick"
        apis = [a for a in boto3.client("apigatewayv2").get_apis()["Items"] if a["Name"] == names.api]
        assert len(apis) == 1
        assert result.url == apis[0]["ApiEndpoint"].rstrip("/") + "/"
