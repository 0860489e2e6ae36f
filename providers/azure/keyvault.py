"""`${secret:NAME}` on Azure: Key Vault references in the function app's settings.

A referenced variable becomes the app setting `@Microsoft.KeyVault(VaultName=<vault>;SecretName=<name>)`:
App Service reads the value when the site starts, as the site's `keyVaultReferenceIdentity` (the
stage's user-assigned identity), so faas never reads it on a deploy. The plan looks each secret up
(its versions: metadata, never a value) and refuses a missing one before any change.

The vault is one the user names (`[providers.azure] key_vault`), with RBAC authorization. The
identity gets Key Vault Secrets User on that vault only, a role assignment at the vault's scope
named by a derived GUID; undeploy removes it and leaves the vault and its secrets, which other
stages may share. Key Vault secret names take letters, digits and dashes only: `_` in NAME becomes
`-` (DB_PASSWORD is the vault's DB-PASSWORD), the same mapping for deploy and `faas secrets set`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.keyvault import KeyVaultManagementClient

from faas import (
    Action,
    ApplyState,
    Change,
    ConfigError,
    DeployError,
    desired_functions,
    missing_secrets,
    secret_references,
)
from faas.providers.azure import infra
from faas.providers.azure.context import Deployment, get_or_none, role_assignment_name, role_definition_id

SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
RESOURCE = "role assignment"


def vault_secret_name(name: str) -> str:
    """The Key Vault secret that holds `${secret:NAME}` (Key Vault names allow no `_`)."""
    return name.replace("_", "-")


def reference(vault: str, name: str) -> str:
    return f"@Microsoft.KeyVault(VaultName={vault};SecretName={vault_secret_name(name)})"


def referenced(deployment: Deployment) -> dict[str, str]:
    """{variable: secret name} over every function (they share one function app's settings)."""
    found: dict[str, str] = {}
    for function in desired_functions(deployment.project):
        found.update(secret_references(function.environment))
    return found


def vault_name(deployment: Deployment) -> str:
    name = deployment.options.key_vault
    if not name:
        variables = ", ".join(sorted(referenced(deployment)))
        raise ConfigError(
            f"{variables}: ${{secret:...}} on Azure needs a Key Vault: set [providers.azure] key_vault = "
            '"<vault name>" (an existing vault with RBAC authorization, e.g. `az keyvault create --name NAME '
            "--resource-group GROUP --enable-rbac-authorization true`)"
        )
    return name


def with_references(deployment: Deployment, environment: dict[str, str]) -> dict[str, str]:
    """The environment with each `${secret:NAME}` value replaced by its Key Vault reference."""
    references = secret_references(environment)
    if not references:
        return environment
    vault = vault_name(deployment)
    by_vault_name: dict[str, str] = {}
    for secret in sorted(set(references.values())):
        other = by_vault_name.setdefault(vault_secret_name(secret).lower(), secret)
        if other != secret:
            raise ConfigError(f"${{secret:{other}}} and ${{secret:{secret}}} are one Key Vault secret: rename one")
    return {k: reference(vault, references[k]) if k in references else v for k, v in environment.items()}


def find_vault(deployment: Deployment) -> Any:
    """The named vault (ARM's view: id, vaultUri, RBAC mode), looked up in the subscription."""
    name = vault_name(deployment)
    vaults = deployment.client(KeyVaultManagementClient).vaults
    found = next((v for v in vaults.list_by_subscription() if str(v.name).lower() == name.lower()), None)
    if found is None:
        raise ConfigError(
            f"no Key Vault {name} in subscription {deployment.subscription} ([providers.azure] key_vault)"
        )
    if not found.properties.enable_rbac_authorization:
        raise ConfigError(
            f"Key Vault {name} uses access policies: faas grants roles, so it needs RBAC authorization "
            f"(`az keyvault update --name {name} --enable-rbac-authorization true`)"
        )
    return found


def secret_client(deployment: Deployment, vault_uri: str) -> Any:
    from azure.keyvault.secrets import SecretClient

    host = urlsplit(vault_uri).hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    session = deployment.session
    return SecretClient(
        vault_uri,
        session.credential,
        connection_verify=session.connection_verify,
        # The challenge's resource must be the vault's own domain; a loopback stand-in has no domain.
        verify_challenge_resource=not loopback,
    )


def check_exist(deployment: Deployment, vault: Any, names: set[str]) -> None:
    """Refuse, at plan time, a referenced secret the vault does not have (version metadata only)."""
    client = secret_client(deployment, vault.properties.vault_uri)
    absent = []
    for name in sorted(names):
        try:
            next(iter(client.list_properties_of_secret_versions(vault_secret_name(name))), None)
        except ResourceNotFoundError:
            absent.append(name)
    if absent:
        stored_as = ", ".join(vault_secret_name(n) for n in absent)
        raise missing_secrets("azure", absent, f"Key Vault {vault.name} (as {stored_as})")


@dataclass(frozen=True)
class VaultRoleStep:
    """Key Vault Secrets User for the stage's identity at the vault's scope (`granted`), or not at all."""

    vault_id: str
    granted: bool = True

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        identity = infra.read_identity(deployment)
        if identity is None:
            if self.granted:
                raise RuntimeError("the identity step ran after the Key Vault role step (a provider bug)")
            return
        assignments = deployment.client(AuthorizationManagementClient).role_assignments
        name = role_assignment_name(self.vault_id, identity.principal_id, SECRETS_USER)
        if self.granted:
            role = role_definition_id(deployment.subscription, SECRETS_USER)
            infra.assign_role(deployment, self.vault_id, name, role, identity.principal_id)
        else:
            assignments.delete(self.vault_id, name)


def _assigned(deployment: Deployment, vault_id: str, principal: str) -> bool:
    assignments = deployment.client(AuthorizationManagementClient).role_assignments
    name = role_assignment_name(vault_id, principal, SECRETS_USER)
    return get_or_none(assignments.get, vault_id, name) is not None


def plan_vault(deployment: Deployment, identity: Any) -> list[Action]:
    """The role the site's references need, after checking every referenced secret exists (read-only)."""
    names = set(referenced(deployment).values())
    if not names:
        return []
    vault = find_vault(deployment)
    check_exist(deployment, vault, names)
    if identity is not None and _assigned(deployment, vault.id, identity.principal_id):
        return []
    what = f"Key Vault Secrets User on {vault.name} for {deployment.names.identity}"
    return [Action(Change.CREATE, RESOURCE, what, payload=VaultRoleStep(vault.id))]


def plan_unassign(deployment: Deployment, identity: Any) -> list[Action]:
    """Undeploy: the identity's role on the configured vault, when it holds one."""
    if identity is None or not deployment.options.key_vault:
        return []
    vaults = deployment.client(KeyVaultManagementClient).vaults
    name = deployment.options.key_vault.lower()
    vault = next((v for v in vaults.list_by_subscription() if str(v.name).lower() == name), None)
    if vault is None or not _assigned(deployment, vault.id, identity.principal_id):
        return []
    what = f"Key Vault Secrets User on {vault.name} for {deployment.names.identity}"
    return [Action(Change.DELETE, RESOURCE, what, payload=VaultRoleStep(vault.id, granted=False))]


def set_secret(deployment: Deployment, name: str, value: str) -> str:
    """Add `value` as the newest version of the vault's secret for NAME (the caller needs a writing role)."""
    vault = find_vault(deployment)
    try:
        stored = secret_client(deployment, vault.properties.vault_uri).set_secret(vault_secret_name(name), value)
    except HttpResponseError as error:
        if error.status_code != 403:
            raise
        raise DeployError(
            "secrets set",
            f"not allowed to write secrets in Key Vault {vault.name}: you need Key Vault Secrets Officer on it "
            f"(`az role assignment create --role 'Key Vault Secrets Officer' --scope {vault.id} --assignee <you>`)",
        ) from error
    return f"Key Vault {vault.name}, secret {stored.name} (version {stored.properties.version})"
