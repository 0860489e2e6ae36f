"""min_instances / max_instances on AWS (moto_plus): provisioned concurrency on the alias, reserved
concurrency on the function; the plan states the cost; no-op re-deploy; removal and undeploy."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from faas.core import workflow
from faas.core.errors import ConfigError

from .conftest import deploy, open_aws, record_calls

WARM = """
[app]
entry = "app:application"
interface = "wsgi"
memory = 1024
min_instances = 1
max_instances = 5

[[functions]]
name = "tick"
entry = "tasks:tick"
max_instances = 2
triggers = [{ schedule = "rate(1 hour)" }]
"""
COLD = WARM.replace("min_instances = 1\n", "").replace("max_instances = 5\n", "").replace("max_instances = 2\n", "")


def settings(provider: Any, key: str) -> tuple[int | None, int | None]:
    lam = boto3.client("lambda")
    name = provider.deployment.names.function(key)
    reserved = lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
    try:
        config = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=provider.deployment.names.alias)
        provisioned = config["RequestedProvisionedConcurrentExecutions"]
    except lam.exceptions.ProvisionedConcurrencyConfigNotFoundException:
        provisioned = None
    return provisioned, reserved


def test_warm_and_max_instances_are_set_shown_kept_and_removed(write_project: Any) -> None:
    provider, outcome = deploy(write_project(WARM))
    assert settings(provider, "") == (1, 5)
    assert settings(provider, "tick") == (None, 2)
    notes = "\n".join(outcome.plan.notes)
    # 1 instance x 1 GB x 730 h x $0.0000041667 per GB-s
    assert "1 warm instance(s) (provisioned concurrency) are billed while idle: about $10.95 a month" in notes
    details = {d for action in outcome.plan.actions if action.resource == "lambda concurrency" for d in action.details}
    assert ("warm instances (provisioned)", "(none)", "1") in details
    assert ("max instances (reserved)", "(none)", "5") in details

    again = open_aws(write_project(WARM))
    calls = record_calls(again)
    assert workflow.deploy(again).plan.is_empty
    assert calls.writes == []

    # A new version: the provisioned concurrency stays on the alias, which now points at it.
    provider, outcome = deploy(write_project(WARM, version="2"))
    assert outcome.result.version == "2"
    assert settings(provider, "") == (1, 5)

    provider, outcome = deploy(write_project(COLD, version="2"))
    assert settings(provider, "") == (None, None)
    assert settings(provider, "tick") == (None, None)
    assert not any("billed" in note for note in outcome.plan.notes)

    deploy(write_project(WARM, version="2"))
    workflow.undeploy(open_aws(write_project(WARM, version="2")))
    lam = boto3.client("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=provider.deployment.names.function(""))


def test_per_instance_concurrency_is_refused_on_lambda(write_project: Any) -> None:
    provider = open_aws(write_project('[app]\nentry = "app:application"\nconcurrency = 10\n'))
    with pytest.raises(ConfigError, match="AWS Lambda serves one request per instance; remove concurrency") as caught:
        provider.check_config()
    assert "app.concurrency" in str(caught.value)
    open_aws(write_project('[app]\nentry = "app:application"\nconcurrency = 1\n')).check_config()
