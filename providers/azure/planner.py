"""Deploy as plan (read-only ARM calls: desired vs what is there) then apply (the engine runs the steps).

Nothing is stored locally: names are derived and every run rediscovers the deployment, so a deploy
after a failure plans exactly what is still missing, and a deploy that changes nothing writes nothing.
"""

from __future__ import annotations

from faas import Action, ApplyState, Artifact, Change, DeployResult, Observed, Plan, apply_plan, translated
from faas.providers.azure import infra, keyvault, monitoring, publish, scaling, static
from faas.providers.azure import site as sites
from faas.providers.azure.context import ERRORS, Deployment


def plan(deployment: Deployment, artifact: Artifact) -> Plan:
    with translated(deployment, "plan", ERRORS):
        return _plan(deployment, artifact)


def _url(site: object) -> str | None:
    host = getattr(site, "default_host_name", None)
    return f"https://{host}/" if host else None


def _plan(deployment: Deployment, artifact: Artifact) -> Plan:
    group = infra.plan_group(deployment)
    exists = not group
    actions: list[Action] = [*group]
    storage = infra.plan_storage(deployment, exists)
    actions += storage
    account_exists = exists and not any(a.resource == "storage account" for a in storage)
    actions += static.plan_static(deployment, artifact, account_exists)
    actions += infra.plan_identity(deployment, exists)
    actions += monitoring.plan_monitoring(deployment, exists)
    # refuses a missing secret here, before any write; grants the identity its role on the vault
    actions += keyvault.plan_vault(deployment, infra.read_identity(deployment) if exists else None)
    actions += sites.plan_server_farm(deployment, exists)
    site = sites.read_site(deployment) if exists else None
    storage_url = infra.container_url(deployment) if account_exists else None
    actions += sites.plan_site(deployment, site, storage_url)
    released = sites.current_settings(deployment).get(sites.RELEASE) if site is not None else None
    actions += sites.plan_settings(deployment, site, publishing=released != artifact.sha256)
    if released != artifact.sha256:
        actions.append(
            Action(
                Change.UPDATE if site is not None else Change.CREATE,
                "release",
                deployment.site,
                (("package", (released or "")[:12], artifact.sha256[:12]),),
                payload=publish.PublishStep(),
            )
        )
    observed = Observed(_url(site), (released or "")[:12] or None)
    return Plan("azure", deployment.project.stage, tuple(actions), _notes(deployment), observed)


def _notes(deployment: Deployment) -> tuple[str, ...]:
    return (*scaling.warm_notes(deployment), *_django_notes(deployment))


def _django_notes(deployment: Deployment) -> tuple[str, ...]:
    app = deployment.project.config.app
    if app is not None and app.framework == "django" and not deployment.options.route_prefix:
        # azure-functions-host#2590: with an empty route prefix the host's admin API keeps /admin/*.
        return (
            "Azure's Functions host answers every /admin/... URL itself (its admin API), so Django's admin "
            'at "admin/" is unreachable there: mount it elsewhere, e.g. path("site-admin/", admin.site.urls), '
            'or set [providers.azure] route_prefix = "api" (the app is then served under /api/)',
        )
    return ()


def apply(deployment: Deployment, plan: Plan, artifact: Artifact) -> DeployResult:
    state = ApplyState()
    state.learn(publish.ARTIFACT, artifact)
    apply_plan(deployment, plan, ERRORS, state)
    url = plan.observed.url
    if plan.actions:
        with translated(deployment, "read function app", ERRORS):
            url = _url(sites.read_site(deployment)) or url
    version = state.versions.get(deployment.primary) or plan.observed.version
    result = DeployResult(
        provider="azure",
        stage=deployment.project.stage,
        url=url,
        version=version,
        changed=not plan.is_empty,
        outputs={
            "resource_group": deployment.group,
            "function_app": deployment.site,
            "storage_account": deployment.account,
        },
    )
    if url:
        deployment.say(f"{deployment.names.prefix} is live at {url}")
    return result
