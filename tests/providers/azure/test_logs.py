"""`faas logs --provider azure`: the site's logs through Application Insights into Log Analytics.

One deploy of the Flask example (with a route that prints) against one fake for the module; the
tests run in file order: read, filter, follow, redeploy, then undeploy last.
"""

from __future__ import annotations

import queue
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.mgmt.applicationinsights import ApplicationInsightsManagementClient
from azure.mgmt.loganalytics import LogAnalyticsManagementClient
from azure.mgmt.web import WebSiteManagementClient

from faas.core import workflow
from faas.core.config import load_project
from faas.core.errors import FaasError, NotDeployedError
from faas.core.results import LogRecord
from faas.providers.azure import monitoring
from tests.fakes.azure.fake import AzureFake

EXAMPLES = Path(__file__).parents[3] / "examples"
SHOUT = """

@app.get("/shout/<word>")
def shout(word: str):
    print(f"shouting {word}", flush=True)
    return jsonify(word=word)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project") / "flask"
    shutil.copytree(EXAMPLES / "flask", root)
    with (root / "app.py").open("a") as app:
        app.write(SHOUT)
    return root


def open_azure(root: Path) -> Any:
    return workflow.open_provider(load_project(root / "faas.toml"), "azure")


@pytest.fixture(scope="module")
def deployed(fake: AzureFake, project: Path) -> workflow.DeployOutcome:
    return workflow.deploy(open_azure(project), out_dir=project / ".faas-out")


def url_of(deployed: workflow.DeployOutcome) -> str:
    assert deployed.result is not None and deployed.result.url
    return deployed.result.url


def shout(fake: AzureFake, deployed: workflow.DeployOutcome, word: str) -> None:
    response = requests.get(url_of(deployed) + f"shout/{word}", verify=fake.ca_bundle, timeout=30)
    assert response.status_code == 200 and response.json() == {"word": word}


def wait_for(provider: Any, text: str, **options: Any) -> list[LogRecord]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        records = list(provider.logs(**options))
        if any(text in record.message for record in records):
            return records
        time.sleep(0.3)
    pytest.fail(f"no log line with {text!r} within 30 s")


def test_deploy_creates_a_workspace_and_a_component_the_site_sends_to(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    assert deployed.result is not None
    group, site = deployed.result.outputs["resource_group"], deployed.result.outputs["function_app"]
    deployment = open_azure(project).deployment
    workspace = fake.client(LogAnalyticsManagementClient).workspaces.get(group, monitoring.workspace_name(deployment))
    component = fake.client(ApplicationInsightsManagementClient).components.get(
        group, monitoring.component_name(deployment)
    )
    assert deployment.names.owns(workspace.tags) and deployment.names.owns(component.tags)
    assert component.kind == "web" and component.workspace_resource_id.lower() == workspace.id.lower()
    settings = fake.client(WebSiteManagementClient).web_apps.list_application_settings(group, site).properties
    assert settings[monitoring.SETTING] == component.connection_string
    assert "InstrumentationKey=" in settings[monitoring.SETTING]
    # the plan names the setting, never its value
    rendered = "\n".join(deployed.plan.render())
    assert "application insights" in rendered and component.connection_string not in rendered


def test_logs_show_the_requests_output_and_the_hosts_lines(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    shout(fake, deployed, "alpha")
    provider = open_azure(project)
    messages = [record.message for record in wait_for(provider, "shouting alpha")]
    output = messages.index("shouting alpha")
    executing = [i for i, m in enumerate(messages) if m.startswith("Executing 'Functions.faas_http'")]
    executed = [i for i, m in enumerate(messages) if m.startswith("Executed 'Functions.faas_http' (Succeeded")]
    assert executing and executed, messages
    assert max(i for i in executing if i < output) < output < min(i for i in executed if i > output)
    records = list(provider.logs())
    assert [r.timestamp for r in records] == sorted(r.timestamp for r in records)
    assert {r.source for r in records} == {provider.deployment.site}
    # the host's lines carry the invocation id as the operation id
    run = next(r for r in records if r.message.startswith("Executing 'Functions.faas_http'"))
    assert run.request_id and run.request_id in run.message
    # each query went to the workspace, filtered by the site's role name
    assert any(f'AppRoleName == @"{provider.deployment.site}"' in q for q in fake.log_analytics.queries)


def test_a_pattern_filters_the_lines(fake: AzureFake, project: Path, deployed: workflow.DeployOutcome) -> None:
    shout(fake, deployed, "alpha")  # its own lines: the module's other tests may run on another worker
    shout(fake, deployed, "bravo")
    provider = open_azure(project)
    messages = [r.message for r in wait_for(provider, "shouting bravo", pattern="SHOUTING")]
    assert "shouting alpha" in messages and "shouting bravo" in messages
    assert all("shouting" in m for m in messages)
    assert [r.message for r in provider.logs(pattern="shouting BRAVO")] == ["shouting bravo"]
    # a quote is part of the text searched for, not KQL
    assert list(provider.logs(pattern='shouting "b')) == []


def test_the_faas_logs_command_prints_the_lines(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    from click.testing import CliRunner

    from faas.core.cli.main import cli

    shout(fake, deployed, "charlie")
    wait_for(open_azure(project), "shouting charlie")
    config = str(project / "faas.toml")
    result = CliRunner().invoke(cli, ["logs", "--provider", "azure", "-c", config, "--filter", "charlie"])
    assert result.exit_code == 0, result.output
    site = open_azure(project).deployment.site
    lines = result.output.splitlines()
    assert any(line.endswith(f"{site} shouting charlie") for line in lines), result.output
    assert all("charlie" in line for line in lines)


def next_within(stream: Iterator[LogRecord], seconds: float = 30) -> LogRecord:
    box: queue.Queue[LogRecord] = queue.Queue()
    threading.Thread(target=lambda: box.put(next(stream)), daemon=True).start()
    try:
        return box.get(timeout=seconds)
    except queue.Empty:
        pytest.fail(f"follow yielded nothing within {seconds} s")


def test_follow_yields_each_new_line_once(fake: AzureFake, project: Path, deployed: workflow.DeployOutcome) -> None:
    stream = open_azure(project).logs(follow=True, pattern="shouting follow-")
    shout(fake, deployed, "follow-one")
    first = next_within(stream)
    shout(fake, deployed, "follow-two")
    second = next_within(stream)
    shout(fake, deployed, "follow-three")
    third = next_within(stream)
    stream.close()
    assert [first.message, second.message, third.message] == [
        "shouting follow-one",
        "shouting follow-two",
        "shouting follow-three",
    ]


def test_a_redeploy_that_changes_nothing_writes_nothing(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    before = len(fake.write_calls())
    again = workflow.deploy(open_azure(project), out_dir=project / ".faas-out")
    assert again.result is not None and again.result.changed is False
    assert [f"{c.method} {c.path}" for c in fake.write_calls()[before:]] == []


def test_undeploy_removes_the_workspace_and_the_component(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    provider = open_azure(project)
    names = provider.deployment.names
    workflow.undeploy(provider)
    assert fake.arm.of_type("Microsoft.OperationalInsights/workspaces") == []
    assert fake.arm.of_type("microsoft.insights/components") == []
    assert [d["id"] for d in fake.arm.resources.values() if names.owns(d.get("tags"))] == []
    with pytest.raises(NotDeployedError, match="not deployed"):
        list(open_azure(project).logs())


def test_a_deploy_interrupted_before_the_component_converges(
    azure_env: AzureFake, flask_project: Path, deploy: Any
) -> None:
    azure_env.fail_nth_call(1, status=409, code="Conflict", path_contains="/components/")
    with pytest.raises(FaasError, match="Conflict"):
        deploy(flask_project)
    assert azure_env.arm.of_type("Microsoft.OperationalInsights/workspaces")
    assert azure_env.arm.of_type("microsoft.insights/components") == []
    outcome = deploy(flask_project)
    assert outcome.result is not None
    [component] = azure_env.arm.of_type("microsoft.insights/components")
    group, site = outcome.result.outputs["resource_group"], outcome.result.outputs["function_app"]
    settings = azure_env.client(WebSiteManagementClient).web_apps.list_application_settings(group, site).properties
    assert settings[monitoring.SETTING] == component["properties"]["ConnectionString"]
    [workspace] = azure_env.arm.of_type("Microsoft.OperationalInsights/workspaces")  # the first one, not a second
    assert component["properties"]["WorkspaceResourceId"] == workspace["id"]
