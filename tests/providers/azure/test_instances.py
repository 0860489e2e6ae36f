"""min_instances, max_instances and concurrency of the app on Azure: Flex Consumption's always-ready
instances of the http group, its scale-out limit and HTTP concurrency, against the fake's ARM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.web import WebSiteManagementClient

from faas import ConfigError
from faas.core import workflow
from faas.core.config import load_project
from faas.core.reporting import NullReporter
from tests.fakes.azure.fake import AzureFake


def configure(root: Path, app: str) -> Path:
    config = root / "faas.toml"
    config.write_text(config.read_text().replace("timeout = 10\n", f"timeout = 10\n{app}"))
    return root


def scale_of(fake: AzureFake, outcome: Any) -> dict[str, Any]:
    group, site = outcome.result.outputs["resource_group"], outcome.result.outputs["function_app"]
    found = fake.client(WebSiteManagementClient).web_apps.get(group, site)
    return dict(found.function_app_config.as_dict()["scaleAndConcurrency"])


def test_warm_instances_are_always_ready_and_billed(azure_env: AzureFake, flask_project: Path, deploy: Any) -> None:
    configure(flask_project, "min_instances = 2\nmax_instances = 20\nconcurrency = 40\n")
    outcome = deploy(flask_project)
    scale = scale_of(azure_env, outcome)
    assert scale["alwaysReady"] == [{"name": "http", "instanceCount": 2}]
    assert scale["maximumInstanceCount"] == 20
    assert scale["triggers"] == {"http": {"perInstanceConcurrency": 40}}
    assert any("2 always-ready instance(s)" in n and "billed while idle" in n for n in outcome.plan.notes)
    # an unchanged redeploy writes nothing
    before = len(azure_env.write_calls())
    again = deploy(flask_project)
    assert not again.result.changed and azure_env.write_calls()[before:] == []

    # back to scale-to-zero: the always-ready entry goes, the site is updated in place
    config = flask_project / "faas.toml"
    config.write_text(config.read_text().replace("min_instances = 2\n", ""))
    third = deploy(flask_project)
    assert [a.resource for a in third.plan.actions if a.resource == "function app"] == ["function app"]
    assert not scale_of(azure_env, third).get("alwaysReady")
    assert not any("always-ready" in n for n in third.plan.notes)


def test_a_function_cannot_have_its_own_instances(azure_env: AzureFake, flask_project: Path) -> None:
    config = flask_project / "faas.toml"
    config.write_text(
        config.read_text() + '\n[[functions]]\nname = "tick"\nentry = "app:app"\nmin_instances = 1\n'
        'triggers = [{ schedule = "rate(5 minutes)" }]\n'
    )
    provider = workflow.open_provider(load_project(config), "azure", reporter=NullReporter())
    before = len(azure_env.write_calls())
    with pytest.raises(ConfigError, match=r"\[\[functions\]\] tick: min_instances.*set them under \[app\]"):
        workflow.deploy(provider, out_dir=flask_project / ".faas-out")
    assert azure_env.write_calls()[before:] == []
