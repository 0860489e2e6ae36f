"""`[providers.gcp] vpc` against the fake: the Serverless VPC Access connector on every function, shown in
the plan, masked only when it is or was set; `faas doctor` on all-traffic egress; warm instances' cost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from faas import ConfigError
from faas.core.cli.main import cli
from faas.core.config import load_project
from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy

PATCH = "cloudfunctions.projects.locations.functions.patch"
CREATE = "cloudfunctions.projects.locations.functions.create"


def connector(fake: GcpFake, region: str | None = None) -> str:
    return f"projects/{fake.project}/locations/{region or fake.region}/connectors/faas-conn"


def vpc(fake: GcpFake, egress: str = "private-ranges-only", region: str | None = None) -> str:
    return f'vpc = {{ connector = "{connector(fake, region)}", egress = "{egress}" }}\n'


def masks(fake: GcpFake, since: int = 0) -> list[str]:
    return [r.json_query()["updateMask"] for r in fake.requests[since:] if r.method_id == PATCH]


def test_the_connector_is_set_changed_and_removed(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, outcome = deploy(flask_project(vpc(gcp_env)))
    name = provider.deployment.function_name("")
    service = gcp_env.functions.functions[name]["serviceConfig"]
    assert (service["vpcConnector"], service["vpcConnectorEgressSettings"]) == (
        connector(gcp_env),
        "PRIVATE_RANGES_ONLY",
    )
    (create,) = [r for r in gcp_env.requests if r.method_id == CREATE]
    assert create.body["serviceConfig"]["vpcConnector"] == connector(gcp_env)
    assert f"{connector(gcp_env)} (egress private-ranges-only)" in "\n".join(outcome.plan.render())

    before = len(gcp_env.requests)
    _, outcome = deploy(flask_project(vpc(gcp_env, "all-traffic")))
    (mask,) = masks(gcp_env, before)
    assert {"serviceConfig.vpcConnector", "serviceConfig.vpcConnectorEgressSettings"} <= set(mask.split(","))
    assert gcp_env.functions.functions[name]["serviceConfig"]["vpcConnectorEgressSettings"] == "ALL_TRAFFIC"
    rendered = "\n".join(outcome.plan.render())
    assert "egress private-ranges-only" in rendered and "egress all-traffic" in rendered

    before = len(gcp_env.requests)
    _, outcome = deploy(flask_project())  # the option gone: the function leaves the VPC
    (mask,) = masks(gcp_env, before)
    assert {"serviceConfig.vpcConnector", "serviceConfig.vpcConnectorEgressSettings"} <= set(mask.split(","))
    service = gcp_env.functions.functions[name]["serviceConfig"]
    assert "vpcConnector" not in service and "vpcConnectorEgressSettings" not in service

    before = len(gcp_env.writes())
    assert deploy(flask_project())[1].plan.is_empty and gcp_env.writes()[before:] == []

    # A change unrelated to the network: the mask leaves the connector fields alone.
    before = len(gcp_env.requests)
    deploy(flask_project('[app.environment]\nMODE = "prod"\n'))
    (mask,) = masks(gcp_env, before)
    assert "vpc" not in mask.lower()


def test_a_no_op_redeploy_with_a_connector_writes_nothing(flask_project: Any, gcp_env: GcpFake) -> None:
    deploy(flask_project(vpc(gcp_env, "all-traffic")))
    before = len(gcp_env.writes())
    _, outcome = deploy(flask_project(vpc(gcp_env, "all-traffic")))
    assert outcome.plan.is_empty and gcp_env.writes()[before:] == []


def test_a_connector_in_another_region_is_refused_before_any_call(flask_project: Any, gcp_env: GcpFake) -> None:
    with pytest.raises(ConfigError, match="connector is in region europe-west1 but the functions run in us-central1"):
        deploy(flask_project(vpc(gcp_env, region="europe-west1")))
    assert gcp_env.requests == []


def test_the_fake_refuses_a_connector_of_another_region(flask_project: Any, gcp_env: GcpFake) -> None:
    # The same rule on the server side: Cloud Functions answers 400 for it.
    from google.api_core.exceptions import BadRequest

    from tests.fakes.gcp.clients import create

    with pytest.raises(BadRequest, match="only use a connector of its own region"):
        create(gcp_env, "vpc-elsewhere", vpc_connector=connector(gcp_env, "europe-west1"))
    create(gcp_env, "vpc-here", vpc_connector=connector(gcp_env))
    assert gcp_env.functions.functions[f"{gcp_env.location()}/functions/vpc-here"]["serviceConfig"]["vpcConnector"]


def test_doctor_warns_that_all_traffic_needs_cloud_nat(flask_project: Any, gcp_env: GcpFake) -> None:
    project = flask_project(vpc(gcp_env, "all-traffic"))
    result = CliRunner().invoke(cli, ["doctor", "--provider", "gcp", "-c", str(project.source), "--json"])
    findings = [f for f in json.loads(result.output)["findings"] if f["check"] == "network"]
    assert len(findings) == 1 and not findings[0]["ok"], result.output
    assert "only through Cloud NAT" in findings[0]["message"] and "Cloud NAT" in findings[0]["action"]

    project = flask_project(vpc(gcp_env))
    result = CliRunner().invoke(cli, ["doctor", "--provider", "gcp", "-c", str(project.source), "--json"])
    (finding,) = [f for f in json.loads(result.output)["findings"] if f["check"] == "network"]
    assert finding["ok"], result.output


def test_min_instances_are_shown_as_billed_while_idle(flask_project: Any, gcp_env: GcpFake) -> None:
    flask_project()
    config = Path(flask_project.root) / "faas.toml"  # type: ignore[attr-defined]
    config.write_text(config.read_text().replace("timeout = 10\n", "timeout = 10\nmin_instances = 2\n"))
    provider, outcome = deploy(load_project(config, "dev"))
    notes = [n for n in outcome.plan.notes if "billed while idle" in n]
    assert notes == [
        "2 minimum instance(s) (app 2) are kept warm and billed while idle, at Cloud Run's idle rate for their "
        "CPU and memory, plus their requests"
    ]
    assert "min instances" in "\n".join(outcome.plan.render())
    assert gcp_env.functions.functions[provider.deployment.function_name("")]["serviceConfig"]["minInstanceCount"] == 2
