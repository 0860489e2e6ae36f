"""Custom domain on GCP: a Cloud Run domain mapping with a Google-managed certificate, against the fake."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from faas import DeployError
from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy

DOMAIN = "www.example.com"


def with_domain(flask_project: Any, top: str, extra: str = "") -> Any:
    """The Flask example with top-level keys `top` (domain, certificate...) before its tables."""
    path = flask_project.root / "faas.toml"
    project = flask_project(extra)
    text = path.read_text()
    path.write_text(top + "\n" + text)
    from faas.core.config import load_project

    return load_project(path, project.stage)


def open_provider(project: Any) -> Any:
    from faas.core import workflow
    from faas.core.reporting import NullReporter

    return workflow.open_provider(project, "gcp", reporter=NullReporter())


def domain_writes(fake: GcpFake) -> list[Any]:
    return [r for r in fake.writes("run") if "domainmappings" in r.path]


def test_deploy_plans_and_maps_the_domain_and_certify_prints_the_records(flask_project: Any, gcp_env: GcpFake) -> None:
    gcp_env.domains.verify("example.com")
    project = with_domain(flask_project, f'domain = "{DOMAIN}"\ncertificate = "managed"')
    from faas.core import workflow

    _, plan = workflow.plan_deploy(open_provider(project))
    (action,) = [a for a in plan.actions if a.resource == "domain mapping"]
    assert action.name == DOMAIN and action.change.value == "create"
    assert domain_writes(gcp_env) == []  # planning only read

    _, outcome = deploy(project)
    assert outcome.result.outputs["domain"] == f"https://{DOMAIN}/"
    (create,) = domain_writes(gcp_env)
    body = create.body
    assert body["spec"]["certificateMode"] == "AUTOMATIC"
    assert body["metadata"]["labels"]["faas-stage"] == "dev"
    service = gcp_env.run.services[next(iter(gcp_env.run.services))]["name"].rsplit("/", 1)[1]
    assert body["spec"]["routeName"] == service

    result = open_provider(project).certify()
    assert result.domain == DOMAIN
    assert [(r.name, r.type, r.value) for r in result.dns_records] == [(DOMAIN, "CNAME", "ghs.googlehosted.com.")]
    assert result.target == "ghs.googlehosted.com."
    assert result.certificate_status.startswith("PROVISIONING")
    assert len(domain_writes(gcp_env)) == 1  # certify found the mapping made by deploy

    time.sleep(gcp_env.domains.provision_after)
    again = open_provider(project).certify()
    assert again.certificate_status == "ACTIVE"
    assert len(domain_writes(gcp_env)) == 1
    status = open_provider(project).status()
    (mapping,) = [r for r in status.resources if r.kind == "domain mapping"]
    assert (
        mapping.name == DOMAIN
        and "certificate ACTIVE" in mapping.detail
        and "CNAME ghs.googlehosted.com." in mapping.detail
    )

    before = len(gcp_env.writes())
    deploy(project)
    assert gcp_env.writes()[before:] == []  # a no-op redeploy writes nothing, the mapping included


def test_certify_creates_the_mapping_once_and_the_apex_gets_a_and_aaaa(flask_project: Any, gcp_env: GcpFake) -> None:
    deploy(flask_project())  # deployed before the domain was configured
    gcp_env.domains.verify("example.com")
    project = with_domain(flask_project, 'domain = "example.com"')
    result = open_provider(project).certify()
    assert len(domain_writes(gcp_env)) == 1
    kinds = sorted({r.type for r in result.dns_records})
    assert kinds == ["A", "AAAA"] and all(r.name == "example.com" for r in result.dns_records)
    assert "216.239.32.21" in [r.value for r in result.dns_records]
    assert result.target is None

    before = len(gcp_env.writes())
    open_provider(project).certify()
    assert gcp_env.writes()[before:] == []


def test_an_unverified_domain_says_how_to_verify_it(flask_project: Any, gcp_env: GcpFake) -> None:
    project = with_domain(flask_project, f'domain = "{DOMAIN}"')
    with pytest.raises(DeployError, match=r"gcloud domains verify example\.com") as error:
        deploy(project)
    assert "not authorized to administer the domain" in str(error.value)
    assert gcp_env.domains.mappings == {}


@pytest.mark.parametrize(
    ("top", "region", "reason"),
    [
        (f'domain = "{DOMAIN}"', "europe-west2", "not available in europe-west2"),
        (f'domain = "{DOMAIN}"\nbase_path = "/api"', None, "not the path /api"),
        (
            f'domain = "{DOMAIN}"\ncertificate = "projects/p/locations/global/certificates/mine"',
            None,
            "cannot use projects/p/locations/global/certificates/mine",
        ),
    ],
)
def test_what_a_mapping_cannot_serve_is_refused_before_any_call(
    flask_project: Any, gcp_env: GcpFake, top: str, region: str | None, reason: str
) -> None:
    project = with_domain(flask_project, top)
    if region is not None:
        path = flask_project.root / "faas.toml"
        path.write_text(path.read_text().replace(f'region = "{gcp_env.region}"', f'region = "{region}"'))
        from faas.core.config import load_project

        project = load_project(path, "dev")
    for attempt in (lambda: deploy(project), lambda: open_provider(project).certify()):
        with pytest.raises(DeployError) as error:
            attempt()
        message = str(error.value)
        assert reason in message
        assert "global external Application Load Balancer" in message
        assert "--network-endpoint-type=serverless" in message and "gcloud compute forwarding-rules create" in message
    assert [r for r in gcp_env.requests if r.api != "oauth2"] == []


def test_the_mapped_domain_serves_the_app_and_undeploy_removes_the_mapping(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    gcp_env.domains.verify("example.com")
    project = with_domain(flask_project, f'domain = "{DOMAIN}"')
    provider, _ = deploy(project)
    answer = requests.get(gcp_env.domains_url + "/", headers={"Host": DOMAIN}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"] == "Hello from Flask"
    other = requests.get(gcp_env.domains_url + "/", headers={"Host": "other.example.com"}, timeout=60)
    assert other.status_code == 404

    provider.undeploy(provider.plan_undeploy())
    assert gcp_env.domains.mappings == {}
    gone = requests.get(gcp_env.domains_url + "/", headers={"Host": DOMAIN}, timeout=60)
    assert gone.status_code == 404


def test_a_changed_domain_replaces_the_old_mapping(flask_project: Any, gcp_env: GcpFake) -> None:
    gcp_env.domains.verify("example.com")
    deploy(with_domain(flask_project, f'domain = "{DOMAIN}"'))
    flask_project.root.joinpath("faas.toml").write_text(
        flask_project.root.joinpath("faas.toml").read_text().replace(DOMAIN, "app.example.com")
    )
    from faas.core.config import load_project

    deploy(load_project(flask_project.root / "faas.toml", "dev"))
    assert sorted(gcp_env.domains.mappings) == ["app.example.com"]


def test_faas_certify_prints_the_exact_records_and_a_refusal_is_one_line(
    flask_project: Any, gcp_env: GcpFake, capsys: pytest.CaptureFixture[str]
) -> None:
    from click.testing import CliRunner

    from faas.core.cli.main import cli, run

    gcp_env.domains.verify("example.com")
    project = with_domain(flask_project, f'domain = "{DOMAIN}"')
    config = str(project.source)
    deployed = CliRunner().invoke(cli, ["deploy", "--provider", "gcp", "-c", config])
    assert deployed.exit_code == 0, deployed.output
    result = CliRunner().invoke(cli, ["certify", "--provider", "gcp", "-c", config])
    assert result.exit_code == 0, result.output
    assert f"Domain {DOMAIN}: certificate Google-managed" in result.output
    assert "Create these DNS records:" in result.output
    assert f"  {DOMAIN} CNAME ghs.googlehosted.com." in result.output

    path = flask_project.root / "faas.toml"
    path.write_text(path.read_text().replace(f'domain = "{DOMAIN}"', f'domain = "{DOMAIN}"\nbase_path = "/api"'))
    capsys.readouterr()
    assert run(["certify", "--provider", "gcp", "-c", config]) == DeployError.exit_code
    err = capsys.readouterr().err
    assert "Traceback" not in err and "not the path /api" in err and len(err.strip().splitlines()) == 1
    assert "--path-rules='/api/*=" in err


def test_doctor_says_whether_a_mapping_can_serve_the_domain(flask_project: Any, gcp_env: GcpFake) -> None:
    import json

    from click.testing import CliRunner

    from faas.core.cli.main import cli

    project = with_domain(flask_project, f'domain = "{DOMAIN}"')
    result = CliRunner().invoke(cli, ["doctor", "--provider", "gcp", "-c", str(project.source), "--json"])
    (finding,) = [f for f in json.loads(result.output)["findings"] if f["check"] == "custom domain"]
    assert finding["ok"] and "gcloud domains verify" in finding["message"]

    path = flask_project.root / "faas.toml"
    path.write_text(path.read_text().replace(f'domain = "{DOMAIN}"', f'domain = "{DOMAIN}"\nbase_path = "/api"'))
    result = CliRunner().invoke(cli, ["doctor", "--provider", "gcp", "-c", str(project.source), "--json"])
    (finding,) = [f for f in json.loads(result.output)["findings"] if f["check"] == "custom domain"]
    assert not finding["ok"] and "not the path /api" in finding["message"]
    assert "Application Load Balancer" in finding["action"]


def test_a_domain_mapped_by_someone_else_is_left_alone(flask_project: Any, gcp_env: GcpFake) -> None:
    from google.auth.transport.requests import AuthorizedSession

    provider, _ = deploy(flask_project())
    gcp_env.domains.verify("example.com")
    service = next(iter(gcp_env.run.services)).rsplit("/", 1)[1]
    url = f"{gcp_env.endpoints['run']}/apis/domains.cloudrun.com/v1/namespaces/{gcp_env.project}/domainmappings"
    theirs = {
        "apiVersion": "domains.cloudrun.com/v1",
        "kind": "DomainMapping",
        "metadata": {"name": DOMAIN, "namespace": gcp_env.project, "labels": {"team": "web"}},
        "spec": {"routeName": service},
    }
    assert AuthorizedSession(gcp_env.credentials()).post(url, json=theirs, timeout=30).ok
    before = len(gcp_env.writes())
    project = with_domain(flask_project, f'domain = "{DOMAIN}"')
    with pytest.raises(DeployError, match="by something other than this stage"):
        deploy(project)
    assert gcp_env.writes()[before:] == []
    assert gcp_env.domains.mappings[DOMAIN]["metadata"]["labels"] == {"team": "web"}
    provider.undeploy(provider.plan_undeploy())
    assert DOMAIN in gcp_env.domains.mappings  # not the stage's: undeploy keeps it
