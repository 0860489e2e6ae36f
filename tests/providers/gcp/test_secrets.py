"""`${secret:NAME}` on GCP against the fake: Secret Manager secret environment variables, resolved by the
fake's Cloud Run as a revision starts; the runtime identity may read exactly those secrets."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from google.api_core.exceptions import GoogleAPICallError
from google.cloud import secretmanager_v1

from faas import DeployError
from faas.core import workflow
from faas.core.cli.main import cli
from faas.core.reporting import NullReporter
from tests.fakes.gcp.clients import POLL
from tests.fakes.gcp.fake import GcpFake
from tests.fakes.gcp.policies import fresh

from .conftest import deploy

VALUE = "pg-pa55-9f3e-only-in-secret-manager"
NAME = "flask-db-password"
ACCESSOR = "roles/secretmanager.secretAccessor"
CREATE = "cloudfunctions.projects.locations.functions.create"
ROUTE = """

@app.get("/env/<name>")
def env(name: str):
    import os

    return jsonify(value=os.environ.get(name))
"""


@pytest.fixture
def secret_app(flask_project: Any) -> Any:
    """The Flask example with a route that answers an environment variable's value."""
    app = Path(flask_project.root) / "app.py"  # type: ignore[attr-defined]
    app.write_text(app.read_text() + ROUTE)

    def write(*, secret: bool = True, mode: str = "prod") -> Any:
        reference = f'DB_PASSWORD = "${{secret:{NAME}}}"\n' if secret else ""
        return flask_project(f'[app.environment]\n{reference}MODE = "{mode}"\n')

    write.root = flask_project.root  # type: ignore[attr-defined]
    return write


def client(fake: GcpFake) -> secretmanager_v1.SecretManagerServiceClient:
    return secretmanager_v1.SecretManagerServiceClient(
        transport="rest", client_options=fake.client_options("secretmanager"), credentials=fake.credentials()
    )


def store(project: Any, value: str = VALUE) -> str:
    provider = workflow.open_provider(project, "gcp", reporter=NullReporter())
    where: str = provider.set_secret(NAME, value)
    return where


def accessors(fake: GcpFake, name: str = NAME) -> list[str]:
    policy = fake.secrets.policies.get(name, {})
    return [m for b in policy.get("bindings", []) if b["role"] == ACCESSOR for m in b.get("members", [])]


def runtime_bindings(fake: GcpFake, email: str) -> list[tuple[str, str]]:
    """Every (secret, role) whose policy names the account, and any project role it holds."""
    found = [
        (secret, b["role"])
        for secret, policy in fake.secrets.policies.items()
        for b in policy.get("bindings", [])
        if any(email in m for m in b.get("members", []))
    ]
    found += [
        ("project", b["role"])
        for b in fake.iam.project_policy.get("bindings", [])
        if any(email in m for m in b.get("members", []))
    ]
    return found


def test_the_value_reaches_the_app_and_nowhere_else(secret_app: Any, gcp_env: GcpFake) -> None:
    project = secret_app()
    store(project)
    provider, outcome = deploy(project)

    answer = requests.get(outcome.result.url.rstrip("/") + "/env/DB_PASSWORD", timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"value": VALUE}
    assert requests.get(outcome.result.url.rstrip("/") + "/env/MODE", timeout=60).json() == {"value": "prod"}

    function = gcp_env.functions.functions[provider.deployment.function_name("")]
    service = function["serviceConfig"]
    assert service["secretEnvironmentVariables"] == [
        {"key": "DB_PASSWORD", "projectId": gcp_env.project, "secret": NAME, "version": "latest"}
    ]
    assert "DB_PASSWORD" not in service["environmentVariables"]
    assert VALUE not in json.dumps(function)
    with zipfile.ZipFile(outcome.artifact.path) as archive:
        assert all(VALUE.encode() not in archive.read(entry) for entry in archive.namelist())
    shown = "\n".join(outcome.plan.render()) + json.dumps(outcome.plan.to_json())
    assert f"DB_PASSWORD=secret:{NAME}@latest" in shown and VALUE not in shown
    # faas never read the value on the deploy: no access call reached Secret Manager.
    assert not [r for r in gcp_env.requests if r.method_id and r.method_id.endswith("versions.access")]

    # Exactly once, on that secret only; nothing on the project.
    runtime = provider.deployment.runtime_email
    assert accessors(gcp_env) == [f"serviceAccount:{runtime}"]
    assert runtime_bindings(gcp_env, runtime) == [(NAME, ACCESSOR)]

    before = len(gcp_env.writes())
    _, again = deploy(secret_app())
    assert not again.result.changed and gcp_env.writes()[before:] == []

    # What the CLI prints, plan and deploy alike (a changed variable: a real update), holds no value.
    project = secret_app(mode="staging")
    for command in (["plan"], ["deploy"], ["status"]):
        shown = CliRunner().invoke(cli, [*command, "--provider", "gcp", "-c", str(project.source)])
        assert shown.exit_code == 0, shown.output
        assert VALUE not in shown.output
    status = provider.status()
    assert ("secret", NAME) in [(r.kind, r.name) for r in status.resources]
    assert VALUE not in json.dumps(status.to_json(), default=str)
    updated = gcp_env.functions.functions[provider.deployment.function_name("")]
    assert updated["serviceConfig"]["environmentVariables"]["MODE"] == "staging" and VALUE not in json.dumps(updated)
    assert requests.get(outcome.result.url.rstrip("/") + "/env/MODE", timeout=60).json() == {"value": "staging"}
    assert requests.get(outcome.result.url.rstrip("/") + "/env/DB_PASSWORD", timeout=60).json() == {"value": VALUE}


def test_a_missing_secret_is_refused_before_any_write(secret_app: Any, gcp_env: GcpFake) -> None:
    with pytest.raises(
        DeployError, match=f"no secret {NAME} in Secret Manager.*faas secrets set {NAME} --provider gcp"
    ):
        deploy(secret_app())
    assert gcp_env.writes() == []
    gets = [r for r in gcp_env.requests if r.method_id == "secretmanager.projects.secrets.get"]
    assert [r.status for r in gets] == [404]


def test_the_binding_goes_with_the_reference_and_with_undeploy(secret_app: Any, gcp_env: GcpFake) -> None:
    store(secret_app())
    other = client(gcp_env).create_secret(
        parent=f"projects/{gcp_env.project}",
        secret_id="someone-elses",
        secret={"replication": {"automatic": {}}},
    )
    provider, _ = deploy(secret_app())
    runtime = provider.deployment.runtime_email
    assert accessors(gcp_env) == [f"serviceAccount:{runtime}"]
    assert accessors(gcp_env, "someone-elses") == []

    # A duplicate added by hand is merged back to one; another member of the role stays.
    compute = f"serviceAccount:{gcp_env.project_number}-compute@developer.gserviceaccount.com"
    policy = gcp_env.secrets.policies[NAME]
    policy["bindings"] = [
        {"role": ACCESSOR, "members": [f"serviceAccount:{runtime}", compute, f"serviceAccount:{runtime}"]}
    ]
    _, outcome = deploy(secret_app())
    assert [(a.resource, a.name) for a in outcome.plan.actions] == [("secret accessor binding", NAME)]
    assert sorted(accessors(gcp_env)) == sorted([compute, f"serviceAccount:{runtime}"])

    _, outcome = deploy(secret_app(secret=False))
    assert ("delete", "secret accessor binding", NAME) in [
        (a.change.value, a.resource, a.name) for a in outcome.plan.actions
    ]
    function = gcp_env.functions.functions[provider.deployment.function_name("")]
    assert "secretEnvironmentVariables" not in function["serviceConfig"]
    assert runtime_bindings(gcp_env, runtime) == []
    assert accessors(gcp_env) == [compute]  # not faas's: kept

    _, outcome = deploy(secret_app())  # the reference back: the grant again, once
    assert sorted(accessors(gcp_env)) == sorted([compute, f"serviceAccount:{runtime}"])
    workflow.undeploy(workflow.open_provider(secret_app(), "gcp", reporter=NullReporter()))
    assert runtime_bindings(gcp_env, runtime) == []
    assert accessors(gcp_env) == [compute]
    assert runtime not in gcp_env.iam.accounts
    # The secrets are the user's: undeploy keeps them.
    assert set(gcp_env.secrets.secrets) == {NAME, other.name.rsplit("/", 1)[1]}


def test_a_revision_without_access_does_not_start(secret_app: Any, gcp_env: GcpFake) -> None:
    # What Cloud Run does when the grant is missing: the fake refuses the revision, the function FAILED.
    project = secret_app()
    store(project)
    deploy(project)
    gcp_env.secrets.policies[NAME] = fresh()  # someone removed the grant by hand
    app = Path(secret_app.root) / "app.py"  # type: ignore[attr-defined]
    app.write_text(app.read_text() + "\n# a code change: a new revision\n")
    provider, outcome = deploy(secret_app())  # the plan sees the missing grant and restores it first
    kinds = [(a.resource, a.name) for a in outcome.plan.actions]
    function_name = provider.deployment.names.function("")
    assert kinds.index(("secret accessor binding", NAME)) < kinds.index(("cloud function", function_name))
    assert requests.get(outcome.result.url.rstrip("/") + "/env/DB_PASSWORD", timeout=60).json() == {"value": VALUE}

    # Without the grant, the next revision does not start: the operation fails, the function is FAILED.
    gcp_env.secrets.policies[NAME] = fresh()
    name = provider.deployment.function_name("")
    function = provider.deployment.functions.get_function(name=name)
    function.labels["edited"] = "by-hand"
    operation = provider.deployment.functions.update_function(function=function, update_mask={"paths": ["labels"]})
    with pytest.raises(GoogleAPICallError, match=r"Permission denied on secret.*roles/secretmanager\.secretAccessor"):
        operation.result(polling=POLL)
    assert gcp_env.functions.functions[name]["state"] == "FAILED"


def test_faas_secrets_set_reads_stdin(secret_app: Any, gcp_env: GcpFake) -> None:
    project = secret_app()
    config = str(project.source)
    first = CliRunner().invoke(cli, ["secrets", "set", NAME, "--provider", "gcp", "-c", config], input="first\n")
    assert first.exit_code == 0, first.output
    assert "first" not in first.output
    second = CliRunner().invoke(cli, ["secrets", "set", NAME, "--provider", "gcp", "-c", config], input=VALUE + "\n")
    assert second.exit_code == 0, second.output
    assert VALUE not in second.output
    assert f"secrets/{NAME}/versions/2" in second.output

    secret = client(gcp_env).get_secret(name=f"projects/{gcp_env.project}/secrets/{NAME}")
    assert secret.replication.automatic is not None and "automatic" in gcp_env.secrets.secrets[NAME]["replication"]
    assert (secret.labels["faas-project"], secret.labels["faas-stage"]) == ("flask-example", "dev")
    latest = client(gcp_env).access_secret_version(name=f"projects/{gcp_env.project}/secrets/{NAME}/versions/latest")
    assert latest.payload.data.decode() == VALUE
    creates = [r for r in gcp_env.writes("secretmanager") if r.method_id == "secretmanager.projects.secrets.create"]
    assert len(creates) == 1  # the second set only added a version
    for request in gcp_env.requests:
        if request.api == "secretmanager" and request.method_id != "secretmanager.projects.secrets.addVersion":
            assert VALUE not in json.dumps(request.body)


def test_the_grant_waits_for_a_new_runtime_account(secret_app: Any, gcp_env: GcpFake) -> None:
    # The secret's policy is the first to name the new account: IAM answers 400 until it is seen.
    store(secret_app())
    gcp_env.faults.delay_accounts(checks=2)
    provider, outcome = deploy(secret_app())
    sets = [r for r in gcp_env.requests if r.method_id == "secretmanager.projects.secrets.setIamPolicy"]
    assert [r.status for r in sets] == [400, 400, 200]
    assert accessors(gcp_env) == [f"serviceAccount:{provider.deployment.runtime_email}"]
    assert requests.get(outcome.result.url.rstrip("/") + "/env/DB_PASSWORD", timeout=60).json() == {"value": VALUE}


def test_a_deploy_waits_for_the_new_grant_to_apply(secret_app: Any, gcp_env: GcpFake) -> None:
    # IAM applies the accessor binding after a while: the first two revision starts meet the old policy.
    store(secret_app())
    gcp_env.faults.delay_iam(requests=2)
    provider, outcome = deploy(secret_app())
    sent = [
        r
        for r in gcp_env.requests
        if r.status == 200 and r.method_id in (CREATE, "cloudfunctions.projects.locations.functions.patch")
    ]
    assert [r.method_id.rsplit(".", 1)[1] for r in sent if r.method_id] == ["create", "patch", "patch"]
    function = gcp_env.functions.functions[provider.deployment.function_name("")]
    assert function["state"] == "ACTIVE"
    # The same lag holds the app's public binding back for two requests at its front door (403).
    answers = [requests.get(outcome.result.url.rstrip("/") + "/env/DB_PASSWORD", timeout=60) for _ in range(3)]
    assert [a.status_code for a in answers] == [403, 403, 200] and answers[-1].json() == {"value": VALUE}


def test_a_grant_that_never_applies_fails_the_deploy(secret_app: Any, gcp_env: GcpFake, monkeypatch: Any) -> None:
    from faas.providers.gcp import identity

    monkeypatch.setattr(identity, "VISIBLE_WITHIN", 0.5)
    store(secret_app())
    gcp_env.faults.delay_iam(requests=1000)
    with pytest.raises(DeployError, match="Permission denied on secret"):
        deploy(secret_app())
