"""`snap_start = true` against moto_plus: the request faas sends, what the plan says, what it refuses."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from faas.core import workflow
from faas.core.errors import ConfigError

from .conftest import deploy, open_aws, record_calls

APP = '[app]\nentry = "app:application"\ninterface = "wsgi"\n'
SNAP = APP + "[providers.aws]\nsnap_start = true\n"


def snap_start(provider: Any, qualifier: str | None = None) -> dict[str, str]:
    name = provider.deployment.names.function("")
    extra = {"Qualifier": qualifier} if qualifier else {}
    return dict(boto3.client("lambda").get_function_configuration(FunctionName=name, **extra)["SnapStart"])


def test_snap_start_on_published_versions_then_off(write_project: Any) -> None:
    provider, outcome = deploy(write_project(SNAP))
    assert any("SnapStart" in note and "billed" in note for note in outcome.plan.notes)
    assert snap_start(provider)["ApplyOn"] == "PublishedVersions"
    assert snap_start(provider, provider.deployment.names.alias) == {
        "ApplyOn": "PublishedVersions",
        "OptimizationStatus": "On",
    }

    again = open_aws(write_project(SNAP))
    calls = record_calls(again)
    assert workflow.deploy(again).plan.is_empty
    assert calls.writes == []

    provider, outcome = deploy(write_project(APP))
    details = [d for action in outcome.plan.actions for d in action.details]
    assert ("snap start", "PublishedVersions", "None") in details
    assert snap_start(provider, provider.deployment.names.alias)["ApplyOn"] == "None"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('python = "3.11"\n' + SNAP, "Lambda SnapStart runs python 3.12 and later; this project is python 3.11"),
        (SNAP.replace("interface", "min_instances = 1\ninterface"), "cannot be used on the same function"),
    ],
)
def test_what_lambda_refuses_is_refused_before_any_call(write_project: Any, body: str, message: str) -> None:
    provider = open_aws(write_project(body))
    calls = record_calls(provider)
    with pytest.raises(ConfigError, match=message) as caught:
        provider.check_config()
    assert "providers.aws.snap_start" in str(caught.value)
    assert calls.calls == []
