"""The runtime identity on GCP: one service account per project and stage, no project roles, retried while new."""

from __future__ import annotations

from typing import Any

from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy
from .test_schedules import invoker_members, job_name, scheduled

CREATE = "cloudfunctions.projects.locations.functions.create"


def project_members(gcp_env: GcpFake) -> list[str]:
    return [m for b in gcp_env.iam.project_policy.get("bindings", []) for m in b.get("members", [])]


def test_functions_run_as_the_stage_account_which_has_no_project_role(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, outcome = deploy(scheduled(flask_project))
    email = provider.deployment.runtime_email
    assert email.startswith("flask-example-dev-run-")
    account = gcp_env.iam.accounts[email]
    assert provider.deployment.names.owns(dict(p.split("=") for p in account["description"].split()[1:]))
    for key in ("", "tick"):
        function = gcp_env.functions.functions[provider.deployment.function_name(key)]
        assert function["serviceConfig"]["serviceAccountEmail"] == email
    assert not [m for m in project_members(gcp_env) if email in m]
    # The deployer is told what it needs, on the runtime account itself for actAs.
    (note,) = outcome.plan.notes
    assert f"roles/iam.serviceAccountUser on {email}" in note
    assert "roles/cloudscheduler.admin" in note


def test_a_deploy_waits_for_a_new_account_to_be_seen(flask_project: Any, gcp_env: GcpFake) -> None:
    gcp_env.faults.delay_accounts(checks=3)
    provider, outcome = deploy(scheduled(flask_project))
    assert outcome.result.url
    creates = [r for r in gcp_env.requests if r.method_id == CREATE]
    refused = [r for r in creates if r.status == 404]
    assert len(refused) == 3, [r.status for r in creates]  # retried until IAM had propagated
    member = f"serviceAccount:{provider.deployment.runtime_email}"
    assert invoker_members(gcp_env, provider).count(member) == 1


def test_a_service_account_option_replaces_the_stage_account(flask_project: Any, gcp_env: GcpFake) -> None:
    own = f"{gcp_env.project_number}-compute@developer.gserviceaccount.com"
    provider, _ = deploy(scheduled(flask_project))
    stage_account = provider.deployment.runtime_email
    provider, outcome = deploy(scheduled(flask_project, extra=f'service_account = "{own}"\n'))
    assert ("delete", "service account") in [(a.change.value, a.resource) for a in outcome.plan.actions]
    assert stage_account not in gcp_env.iam.accounts
    function = gcp_env.functions.functions[provider.deployment.function_name("tick")]
    assert function["serviceConfig"]["serviceAccountEmail"] == own
    assert gcp_env.scheduler.jobs[job_name(provider)]["httpTarget"]["oidcToken"]["serviceAccountEmail"] == own
    members = invoker_members(gcp_env, provider)
    assert members.count(f"serviceAccount:{own}") == 1
    assert f"serviceAccount:{stage_account}" not in members


def test_doctor_lists_the_roles_the_deployer_needs(flask_project: Any, gcp_env: GcpFake) -> None:
    from faas.core import workflow

    provider = workflow.open_provider(scheduled(flask_project), "gcp")
    (finding,) = [d for d in provider.diagnose() if d.check == "deployer roles"]
    assert "roles/iam.serviceAccountUser on the runtime service account" in finding.message
    assert "roles/cloudscheduler.admin" in finding.message


def test_a_missing_account_named_by_the_user_fails_at_once(flask_project: Any, gcp_env: GcpFake) -> None:
    import pytest

    from faas.core.errors import DeployError

    missing = f"nobody-here@{gcp_env.project}.iam.gserviceaccount.com"
    with pytest.raises(DeployError, match="was not found"):
        deploy(scheduled(flask_project, extra=f'service_account = "{missing}"\n'))
    # No waiting for IAM to propagate: only the stage's own, just-created account gets that patience.
    assert [r.status for r in gcp_env.requests if r.method_id == CREATE] == [404]
    assert not [email for email in gcp_env.iam.accounts if email.startswith("flask-example-dev-run-")]
