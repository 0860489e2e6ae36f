"""`${secret:NAME}` on Azure against the fake: Key Vault references in the app settings, resolved by the
fake's App Service as the site's user-assigned identity when it starts the app."""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.v2022_04_01.models import RoleAssignmentCreateParameters
from azure.mgmt.web import WebSiteManagementClient
from click.testing import CliRunner

from faas import DeployError
from faas.core import workflow
from faas.core.cli.main import cli
from faas.core.config import load_project
from faas.core.reporting import NullReporter
from faas.providers.azure import infra
from tests.fakes.azure.fake import AzureFake
from tests.fakes.azure.keyvault import READER, SECRETS_OFFICER, SECRETS_USER
from tests.fakes.azure.prerequisites import VAULT, make_vault

VALUE = "pg-pa55-9f3e-only-in-key-vault"
ROUTE = """

@app.get("/env/<name>")
def env(name: str):
    import os

    return jsonify(value=os.environ.get(name))
"""


@pytest.fixture
def secret_app(flask_project: Path) -> Path:
    app = flask_project / "app.py"
    app.write_text(app.read_text() + ROUTE)
    config = flask_project / "faas.toml"
    config.write_text(
        config.read_text()
        + '\n[app.environment]\nDB_PASSWORD = "${secret:DB_PASSWORD}"\nMODE = "prod"\n'
        + f'\n[providers.azure]\nkey_vault = "{VAULT}"\n'
    )
    return flask_project


def open_azure(root: Path) -> Any:
    return workflow.open_provider(load_project(root / "faas.toml"), "azure", reporter=NullReporter())


def store(root: Path, value: str = VALUE) -> str:
    return str(open_azure(root).set_secret("DB_PASSWORD", value))


def reader_assignments(fake: AzureFake) -> list[dict[str, Any]]:
    return [
        a
        for a in fake.arm.of_type("Microsoft.Authorization/roleAssignments")
        if a["properties"]["roleDefinitionId"].lower().endswith(SECRETS_USER)
    ]


def test_the_value_reaches_the_app_and_nowhere_else(
    azure_env: AzureFake, secret_app: Path, deploy: Any, capsys: pytest.CaptureFixture[str], caplog: Any
) -> None:
    vault_id = make_vault(azure_env)
    store(secret_app)
    reads_before = [r for r in azure_env.keyvault.planes[vault_id.lower()].requests if r[0] == "GET"]
    outcome = deploy(secret_app)
    url = outcome.result.url.rstrip("/")

    answer = requests.get(f"{url}/env/DB_PASSWORD", timeout=60, verify=azure_env.ca_bundle)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"value": VALUE}
    assert requests.get(f"{url}/env/MODE", timeout=60, verify=azure_env.ca_bundle).json() == {"value": "prod"}

    group, site = outcome.result.outputs["resource_group"], outcome.result.outputs["function_app"]
    web = azure_env.client(WebSiteManagementClient)
    settings = web.web_apps.list_application_settings(group, site).properties
    assert settings["DB_PASSWORD"] == f"@Microsoft.KeyVault(VaultName={VAULT};SecretName=DB-PASSWORD)"
    found = web.web_apps.get(group, site)
    identity = open_azure(secret_app).deployment.names.identity
    assert str(found.key_vault_reference_identity).endswith(f"/userAssignedIdentities/{identity}")
    assert azure_env.keyvault.unresolved[found.id.lower()] == {}
    report = {r.name: r.status for r in web.web_apps.get_app_settings_key_vault_references(group, site)}
    assert report == {"DB_PASSWORD": "Resolved"}
    assert VALUE not in json.dumps(settings) and VALUE not in json.dumps([c.body for c in azure_env.calls])
    with zipfile.ZipFile(outcome.artifact.path) as archive:
        assert all(VALUE.encode() not in archive.read(entry) for entry in archive.namelist())
    shown = "\n".join(outcome.plan.render()) + json.dumps(outcome.plan.to_json())
    assert VALUE not in shown
    printed = capsys.readouterr()
    assert VALUE not in printed.out + printed.err + caplog.text
    # faas only listed the secret's versions (metadata): it never asked the vault for a value.
    reads = [r for r in azure_env.keyvault.planes[vault_id.lower()].requests if r[0] == "GET"][len(reads_before) :]
    assert reads and all(path.endswith("/versions") for _, path in reads)

    # Exactly once, at the vault's scope, for the site's identity.
    assigned = reader_assignments(azure_env)
    assert [a["properties"]["scope"].lower() for a in assigned] == [vault_id.lower()]
    principal = infra.read_identity(open_azure(secret_app).deployment).principal_id
    assert assigned[0]["properties"]["principalId"] == principal

    before = len(azure_env.write_calls())
    again = deploy(secret_app)
    assert not again.result.changed and azure_env.write_calls()[before:] == []

    workflow.undeploy(open_azure(secret_app))
    assert reader_assignments(azure_env) == []
    assert azure_env.arm.get(vault_id) is not None  # the user's vault, and its secret, stay


def test_a_missing_secret_is_refused_before_any_write(azure_env: AzureFake, secret_app: Path, deploy: Any) -> None:
    make_vault(azure_env)
    before = len(azure_env.write_calls())
    with pytest.raises(
        DeployError,
        match=r"no secret DB_PASSWORD in Key Vault faas-shared-kv \(as DB-PASSWORD\).*faas secrets set "
        r"DB_PASSWORD --provider azure",
    ):
        deploy(secret_app)
    assert azure_env.write_calls()[before:] == []


def test_an_identity_without_the_role_sees_the_literal_reference(
    azure_env: AzureFake, secret_app: Path, deploy: Any
) -> None:
    make_vault(azure_env)
    store(secret_app)
    outcome = deploy(secret_app)
    assignment = reader_assignments(azure_env)[0]
    azure_env.arm.delete(assignment["id"])
    group, site = outcome.result.outputs["resource_group"], outcome.result.outputs["function_app"]
    azure_env.client(WebSiteManagementClient).web_apps.restart(group, site)

    url = outcome.result.url.rstrip("/")
    answer = requests.get(f"{url}/env/DB_PASSWORD", timeout=60, verify=azure_env.ca_bundle).json()
    assert answer == {"value": f"@Microsoft.KeyVault(VaultName={VAULT};SecretName=DB-PASSWORD)"}
    site_id = azure_env.client(WebSiteManagementClient).web_apps.get(group, site).id
    assert azure_env.keyvault.unresolved[site_id.lower()] == {"DB_PASSWORD": "AccessToKeyVaultDenied"}
    # the site's config says so, as the portal shows it
    web = azure_env.client(WebSiteManagementClient)
    report = {r.name: r.status for r in web.web_apps.get_app_settings_key_vault_references(group, site)}
    assert report == {"DB_PASSWORD": "AccessToKeyVaultDenied"}


def test_faas_secrets_set_reads_stdin(azure_env: AzureFake, secret_app: Path) -> None:
    vault_id = make_vault(azure_env)
    config = str(secret_app / "faas.toml")
    command = ["secrets", "set", "DB_PASSWORD", "--provider", "azure", "-c", config]
    first = CliRunner().invoke(cli, command, input="first\n")
    assert first.exit_code == 0, first.output
    assert "first" not in first.output
    second = CliRunner().invoke(cli, command, input=VALUE + "\n")
    assert second.exit_code == 0, second.output
    assert VALUE not in second.output and f"Key Vault {VAULT}, secret DB-PASSWORD" in second.output
    versions = azure_env.keyvault.planes[vault_id.lower()].secrets["db-password"]
    assert [v.value for v in versions] == ["first", VALUE]


def test_secrets_set_without_a_writing_role_is_one_clear_line(azure_env: AzureFake, secret_app: Path) -> None:
    make_vault(azure_env, officer=False)
    config = str(secret_app / "faas.toml")
    result = CliRunner().invoke(
        cli, ["secrets", "set", "DB_PASSWORD", "--provider", "azure", "-c", config], input="x\n"
    )
    assert isinstance(result.exception, DeployError)
    assert "you need Key Vault Secrets Officer on it" in str(result.exception)


def test_a_deployer_who_may_not_read_values_still_deploys(azure_env: AzureFake, secret_app: Path, deploy: Any) -> None:
    # Key Vault Reader sees metadata only: the deploy's check never needs a value.
    vault_id = make_vault(azure_env)
    store(secret_app)
    officer = next(
        a
        for a in azure_env.arm.of_type("Microsoft.Authorization/roleAssignments")
        if a["properties"]["roleDefinitionId"].lower().endswith(SECRETS_OFFICER)
    )
    azure_env.arm.delete(officer["id"])
    reader = f"/subscriptions/{azure_env.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{READER}"
    azure_env.client(AuthorizationManagementClient).role_assignments.create(
        vault_id,
        str(uuid.uuid4()),
        RoleAssignmentCreateParameters(role_definition_id=reader, principal_id=azure_env.tokens.object_id),
    )
    outcome = deploy(secret_app)
    url = outcome.result.url.rstrip("/")
    assert requests.get(f"{url}/env/DB_PASSWORD", timeout=60, verify=azure_env.ca_bundle).json() == {"value": VALUE}
