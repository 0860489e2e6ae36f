"""Status and undeploy: find the stage's resources by their derived names, check the tags say ours.

Undeploy deletes the site, its plan, the identity (its role assignment with it), the Application
Insights component and its workspace (monitoring.py), the storage account (unless kept), and the
resource group only when faas created it (tagged) and it is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient

from faas import Action, ApplyState, Change, Plan, Resource, Status, translated, undeploy_plan
from faas.providers.azure import infra, keyvault, monitoring
from faas.providers.azure import site as sites
from faas.providers.azure.context import BLOB_DATA_OWNER, ERRORS, Deployment, get_or_none, role_assignment_name


@dataclass(frozen=True)
class DeleteStep:
    kind: str

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        group, web = deployment.group, sites.web(deployment)
        if self.kind == "site":
            web.web_apps.delete(group, deployment.site)
        elif self.kind == "plan":
            web.app_service_plans.delete(group, deployment.names.plan)
        elif self.kind == "role":
            identity = infra.read_identity(deployment)
            if identity is not None:
                scope = infra.account_id(deployment)
                name = role_assignment_name(scope, identity.principal_id, BLOB_DATA_OWNER)
                deployment.client(AuthorizationManagementClient).role_assignments.delete(scope, name)
        elif self.kind == "identity":
            deployment.client(ManagedServiceIdentityClient).user_assigned_identities.delete(
                group, deployment.names.identity
            )
        elif self.kind == "storage":
            deployment.client(StorageManagementClient).storage_accounts.delete(group, deployment.account)
        elif self.kind == "group":
            resources = deployment.client(ResourceManagementClient)
            if not list(resources.resources.list_by_resource_group(group)):
                resources.resource_groups.begin_delete(group).result()


def plan_undeploy(deployment: Deployment, keep_artifacts: bool = False) -> Plan:
    with translated(deployment, "plan undeploy", ERRORS):
        return Plan("azure", deployment.project.stage, tuple(_actions(deployment, keep_artifacts)))


def _actions(deployment: Deployment, keep_artifacts: bool) -> list[Action]:
    resources = deployment.client(ResourceManagementClient)
    if not resources.resource_groups.check_existence(deployment.group):
        return []
    actions: list[Action] = []
    site = sites.read_site(deployment)
    if site is not None and deployment.names.owns(site.tags):
        actions.append(Action(Change.DELETE, "function app", deployment.site, payload=DeleteStep("site")))
    farm = get_or_none(sites.web(deployment).app_service_plans.get, deployment.group, deployment.names.plan)
    if farm is not None and deployment.names.owns(farm.tags):
        actions.append(Action(Change.DELETE, "hosting plan", deployment.names.plan, payload=DeleteStep("plan")))
    identity = infra.read_identity(deployment)
    storage = deployment.client(StorageManagementClient)
    account = get_or_none(storage.storage_accounts.get_properties, deployment.group, deployment.account)
    if identity is not None and deployment.names.owns(identity.tags):
        actions += keyvault.plan_unassign(deployment, identity)
        if account is not None:
            actions.append(
                Action(
                    Change.DELETE,
                    "role assignment",
                    f"Storage Blob Data Owner for {identity.name}",
                    payload=DeleteStep("role"),
                )
            )
        actions.append(Action(Change.DELETE, "managed identity", identity.name, payload=DeleteStep("identity")))
    actions += monitoring.plan_delete(deployment)
    if account is not None and deployment.names.owns(account.tags) and not keep_artifacts:
        actions.append(Action(Change.DELETE, "storage account", deployment.account, payload=DeleteStep("storage")))
    group = resources.resource_groups.get(deployment.group)
    if deployment.names.owns(group.tags) and not (keep_artifacts and account is not None):
        actions.append(
            Action(Change.DELETE, "resource group", f"{deployment.group} (if empty)", payload=DeleteStep("group"))
        )
    return actions


def undeploy(deployment: Deployment, plan: Plan) -> None:
    undeploy_plan(deployment, plan, ERRORS)


def status(deployment: Deployment) -> Status:
    with translated(deployment, "status", ERRORS):
        resources = deployment.client(ResourceManagementClient)
        site = sites.read_site(deployment) if resources.resource_groups.check_existence(deployment.group) else None
        if site is None or not deployment.names.owns(site.tags):
            return Status("azure", deployment.project.stage, deployed=False)
        settings = sites.current_settings(deployment)
        functions = list(sites.web(deployment).web_apps.list_functions(deployment.group, deployment.site))
        names = [str(f.name).rsplit("/", 1)[-1] for f in functions]
        timers = sorted(
            (name, schedule) for name, schedule in zip(names, map(timer_schedule, functions), strict=True) if schedule
        )
        return Status(
            "azure",
            deployment.project.stage,
            deployed=True,
            url=f"https://{site.default_host_name}/",
            version=(settings.get(sites.RELEASE) or "")[:12] or None,
            last_deploy=site.last_modified_time_utc,
            resources=(
                Resource("function app", deployment.site, f"{site.state}, {len(names)} functions"),
                *(Resource("function", name) for name in sorted(names)),
                # what the host indexed from the package: the NCRONTAB it really runs on
                *(Resource("schedule", name, schedule) for name, schedule in timers),
            ),
        )


def timer_schedule(function: Any) -> str | None:
    """The NCRONTAB of an indexed function's timer trigger (`FunctionEnvelope.config`), or None."""
    config = function.config if isinstance(function.config, dict) else {}
    for binding in config.get("bindings") or ():
        if isinstance(binding, dict) and binding.get("type") == "timerTrigger" and binding.get("schedule"):
            return str(binding["schedule"])
    return None
