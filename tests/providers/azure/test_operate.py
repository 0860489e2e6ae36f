"""One Flex deploy of the Flask example, then what a user does with it: re-deploy, settings, invoke, manage.

A deploy against the fake takes minutes, so the module shares one fake and one deployment; the tests
run in file order and each says what state it leaves.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.mgmt.web import WebSiteManagementClient
from azure.mgmt.web.models import StringDictionary

from faas.core import workflow
from faas.core.config import load_project
from faas.core.errors import DeployError, UsageError
from faas.providers.azure.site import flex_rejected
from tests.fakes.azure.fake import AzureFake

TASKS = """
def tick(event, context):
    return {"ticked": event}
"""
FUNCTIONS = """
[[functions]]
name = "tick"
entry = "tasks:tick"

"""
EXAMPLES = Path(__file__).parents[3] / "examples"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project") / "flask"
    shutil.copytree(EXAMPLES / "flask", root)
    (root / "tasks.py").write_text(TASKS)
    with (root / "faas.toml").open("a") as config:
        config.write(FUNCTIONS)
    return root


@pytest.fixture(scope="module")
def deployed(fake: AzureFake, project: Path) -> workflow.DeployOutcome:
    return workflow.deploy(open_azure(project), out_dir=project / ".faas-out")


def open_azure(root: Path) -> Any:
    return workflow.open_provider(load_project(root / "faas.toml"), "azure")


def names_sent(body: Any) -> set[str]:
    """Every app-setting name in a request body: a settings PUT's properties, a site PUT's appSettings."""
    if not isinstance(body, dict):
        return set()
    found: set[str] = set()
    properties = body.get("properties")
    if isinstance(properties, dict):
        for pair in (properties.get("siteConfig") or {}).get("appSettings") or []:
            found.add(str(pair.get("name")))
    return found


def site_of(deployed: workflow.DeployOutcome) -> tuple[str, str]:
    assert deployed.result is not None
    return deployed.result.outputs["resource_group"], deployed.result.outputs["function_app"]


def test_url_serves_the_flask_example_at_its_root_over_https(fake: AzureFake, deployed: workflow.DeployOutcome) -> None:
    assert deployed.result is not None and deployed.result.url is not None
    assert deployed.result.url.startswith("https://")
    response = requests.get(deployed.result.url, verify=fake.ca_bundle, timeout=30)
    assert response.status_code == 200
    assert response.json()["message"] == "Hello from Flask"
    assert response.json()["path"] == "/"
    item = requests.get(deployed.result.url + "items/x?a=1", verify=fake.ca_bundle, timeout=30)
    assert item.status_code == 200 and item.json() == {"name": "x", "args": {"a": ["1"]}}


def test_no_setting_flex_refuses_is_ever_sent(fake: AzureFake, deployed: workflow.DeployOutcome) -> None:
    sent: set[str] = set()
    for call in fake.calls:
        if call.method == "PUT" and call.path.lower().endswith("/config/appsettings"):
            sent |= set((call.body or {}).get("properties") or {})
        elif call.method == "PUT" and "/microsoft.web/sites/" in call.path.lower():
            sent |= names_sent(call.body)
    assert "AzureWebJobsStorage__accountName" in sent  # the log really holds the settings faas sent
    assert sorted(name for name in sent if flex_rejected(name)) == []


def test_a_deploy_that_changes_nothing_writes_nothing(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    _group, site = site_of(deployed)
    before, publishes = len(fake.write_calls()), len(fake.kudu.for_site(site).deployments)
    again = workflow.deploy(open_azure(project), out_dir=project / ".faas-out")
    assert again.result is not None and again.result.changed is False
    assert [f"{c.method} {c.path}" for c in fake.write_calls()[before:]] == []
    assert len(fake.kudu.for_site(site).deployments) == publishes
    assert deployed.result is not None and again.result.url == deployed.result.url


def test_a_setting_added_out_of_band_survives_a_redeploy(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    group, site = site_of(deployed)
    web = fake.client(WebSiteManagementClient)
    settings = dict(web.web_apps.list_application_settings(group, site).properties or {})
    web.web_apps.update_application_settings(
        group, site, StringDictionary(properties={**settings, "ADDED_IN_PORTAL": "kept"})
    )
    # a change faas must write: the app's environment gains a variable
    config = project / "faas.toml"
    config.write_text(config.read_text().replace("timeout = 10\n", 'timeout = 10\nenvironment = { GREETING = "hi" }\n'))
    before = len(fake.write_calls())
    workflow.deploy(open_azure(project), out_dir=project / ".faas-out")
    assert any(c.path.lower().endswith("/config/appsettings") for c in fake.write_calls()[before:])
    now = web.web_apps.list_application_settings(group, site).properties or {}
    assert now["ADDED_IN_PORTAL"] == "kept"
    assert now["GREETING"] == "hi"
    assert now["AzureWebJobsStorage__credential"] == "managedidentity"


def test_invoke_runs_a_function_through_the_key_protected_route(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    provider = open_azure(project)
    result = provider.invoke({"n": 1}, "tick")
    assert result.error is None, result.error
    assert result.payload == {"ticked": {"n": 1}}
    # the route faas uses is not public: without a key the front end refuses it
    assert deployed.result is not None and deployed.result.url is not None
    anonymous = requests.post(deployed.result.url + "_faas/invoke", json={}, verify=fake.ca_bundle, timeout=30)
    assert anonymous.status_code == 401
    with pytest.raises(UsageError, match="no function 'nope'"):
        provider.invoke({}, "nope")


def test_manage_runs_a_flask_command_in_the_deployed_app(project: Path, deployed: workflow.DeployOutcome) -> None:
    result = open_azure(project).manage(["routes"])
    assert result.exit_status == 0, result.payload
    assert "/items/<name>" in str(result.payload)
    failed = open_azure(project).manage(["no-such-command"])
    assert failed.exit_status not in (0, None)


def test_rollback_republishes_the_previous_release_with_its_settings(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    group, site = site_of(deployed)
    assert deployed.result is not None and deployed.result.url is not None
    url = deployed.result.url
    web = fake.client(WebSiteManagementClient)
    # What this test builds on, whichever of the module's tests ran before it on this worker: a
    # setting added out of band, and a release whose GREETING faas manages.
    settings = dict(web.web_apps.list_application_settings(group, site).properties or {})
    web.web_apps.update_application_settings(
        group, site, StringDictionary(properties={**settings, "ADDED_IN_PORTAL": "kept"})
    )
    config = project / "faas.toml"
    if "GREETING" not in config.read_text():
        greeting = 'timeout = 10\nenvironment = { GREETING = "hi" }\n'
        config.write_text(config.read_text().replace("timeout = 10\n", greeting))
    workflow.deploy(open_azure(project), out_dir=project / ".faas-out")
    before = dict(web.web_apps.list_application_settings(group, site).properties or {})
    app = project / "app.py"
    app.write_text(app.read_text().replace("Hello from Flask", "Hello again"))
    config.write_text(config.read_text().replace('GREETING = "hi"', 'GREETING = "v2"'))
    second = workflow.deploy(open_azure(project), out_dir=project / ".faas-out")
    assert requests.get(url, verify=fake.ca_bundle, timeout=30).json()["message"] == "Hello again"
    assert fake.storage is not None
    kept = {
        b.name
        for b in fake.storage.blob_service(deployed.result.outputs["storage_account"])
        .get_container_client("faas-releases")
        .list_blobs()
    }
    assert {f"{second.artifact.sha256}.zip", f"{second.artifact.sha256}.json"} <= kept
    assert f"{before['FAAS_RELEASE']}.zip" in kept

    result = open_azure(project).rollback()
    assert (result.previous_version, result.current_version) == (
        second.artifact.sha256[:12],
        before["FAAS_RELEASE"][:12],
    )
    assert requests.get(url, verify=fake.ca_bundle, timeout=30).json()["message"] == "Hello from Flask"
    now = web.web_apps.list_application_settings(group, site).properties or {}
    assert now["FAAS_RELEASE"] == before["FAAS_RELEASE"]
    assert now.get("GREETING") == before.get("GREETING") != "v2"  # the release's own settings
    assert now["ADDED_IN_PORTAL"] == "kept"  # a setting faas never managed is left alone

    with pytest.raises(UsageError, match="no single kept release matches 'ffffffff'"):
        open_azure(project).rollback("ffffffff")
    forward = open_azure(project).rollback(second.artifact.sha256[:12])
    assert forward.current_version == second.artifact.sha256[:12]
    assert requests.get(url, verify=fake.ca_bundle, timeout=30).json()["message"] == "Hello again"
    assert web.web_apps.list_application_settings(group, site).properties["GREETING"] == "v2"


def test_an_app_that_does_not_import_fails_the_deploy_with_the_hosts_error(
    fake: AzureFake, tmp_path: Path, deployed: workflow.DeployOutcome
) -> None:
    root = tmp_path / "broken"
    shutil.copytree(EXAMPLES / "flask", root)
    (root / "faas.toml").write_text((root / "faas.toml").read_text().replace("flask-example", "broken-example"))
    (root / "app.py").write_text((root / "app.py").read_text() + "\nimport no_such_module_faas\n")
    with pytest.raises(DeployError) as raised:
        workflow.deploy(open_azure(root), out_dir=root / ".faas-out")
    message = str(raised.value)
    assert "0 functions indexed" in message
    assert "No module named 'no_such_module_faas'" in message
