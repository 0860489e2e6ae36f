"""`[providers.azure] vnet = { subnet = ... }`: the Flex site joins a subnet delegated to
Microsoft.App/environments, which the test creates through azure-mgmt-network in the fake's ARM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.web import WebSiteManagementClient
from click.testing import CliRunner

from faas import ConfigError
from faas.core import workflow
from faas.core.cli.main import cli
from faas.core.config import load_project
from faas.core.reporting import NullReporter
from tests.fakes.azure.fake import AzureFake
from tests.fakes.azure.prerequisites import make_subnet


def with_vnet(root: Path, subnet: str, plan: str = "") -> Path:
    config = root / "faas.toml"
    config.write_text(config.read_text() + f'\n[providers.azure]\n{plan}vnet = {{ subnet = "{subnet}" }}\n')
    return root


def test_the_site_joins_the_delegated_subnet(azure_env: AzureFake, flask_project: Path, deploy: Any) -> None:
    subnet = make_subnet(azure_env)
    outcome = deploy(with_vnet(flask_project, subnet))
    group, site = outcome.result.outputs["resource_group"], outcome.result.outputs["function_app"]
    found = azure_env.client(WebSiteManagementClient).web_apps.get(group, site)
    assert str(found.virtual_network_subnet_id).lower() == subnet.lower()
    before = len(azure_env.write_calls())
    assert not deploy(flask_project).result.changed and azure_env.write_calls()[before:] == []


def test_a_subnet_not_delegated_is_refused_before_any_write(
    azure_env: AzureFake, flask_project: Path, deploy: Any
) -> None:
    subnet = make_subnet(azure_env, delegated=False)
    before = len(azure_env.write_calls())
    with pytest.raises(ConfigError, match=r"not delegated to Microsoft.App/environments.*--delegations"):
        deploy(with_vnet(flask_project, subnet))
    assert azure_env.write_calls()[before:] == []


@pytest.mark.parametrize(
    ("subnet", "plan", "message"),
    [
        (
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v",
            "",
            "not a subnet resource id",
        ),
        (
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
            'plan = "premium"\n',
            "plan = 'flex' only",
        ),
    ],
)
def test_a_bad_vnet_is_refused_before_any_call(
    azure_env: AzureFake, flask_project: Path, subnet: str, plan: str, message: str
) -> None:
    before = len(azure_env.calls)
    with pytest.raises(ConfigError, match=message):
        project = load_project(with_vnet(flask_project, subnet, plan) / "faas.toml")
        workflow.open_provider(project, "azure", reporter=NullReporter()).options  # noqa: B018
    assert len(azure_env.calls) == before


def test_the_platform_refuses_a_subnet_not_delegated(
    azure_env: AzureFake, flask_project: Path, deploy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without faas's own check, ARM's site PUT is what refuses it (as Azure does for Flex).
    from faas import DeployError
    from faas.providers.azure import network

    monkeypatch.setattr(network, "check_subnet", lambda deployment: None)
    subnet = make_subnet(azure_env, delegated=False)
    with pytest.raises(DeployError, match=r"must be delegated to Microsoft.App/environments"):
        deploy(with_vnet(flask_project, subnet))


def test_doctor_warns_that_the_subnet_needs_a_nat_gateway_for_the_internet(flask_project: Path) -> None:
    subnet = "/subscriptions/s/resourceGroups/network/providers/Microsoft.Network/virtualNetworks/app-vnet/subnets/apps"
    config = with_vnet(flask_project, subnet) / "faas.toml"
    result = CliRunner().invoke(cli, ["doctor", "--provider", "azure", "-c", str(config), "--json"])
    (finding,) = [f for f in json.loads(result.output)["findings"] if f["check"] == "network"]
    assert not finding["ok"] and "NAT gateway" in finding["message"] and "nat-gateway" in finding["action"]
