"""Timers on Azure: a scheduled function deploys as a timer trigger the host indexes from the package.

Nothing about a timer lives in ARM: function_app.py registers it with its NCRONTAB, the host indexes
it, and the admin API (`POST /admin/functions/<name>` with the master key) runs it now. The module
shares one fake and one deployment; the tests run in file order and each says what state it leaves.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.mgmt.web import WebSiteManagementClient

from faas.core import workflow
from faas.core.config import load_project
from faas.core.errors import UsageError
from faas.core.model import NCRONTAB, parse_schedule
from tests.fakes.azure.fake import AzureFake

WEEKDAYS = "cron(15 10 * * MON-FRI)"
EVERY_QUARTER = "rate(15 minutes)"
MARK = "azure timer ran"
TASKS = f"""
def tick(event, context):
    print("{MARK}:", event["type"], "past_due =", event["past_due"], flush=True)
    return {{"ticked": True}}
"""
CONFIG = """name = "timers"
provider = "azure"

[[functions]]
name = "tick"
entry = "tasks:tick"
triggers = {triggers}
"""


def write_project(root: Path, schedules: list[str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "tasks.py").write_text(TASKS)
    triggers = "[" + ", ".join(f'{{ schedule = "{s}" }}' for s in schedules) + "]"
    (root / "faas.toml").write_text(CONFIG.format(triggers=triggers))


def open_azure(root: Path) -> Any:
    return workflow.open_provider(load_project(root / "faas.toml"), "azure")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project") / "timers"
    write_project(root, [WEEKDAYS, EVERY_QUARTER])
    return root


@pytest.fixture(scope="module")
def deployed(fake: AzureFake, project: Path) -> workflow.DeployOutcome:
    outcome = workflow.deploy(open_azure(project), out_dir=project / ".faas-out")
    assert outcome.result is not None
    return outcome


def site_of(deployed: workflow.DeployOutcome) -> tuple[str, str]:
    assert deployed.result is not None
    return deployed.result.outputs["resource_group"], deployed.result.outputs["function_app"]


def indexed_timers(fake: AzureFake, deployed: workflow.DeployOutcome) -> dict[str, str]:
    """Timer function name -> NCRONTAB, from ARM's function list (what the host indexed)."""
    group, site = site_of(deployed)
    timers: dict[str, str] = {}
    for function in fake.client(WebSiteManagementClient).web_apps.list_functions(group, site):
        for binding in (function.config or {}).get("bindings") or []:
            if binding.get("type") == "timerTrigger":
                timers[str(function.name).rsplit("/", 1)[-1]] = binding["schedule"]
    return timers


def master_key(fake: AzureFake, deployed: workflow.DeployOutcome) -> str:
    group, site = site_of(deployed)
    return str(fake.client(WebSiteManagementClient).web_apps.list_host_keys(group, site).master_key)


def wait_for_line(fake: AzureFake, site: str, text: str, seconds: float = 30) -> list[str]:
    host = fake.sites.for_site(site)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lines = [line.text for line in host.logs]
        if any(text in line for line in lines):
            return lines
        time.sleep(0.1)
    pytest.fail(f"no log line with {text!r} in {[line.text for line in host.logs][-20:]}")


def test_each_schedule_indexes_as_a_timer_with_its_ncrontab(fake: AzureFake, deployed: workflow.DeployOutcome) -> None:
    timers = indexed_timers(fake, deployed)
    # NCRONTAB: seconds first, days numbered from Sunday; a rate that divides the hour is a step
    assert timers == {"faas_tick_schedule_0": "0 15 10 * * 1-5", "faas_tick_schedule_1": "0 */15 * * * *"}
    assert timers["faas_tick_schedule_0"] == NCRONTAB.translate(parse_schedule(WEEKDAYS)).expression
    assert timers["faas_tick_schedule_1"] == NCRONTAB.translate(parse_schedule(EVERY_QUARTER)).expression


def test_the_hosts_admin_listing_shows_the_same_timers(fake: AzureFake, deployed: workflow.DeployOutcome) -> None:
    assert deployed.result is not None and deployed.result.url is not None
    url = deployed.result.url + "admin/functions"
    assert requests.get(url, verify=fake.ca_bundle, timeout=30).status_code == 401
    listing = requests.get(
        url, headers={"x-functions-key": master_key(fake, deployed)}, verify=fake.ca_bundle, timeout=30
    )
    assert listing.status_code == 200
    timers = {
        f["name"]: b["schedule"] for f in listing.json() for b in f["config"]["bindings"] if b["type"] == "timerTrigger"
    }
    assert timers == indexed_timers(fake, deployed)


def test_status_lists_each_timer_with_its_schedule(project: Path, deployed: workflow.DeployOutcome) -> None:
    status = open_azure(project).status()
    schedules = {(r.name, r.detail) for r in status.resources if r.kind == "schedule"}
    assert schedules == {("faas_tick_schedule_0", "0 15 10 * * 1-5"), ("faas_tick_schedule_1", "0 */15 * * * *")}


def test_the_admin_api_runs_a_timer_and_its_output_reaches_the_logs(
    fake: AzureFake, deployed: workflow.DeployOutcome
) -> None:
    _group, site = site_of(deployed)
    assert deployed.result is not None and deployed.result.url is not None
    url = deployed.result.url + "admin/functions/faas_tick_schedule_0"
    key = {"x-functions-key": master_key(fake, deployed)}
    assert requests.post(url, json={"input": ""}, verify=fake.ca_bundle, timeout=30).status_code == 401
    missing = deployed.result.url + "admin/functions/faas_nope"
    assert requests.post(missing, json={"input": ""}, headers=key, verify=fake.ca_bundle, timeout=30).status_code == 404
    accepted = requests.post(url, json={"input": ""}, headers=key, verify=fake.ca_bundle, timeout=30)
    assert accepted.status_code == 202 and accepted.content == b""
    lines = wait_for_line(fake, site, "Executed 'Functions.faas_tick_schedule_0' (Succeeded")
    assert f"{MARK}: schedule past_due = False" in lines


def test_fire_schedules_runs_every_timer_of_the_function(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    _group, site = site_of(deployed)
    host = fake.sites.for_site(site)
    before = len(host.logs)
    provider = open_azure(project)
    assert provider.fire_schedules("tick") == ["faas_tick_schedule_0", "faas_tick_schedule_1"]
    wait_for_line(fake, site, "Executed 'Functions.faas_tick_schedule_1' (Succeeded")
    wait_for_line(fake, site, "Executed 'Functions.faas_tick_schedule_0' (Succeeded")
    assert sum(MARK in line.text for line in host.logs[before:]) == 2
    with pytest.raises(UsageError, match="no function 'nope'"):
        provider.fire_schedules("nope")


def test_removing_a_schedule_and_redeploying_removes_its_timer(
    fake: AzureFake, project: Path, deployed: workflow.DeployOutcome
) -> None:
    """Leaves the project deployed with no schedule at all."""
    write_project(project, [WEEKDAYS])
    workflow.deploy(open_azure(project), out_dir=project / ".faas-out")
    assert indexed_timers(fake, deployed) == {"faas_tick_schedule_0": "0 15 10 * * 1-5"}
    assert deployed.result is not None and deployed.result.url is not None
    gone = requests.post(
        deployed.result.url + "admin/functions/faas_tick_schedule_1",
        json={"input": ""},
        headers={"x-functions-key": master_key(fake, deployed)},
        verify=fake.ca_bundle,
        timeout=30,
    )
    assert gone.status_code == 404
    write_project(project, [])
    workflow.deploy(open_azure(project), out_dir=project / ".faas-out")
    assert indexed_timers(fake, deployed) == {}
    status = open_azure(project).status()
    assert not [r for r in status.resources if r.kind == "schedule"]
    with pytest.raises(UsageError, match="has no schedule"):
        open_azure(project).fire_schedules("tick")
