"""#15's "the same faas.toml deploys to gcp and azure": the production project (production.py), one
folder, deployed to the GCP fake and then to the Azure fake, each with its own platform's network,
secret store and warm instances; the value reaches the app on both and is written nowhere by faas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.mgmt.web import WebSiteManagementClient

from faas.core import workflow
from faas.core.config import load_project
from faas.core.reporting import NullReporter
from tests.fakes.azure.fake import AzureFake
from tests.fakes.azure.fixture import azure_env, azure_fake  # noqa: F401
from tests.fakes.azure.keyvault import SECRETS_USER
from tests.fakes.azure.prerequisites import VAULT, make_subnet, make_vault
from tests.fakes.gcp.fake import GcpFake
from tests.fakes.gcp.fixture import gcp_env, gcp_fake, gcp_fake_session  # noqa: F401
from tests.providers.production import FILES, SECRET, Networks, faas_toml

pytestmark = pytest.mark.slow

VALUE = "pg-pa55-one-config-two-clouds"


def _open(root: Path, provider: str) -> Any:
    return workflow.open_provider(load_project(root / "faas.toml"), provider, reporter=NullReporter())


def _deployed_twice(root: Path, provider: str, writes: Any) -> workflow.DeployOutcome:
    """Deploy, then deploy again unchanged: the second one must write nothing."""
    outcome = workflow.deploy(_open(root, provider), out_dir=root / f".faas-{provider}")
    before = len(writes())
    again = workflow.deploy(_open(root, provider), out_dir=root / f".faas-{provider}")
    assert again.plan.is_empty and writes()[before:] == [], again.plan.render()
    return outcome


def test_one_faas_toml_deploys_to_gcp_and_azure(
    tmp_path: Path,
    gcp_env: GcpFake,  # noqa: F811
    azure_env: AzureFake,  # noqa: F811
) -> None:
    make_vault(azure_env)
    networks = Networks(
        gcp_region=gcp_env.region,
        gcp_connector=f"projects/{gcp_env.project}/locations/{gcp_env.region}/connectors/db-conn",
        azure_subnet=make_subnet(azure_env),
        azure_key_vault=VAULT,
    )
    root = tmp_path / "mysite"
    for name, text in {**FILES, "faas.toml": f'name = "mysite"\n{faas_toml(networks)}'}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    config_before = (root / "faas.toml").read_text()

    # GCP: Secret Manager secret env var, the connector, one min instance; the runtime identity may
    # read that secret only.
    _open(root, "gcp").set_secret(SECRET, VALUE)
    gcp = _deployed_twice(root, "gcp", gcp_env.writes)
    gcp_deployment = _open(root, "gcp").deployment
    service = gcp_env.functions.functions[gcp_deployment.function_name("")]["serviceConfig"]
    assert service["secretEnvironmentVariables"] == [
        {"key": "DB_PASSWORD", "projectId": gcp_env.project, "secret": SECRET, "version": "latest"}
    ]
    assert service["vpcConnector"] == networks.gcp_connector and service["minInstanceCount"] == 1
    readers = [
        (secret, binding["role"])
        for secret, policy in gcp_env.secrets.policies.items()
        for binding in policy.get("bindings", [])
        if f"serviceAccount:{gcp_deployment.runtime_email}" in binding.get("members", [])
    ]
    assert readers == [(SECRET, "roles/secretmanager.secretAccessor")]
    assert any("billed while idle" in note for note in gcp.plan.notes)
    answer = requests.get(f"{gcp.result.url.rstrip('/')}/db", timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"host": "db.internal", "password": VALUE}

    # Azure: a Key Vault reference, the delegated subnet, one always-ready instance; the identity is
    # Key Vault Secrets User on that vault only.
    _open(root, "azure").set_secret(SECRET, VALUE)
    azure = _deployed_twice(root, "azure", azure_env.write_calls)
    group, site = azure.result.outputs["resource_group"], azure.result.outputs["function_app"]
    web = azure_env.client(WebSiteManagementClient)
    settings = web.web_apps.list_application_settings(group, site).properties
    assert settings["DB_PASSWORD"] == f"@Microsoft.KeyVault(VaultName={VAULT};SecretName={SECRET})"
    found = web.web_apps.get(group, site)
    assert str(found.virtual_network_subnet_id).lower() == networks.azure_subnet.lower()
    always_ready = found.function_app_config.scale_and_concurrency.always_ready
    assert [(a.name, a.instance_count) for a in always_ready] == [("http", 1)]
    vault_readers = _vault_readers(azure_env)
    assert len(vault_readers) == 1 and vault_readers[0].lower().endswith(f"/vaults/{VAULT}")
    answer = requests.get(f"{azure.result.url.rstrip('/')}/db", timeout=60, verify=azure_env.ca_bundle)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"host": "db.internal", "password": VALUE}

    # One file, untouched by either deploy; the value in no request body faas sent to ARM.
    assert (root / "faas.toml").read_text() == config_before
    assert VALUE not in json.dumps([c.body for c in azure_env.calls if "/secrets/" not in c.path], default=str)

    # Undeploy takes what faas made and its grants; the user's secret, vault and network stay.
    workflow.undeploy(_open(root, "gcp"))
    assert gcp_deployment.function_name("") not in gcp_env.functions.functions
    assert SECRET in gcp_env.secrets.secrets
    assert gcp_deployment.runtime_email not in json.dumps(gcp_env.secrets.policies)
    workflow.undeploy(_open(root, "azure"))
    assert azure_env.arm.of_type("Microsoft.Web/sites") == [] and _vault_readers(azure_env) == []
    assert azure_env.arm.get(networks.azure_subnet.split("/subnets/")[0]) is not None  # the user's vnet


def _vault_readers(fake: AzureFake) -> list[str]:
    """The scopes of every Key Vault Secrets User assignment."""
    return [
        a["properties"]["scope"]
        for a in fake.arm.of_type("Microsoft.Authorization/roleAssignments")
        if a["properties"]["roleDefinitionId"].lower().endswith(SECRETS_USER)
    ]
