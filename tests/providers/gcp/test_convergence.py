"""Re-deploys against the fake, judged by its request log: masks, the bare upload, IAM, no-ops, faults."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from faas import DeployError
from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy

PATCH = "cloudfunctions.projects.locations.functions.patch"
SET_RUN_POLICY = "run.projects.locations.services.setIamPolicy"


def patches(fake: GcpFake) -> list[Any]:
    return [r for r in fake.requests if r.method_id == PATCH]


def test_every_patch_carries_a_mask_with_the_traffic_flag(flask_project: Any, gcp_env: GcpFake) -> None:
    deploy(flask_project())
    deploy(flask_project('[app.environment]\nMODE = "one"\n'))  # configuration only
    deploy(flask_project('[app.environment]\nMODE = "one"\n', greeting="Hello again"))  # code too
    sent = patches(gcp_env)
    assert len(sent) == 2  # both updates were patches, so the check below is not vacuous
    for patch in sent:
        assert "serviceConfig.allTrafficOnLatestRevision" in patch.json_query()["updateMask"].split(",")
    assert "buildConfig.source" in sent[1].json_query()["updateMask"].split(",")


def test_the_upload_put_has_no_authorization_header(flask_project: Any, gcp_env: GcpFake) -> None:
    deploy(flask_project())
    (upload,) = [r for r in gcp_env.requests if r.api == "storage-upload"]
    assert upload.http_method == "PUT" and upload.status == 200
    assert "authorization" not in {name.lower() for name in upload.headers}
    assert upload.headers.get("content-type", upload.headers.get("Content-Type")) == "application/zip"


def test_all_users_is_an_invoker_exactly_once_after_two_deploys(flask_project: Any, gcp_env: GcpFake) -> None:
    from tests.fakes.gcp.clients import run_services

    deploy(flask_project())
    _, outcome = deploy(flask_project(greeting="Hello twice"))  # a code change re-applies the binding step
    services = run_services(gcp_env)
    (service,) = list(services.list_services(parent=gcp_env.location()))
    policy = services.get_iam_policy(request={"resource": service.name})
    members = [m for b in policy.bindings if b.role == "roles/run.invoker" for m in b.members]
    assert members.count("allUsers") == 1
    assert requests.get(outcome.result.url, timeout=60).json()["message"] == "Hello twice"


def test_a_no_op_redeploy_makes_no_write_call(flask_project: Any, gcp_env: GcpFake) -> None:
    deploy(flask_project())
    before = len(gcp_env.writes())
    _, outcome = deploy(flask_project())
    assert gcp_env.writes()[before:] == []
    assert not outcome.result.changed
    assert outcome.result.url


def test_a_deploy_failed_at_create_converges_on_the_next_run(flask_project: Any, gcp_env: GcpFake) -> None:
    gcp_env.faults.fail("UNAVAILABLE", method="functions.create")
    with pytest.raises(DeployError):
        deploy(flask_project())
    assert [r.status for r in gcp_env.requests if r.method_id and r.method_id.endswith("functions.create")] == [503]
    _, outcome = deploy(flask_project())
    answer = requests.get(outcome.result.url, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == "Hello from Flask"
    before = len(gcp_env.writes())
    deploy(flask_project())
    assert gcp_env.writes()[before:] == []
