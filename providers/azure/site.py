"""The Flex Consumption plan, the function app (site) and its app settings.

App settings are replaced as a whole by ARM's update, so faas reads what is there and merges: a
setting added in the portal survives; one faas set earlier and no longer wants (listed in
FAAS_SETTINGS) goes. Flex manages the worker runtime and package settings itself and refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.mgmt.web import WebSiteManagementClient, models

from faas import FUNCTION_ENV, Action, ApplyState, Change, ConfigError, Detail, desired_functions
from faas.providers.azure import infra, keyvault, monitoring, network, scaling, static
from faas.providers.azure.context import Deployment, get_or_none

MANAGED = "FAAS_SETTINGS"
RELEASE = "FAAS_RELEASE"
# Learn: "Flex Consumption plan deprecations": the platform sets these from functionAppConfig.
FLEX_REJECTED = frozenset(
    {
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_EXTENSION_VERSION",
        "FUNCTIONS_WORKER_PROCESS_COUNT",
        "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE",
        "SCM_DO_BUILD_DURING_DEPLOYMENT",
        "ENABLE_ORYX_BUILD",
        "WEBSITE_NODE_DEFAULT_VERSION",
        "WEBSITE_SKIP_CONTENTSHARE_VALIDATION",
        "WEBSITE_USE_PLACEHOLDER",
        "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED",
        "PYTHON_ISOLATE_WORKER_DEPENDENCIES",
        "PYTHON_THREADPOOL_THREAD_COUNT",
    }
)


def flex_rejected(name: str) -> bool:
    return name.upper() in FLEX_REJECTED or name.upper().startswith("WEBSITE_CONTENT")


def web(deployment: Deployment) -> Any:
    return deployment.client(WebSiteManagementClient)


# -- plan (server farm) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        web(deployment).app_service_plans.begin_create_or_update(
            deployment.group,
            deployment.names.plan,
            models.AppServicePlan(
                location=deployment.options.location,
                kind="functionapp",
                sku=models.SkuDescription(name="FC1", tier="FlexConsumption"),
                properties=models.AppServicePlanProperties(reserved=True),  # Linux
                tags=deployment.tags(),
            ),
        ).result()


def plan_server_farm(deployment: Deployment, group_exists: bool) -> list[Action]:
    if deployment.options.plan != "flex":
        raise ConfigError("[providers.azure] plan = 'premium' deploys are not supported yet: use plan = 'flex'")
    get_plan = web(deployment).app_service_plans.get
    found = get_or_none(get_plan, deployment.group, deployment.names.plan) if group_exists else None
    if found is not None:
        return []
    return [Action(Change.CREATE, "hosting plan", f"{deployment.names.plan} (FC1)", payload=PlanStep())]


# -- site -------------------------------------------------------------------------------------------


def desired_config(deployment: Deployment, storage_url: str) -> dict[str, Any]:
    options = deployment.options
    warm, most, concurrency = scaling.http_scale(deployment)
    scale: dict[str, Any] = {"instanceMemoryMB": options.instance_memory, "maximumInstanceCount": most}
    if warm:
        # Flex's always-ready instances, per trigger group: the HTTP app's is "http".
        scale["alwaysReady"] = [{"name": "http", "instanceCount": warm}]
    if concurrency:
        scale["triggers"] = {"http": {"perInstanceConcurrency": concurrency}}
    return {
        "deployment": {
            "storage": {
                "type": "blobContainer",
                "value": storage_url,
                "authentication": {
                    "type": "UserAssignedIdentity",
                    "userAssignedIdentityResourceId": infra.identity_id(deployment),
                },
            }
        },
        "runtime": {"name": "python", "version": deployment.project.config.python},
        "scaleAndConcurrency": scale,
    }


def _config_fields(config: dict[str, Any]) -> dict[str, str]:
    storage = config["deployment"]["storage"]
    scale = config.get("scaleAndConcurrency") or {}
    fields = {
        "runtime": f"{config['runtime']['name']} {config['runtime']['version']}",
        "deployment storage": storage["value"],
        "storage identity": str(storage["authentication"].get("userAssignedIdentityResourceId", "")).lower(),
        "instance memory": str(scale.get("instanceMemoryMB", "")),
        "maximum instances": str(scale.get("maximumInstanceCount", "")),
        "always ready": ",".join(f"{r.get('name')}={r.get('instanceCount')}" for r in scale.get("alwaysReady") or ()),
    }
    concurrency = ((scale.get("triggers") or {}).get("http") or {}).get("perInstanceConcurrency")
    if concurrency:
        # Azure picks a default when none is given: the plan compares only a chosen one (wanted's keys)
        fields["http concurrency"] = str(concurrency)
    return fields


def site_config_of(site: Any) -> dict[str, Any] | None:
    config = site.function_app_config
    return None if config is None else dict(config.as_dict())


@dataclass(frozen=True)
class SiteStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        farm = web(deployment).app_service_plans.get(deployment.group, deployment.names.plan)
        identity = infra.identity_id(deployment)
        properties = models.SiteProperties(
            server_farm_id=farm.id,
            https_only=True,
            function_app_config=models.FunctionAppConfig(desired_config(deployment, infra.container_url(deployment))),
            # Azure resolves Key Vault references as the system identity unless told which user-assigned one.
            key_vault_reference_identity=identity,
            virtual_network_subnet_id=network.subnet_id(deployment) or None,
        )
        # Settings go with the first PUT (the host needs its storage at once); later they are merged.
        existing = get_or_none(web(deployment).web_apps.get, deployment.group, deployment.site)
        if existing is None:
            properties.site_config = models.SiteConfig(
                app_settings=[
                    models.NameValuePair(name=k, value=v) for k, v in sorted(desired_settings(deployment, {}).items())
                ]
            )
        body = models.Site(
            location=deployment.options.location,
            kind="functionapp,linux",
            tags=deployment.tags(""),
            identity=models.ManagedServiceIdentity(
                type="UserAssigned", user_assigned_identities={identity: models.UserAssignedIdentity()}
            ),
            properties=properties,
        )
        web(deployment).web_apps.begin_create_or_update(deployment.group, deployment.site, body).result()


def read_site(deployment: Deployment) -> Any:
    return get_or_none(web(deployment).web_apps.get, deployment.group, deployment.site)


def plan_site(deployment: Deployment, site: Any, storage_url: str | None) -> list[Action]:
    network.check_subnet(deployment)
    if site is None:
        return [Action(Change.CREATE, "function app", deployment.site, payload=SiteStep())]
    wanted = _config_fields(desired_config(deployment, storage_url or ""))
    current_config = site_config_of(site)
    have = _config_fields(current_config) if current_config else {}
    details: list[Detail] = [(k, have.get(k, ""), v) for k, v in wanted.items() if have.get(k) != v]
    subnet = network.subnet_id(deployment)
    if str(site.virtual_network_subnet_id or "").lower() != subnet.lower():
        details.append(("subnet", str(site.virtual_network_subnet_id or ""), subnet))
    reference_identity = str(site.key_vault_reference_identity or "")
    if reference_identity.lower() != infra.identity_id(deployment).lower():
        details.append(("key vault reference identity", reference_identity, deployment.names.identity))
    if dict(site.tags or {}) != deployment.tags(""):
        details.append(("tags", "", "faas tags"))
    if not details:
        return []
    return [Action(Change.UPDATE, "function app", deployment.site, tuple(details), payload=SiteStep())]


# -- app settings -----------------------------------------------------------------------------------


def user_environment(deployment: Deployment) -> dict[str, str]:
    environment: dict[str, str] = {}
    # One function app hosts them all, so they share one set of settings.
    for function in desired_functions(deployment.project):
        environment.update({k: v for k, v in function.environment.items() if k != FUNCTION_ENV})
    bad = sorted(name for name in environment if flex_rejected(name))
    if bad:
        raise ConfigError(f"Flex Consumption manages these settings itself and refuses them: {', '.join(bad)}")
    # ${secret:NAME} values become Key Vault references the platform resolves (keyvault.py)
    return keyvault.with_references(deployment, {name: str(value) for name, value in environment.items()})


def desired_settings(deployment: Deployment, current: dict[str, str]) -> dict[str, str]:
    """What is there, minus what faas set before and no longer wants, plus what faas wants now."""
    identity = infra.read_identity(deployment)
    ours = {
        # identity-based host storage: no connection string, no key
        "AzureWebJobsStorage__accountName": deployment.account,
        "AzureWebJobsStorage__credential": "managedidentity",
        "AzureWebJobsStorage__clientId": identity.client_id if identity is not None else "",
        **static.storage_environment(deployment),
        # where the host sends its logs (what `faas logs` reads): Application Insights
        monitoring.SETTING: monitoring.connection_string(deployment),
        **user_environment(deployment),
    }
    previous = {name for name in current.get(MANAGED, "").split(",") if name}
    merged = {k: v for k, v in current.items() if k not in previous and not flex_rejected(k)}
    merged.update(ours)
    merged[MANAGED] = ",".join(sorted(ours))
    if RELEASE in current:
        merged[RELEASE] = current[RELEASE]
    return merged


def current_settings(deployment: Deployment) -> dict[str, str]:
    listed = web(deployment).web_apps.list_application_settings(deployment.group, deployment.site)
    return dict(listed.properties or {})


@dataclass(frozen=True)
class SettingsStep:
    # True when no publish follows: the live release now runs with these settings, so its kept
    # snapshot (what rollback restores) is brought up to date; a publish keeps its own instead.
    refresh_snapshot: bool = False

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        merged = desired_settings(deployment, current_settings(deployment))
        web(deployment).web_apps.update_application_settings(
            deployment.group, deployment.site, models.StringDictionary(properties=merged)
        )
        if self.refresh_snapshot and merged.get(RELEASE):
            from faas.providers.azure import releases

            releases.refresh_snapshot(deployment, merged[RELEASE], merged)


def plan_settings(deployment: Deployment, site: Any, *, publishing: bool = True) -> list[Action]:
    if site is None:
        return []  # the create carries them
    current = current_settings(deployment)
    merged = desired_settings(deployment, current)
    if merged == current:
        return []
    changed = sorted(k for k in set(merged) | set(current) if merged.get(k) != current.get(k))
    # names only: a value may be a secret
    details: list[Detail] = [
        (name, "set" if name in current else "", "set" if name in merged else "") for name in changed
    ]
    step = SettingsStep(refresh_snapshot=not publishing)
    return [Action(Change.UPDATE, "app settings", deployment.site, tuple(details), payload=step)]
