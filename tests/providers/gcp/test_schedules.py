"""Schedules on GCP: each schedule trigger is a Cloud Scheduler job calling its function with an OIDC token."""

from __future__ import annotations

import time
from typing import Any

import requests
from google.cloud import scheduler_v1

from tests.fakes.gcp.clients import scheduler
from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy

TASKS = """
def tick(event, context):
    print("tick from", event["type"], event["source"].rsplit("/", 1)[1], flush=True)
    return {"ticked": True}
"""
PATCH = "cloudscheduler.projects.locations.jobs.patch"


def scheduled(flask_project: Any, schedule: str | None = "rate(5 minutes)", extra: str = "") -> Any:
    (flask_project.root / "tasks.py").write_text(TASKS)
    triggers = f'[{{ schedule = "{schedule}" }}]' if schedule else "[]"
    return flask_project(extra + f'[[functions]]\nname = "tick"\nentry = "tasks:tick"\ntriggers = {triggers}\n')


def job_name(provider: Any) -> str:
    deployment = provider.deployment
    return f"{deployment.location}/jobs/{deployment.names.job('tick', 0)}"


def tick_service(gcp_env: GcpFake, provider: Any) -> str:
    function = gcp_env.functions.functions[provider.deployment.function_name("tick")]
    return str(function["serviceConfig"]["service"])


def invoker_members(gcp_env: GcpFake, provider: Any) -> list[str]:
    """Every run.invoker member on the tick function's Cloud Run service, duplicates kept."""
    from google.iam.v1 import iam_policy_pb2

    policy = provider.deployment.services.get_iam_policy(
        request=iam_policy_pb2.GetIamPolicyRequest(resource=tick_service(gcp_env, provider))
    )
    return [m for b in policy.bindings if b.role == "roles/run.invoker" for m in b.members]


def test_a_schedule_is_a_job_posting_to_the_function_with_an_oidc_token_in_utc(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    provider, _ = deploy(scheduled(flask_project, "cron(15 10 * * MON-FRI)"))
    job = gcp_env.scheduler.jobs[job_name(provider)]
    uri = gcp_env.functions.functions[provider.deployment.function_name("tick")]["serviceConfig"]["uri"]
    assert job["schedule"] == "15 10 * * 1-5"
    assert job["timeZone"] == "Etc/UTC"
    assert job["httpTarget"]["uri"] == uri
    assert job["httpTarget"]["httpMethod"] == "POST"
    account = provider.deployment.runtime_email
    assert job["httpTarget"]["oidcToken"] == {"serviceAccountEmail": account, "audience": uri}
    assert provider.deployment.names.owns(provider.deployment.names.tags())
    assert job["description"].startswith("faas: ") and "faas-stage=dev" in job["description"]


def test_firing_the_job_runs_the_function_as_a_schedule_event(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, _ = deploy(scheduled(flask_project))
    scheduler(gcp_env).run_job(name=job_name(provider))
    (attempt,) = gcp_env.scheduler.wait_for_attempts(1, timeout=60)
    assert attempt.status == 200, attempt
    job = provider.deployment.names.job("tick", 0)
    expected = f"tick from google.cloud.scheduler.job.v1.executed {job}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(expected in record.message for record in provider.logs()):
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"no log line {expected!r}: {[r.message for r in provider.logs()]}")
    # Without the job's token the same private function turns the request away.
    uri = attempt.uri
    assert requests.post(uri, headers={"X-CloudScheduler": "true"}, timeout=60).status_code == 403


def test_a_no_op_redeploy_of_a_scheduled_function_writes_nothing(flask_project: Any, gcp_env: GcpFake) -> None:
    project = scheduled(flask_project)
    deploy(project)
    before = len(gcp_env.writes())
    _, outcome = deploy(project)
    assert outcome.plan.is_empty, outcome.plan.render()
    assert gcp_env.writes()[before:] == []


def test_a_changed_schedule_is_a_patch_with_an_update_mask(flask_project: Any, gcp_env: GcpFake) -> None:
    deploy(scheduled(flask_project, "rate(5 minutes)"))
    before = len(gcp_env.requests)
    provider, outcome = deploy(scheduled(flask_project, "rate(1 hour)"))
    changes = [a for a in outcome.plan.actions if a.resource == "schedule"]
    assert [(a.change.value, a.details) for a in changes] == [("update", (("schedule", "*/5 * * * *", "0 * * * *"),))]
    # The function is updated too (its faas_runtime.json carries the schedule); the job is patched.
    writes = [r for r in gcp_env.requests[before:] if r.mutating and r.api == "cloudscheduler"]
    assert [r.method_id for r in writes] == [PATCH]
    assert writes[0].json_query()["updateMask"]
    assert gcp_env.scheduler.jobs[job_name(provider)]["schedule"] == "0 * * * *"


def test_removing_the_schedule_deletes_its_job_and_binding(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, _ = deploy(scheduled(flask_project))
    member = f"serviceAccount:{provider.deployment.runtime_email}"
    assert invoker_members(gcp_env, provider).count(member) == 1
    provider, outcome = deploy(scheduled(flask_project, schedule=None))
    ours = [a for a in outcome.plan.actions if a.resource == "schedule" or a.name.startswith(member[15:])]
    assert [(a.change.value, a.resource) for a in ours] == [("delete", "schedule"), ("delete", "run.invoker binding")]
    assert gcp_env.scheduler.jobs == {}
    assert member not in invoker_members(gcp_env, provider)


def test_the_binding_is_there_exactly_once_after_code_changes(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, _ = deploy(scheduled(flask_project))
    (flask_project.root / "tasks.py").write_text(TASKS + "\n# changed\n")
    project = flask_project(
        '[[functions]]\nname = "tick"\nentry = "tasks:tick"\ntriggers = [{ schedule = "rate(5 minutes)" }]\n'
    )
    provider, outcome = deploy(project)
    assert outcome.result.changed
    member = f"serviceAccount:{provider.deployment.runtime_email}"
    assert invoker_members(gcp_env, provider).count(member) == 1
    assert invoker_members(gcp_env, provider).count("allUsers") == 0


def test_undeploy_leaves_no_job_account_or_binding(flask_project: Any, gcp_env: GcpFake) -> None:
    from faas.core import workflow

    provider, _ = deploy(scheduled(flask_project))
    email = provider.deployment.runtime_email
    assert email in gcp_env.iam.accounts
    plan = workflow.undeploy(provider)
    assert {a.resource for a in plan.actions} == {"schedule", "cloud function", "service account"}
    assert gcp_env.scheduler.jobs == {}
    assert email not in gcp_env.iam.accounts
    assert gcp_env.functions.functions == {}
    members = [m for b in gcp_env.iam.project_policy.get("bindings", []) for m in b.get("members", [])]
    assert not [m for m in members if email in m]


def test_an_unexpressible_schedule_is_refused_before_any_write(flask_project: Any, gcp_env: GcpFake) -> None:
    import pytest

    from faas.core.errors import FaasError

    with pytest.raises(FaasError, match="Google Cloud Scheduler"):
        deploy(scheduled(flask_project, "rate(7 minutes)"))
    assert gcp_env.writes() == []


def test_the_job_is_a_scheduler_v1_job_the_client_reads_back(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, _ = deploy(scheduled(flask_project))
    job = scheduler(gcp_env).get_job(name=job_name(provider))
    assert job.state == scheduler_v1.Job.State.ENABLED
    assert job.http_target.oidc_token.service_account_email == provider.deployment.runtime_email


def test_the_packaged_trigger_is_named_after_its_job(flask_project: Any, gcp_env: GcpFake, tmp_path: Any) -> None:
    import json
    import zipfile

    from faas.core import workflow

    provider = workflow.open_provider(scheduled(flask_project, "cron(0 3 * * MON-FRI)"), "gcp")
    artifact = workflow.package(provider, tmp_path / "out")
    with zipfile.ZipFile(artifact.path) as archive:
        manifest = json.loads(archive.read("faas_runtime.json"))
    (trigger,) = manifest["functions"]["tick"]["triggers"]
    # The adapter matches a scheduler call's X-CloudScheduler-JobName against this name.
    assert trigger["name"] == provider.deployment.names.job("tick", 0)
    assert trigger["platform_expression"] == "0 3 * * 1-5"
    assert trigger["time_zone"] == "Etc/UTC"


def test_a_paused_job_is_resumed_by_the_next_deploy(flask_project: Any, gcp_env: GcpFake) -> None:
    project = scheduled(flask_project)
    provider, _ = deploy(project)
    scheduler(gcp_env).pause_job(name=job_name(provider))
    _, outcome = deploy(project)
    (action,) = outcome.plan.actions
    assert (action.change.value, action.resource, action.details) == (
        "update",
        "schedule",
        (("state", "PAUSED", "ENABLED"),),
    )
    assert gcp_env.scheduler.jobs[job_name(provider)]["state"] == "ENABLED"
