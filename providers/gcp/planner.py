"""Deploy as plan (read-only calls: desired vs deployed) then apply (the engine runs the steps).

Nothing is stored locally: names and labels find the deployment again, so a deploy after a failure
(or from another machine) plans exactly what is still missing.
"""

from __future__ import annotations

from faas import Action, ApplyState, Artifact, Change, DeployResult, Observed, Plan, apply_plan, translated
from faas.providers.gcp import domain, events, functions, identity, invoker, receiver, schedules, secrets, storage
from faas.providers.gcp.context import ARTIFACT, ERRORS, Deployment


def plan(deployment: Deployment, artifact: Artifact) -> Plan:
    with translated(deployment, "plan", ERRORS):
        return _plan(deployment, artifact)


def _plan(deployment: Deployment, artifact: Artifact) -> Plan:
    if deployment.project.config.domain and deployment.project.config.app is not None:
        # What a domain mapping cannot serve is refused before any call.
        domain.check_supported(deployment, "plan")
    specs = functions.wanted(deployment, artifact)
    triggers = events.wanted_triggers(deployment)
    events.check_sources(deployment, triggers)
    referenced = {secret for want in specs for _, _, secret, _ in want.secret_env}
    # Before anything else: a missing secret refuses the deploy while nothing has been written.
    secrets.check_exist(deployment, referenced)
    owned = functions.owned_functions(deployment)
    secret_grants, secret_revokes = secrets.plan_access(
        deployment, referenced, {name for f in owned for name in secrets.deployed_references(f)}
    )
    actions: list[Action] = identity.plan_account(deployment)
    receiver_grants, receiver_revokes = receiver.plan_receiver(deployment, wanted=bool(triggers))
    actions += receiver_grants
    function_actions, needs_code = functions.plan_functions(deployment, specs)
    actions += storage.plan_storage(deployment, artifact)
    # A revision reads its secrets as it starts: the grants come before the functions change.
    actions += secret_grants
    if needs_code:
        actions.append(Action(Change.CREATE, "source upload", artifact.sha256[:12], (), functions.UploadStep()))
    actions += function_actions
    changing = {a.name for a in function_actions}
    for want in specs:
        if want.key == "":
            short = deployment.names.function(want.key)
            actions += invoker.plan_invoker(
                deployment, want.key, public=want.public, function_changes=short in changing
            )
    actions += schedules.plan_schedules(deployment, changing)
    # After the app's function (the mapping's route must exist), before a function it mapped is deleted.
    actions += domain.plan_domain(deployment)
    keys = {want.name for want in specs}
    for function in owned:
        if function.name not in keys:
            short = function.name.rsplit("/", 1)[1]
            actions.append(
                Action(Change.DELETE, functions.RESOURCE, short, (), functions.DeleteFunctionStep(function.name))
            )
    # After the functions stop reading them (updated or deleted above); before a stale account goes.
    actions += receiver_revokes
    actions += secret_revokes
    actions += identity.plan_stale_account(deployment)
    observed = _observed(deployment)
    notes = (
        (identity.deployer_roles_note(deployment, event_triggers=bool(triggers)), *_cost_notes(specs))
        if actions
        else ()
    )
    return Plan("gcp", deployment.project.stage, tuple(actions), notes, observed)


def _cost_notes(specs: list[functions.Wanted]) -> tuple[str, ...]:
    warm = [(want.key or "app", want.min_instances) for want in specs if want.min_instances]
    if not warm:
        return ()
    which = ", ".join(f"{key} {count}" for key, count in warm)
    return (
        f"{sum(count for _, count in warm)} minimum instance(s) ({which}) are kept warm and billed while idle, "
        "at Cloud Run's idle rate for their CPU and memory, plus their requests",
    )


def _observed(deployment: Deployment) -> Observed:
    if not deployment.function_keys:
        return Observed()
    have = functions.deployed(deployment, deployment.function_name(deployment.primary))
    if have is None:
        return Observed()
    return Observed(have.service_config.uri or None, have.service_config.revision or None)


def apply(deployment: Deployment, plan: Plan, artifact: Artifact) -> DeployResult:
    state = ApplyState()
    state.learn(ARTIFACT, artifact)
    apply_plan(deployment, plan, ERRORS, state)
    url = state.url or plan.observed.url
    version = state.versions.get(deployment.primary) if deployment.function_keys else None
    result = DeployResult(
        provider="gcp",
        stage=deployment.project.stage,
        url=url,
        version=version or plan.observed.version,
        changed=not plan.is_empty,
        outputs={
            "project": deployment.gcp_project,
            "region": deployment.region,
            "functions": ",".join(deployment.names.function(key) for key in deployment.function_keys),
            **({"domain": f"https://{name}/"} if (name := _mapped_domain(deployment)) else {}),
        },
    )
    if url:
        deployment.say(f"{deployment.names.prefix} is live at {url}")
    if any(action.resource == domain.RESOURCE and action.change != Change.DELETE for action in plan.actions):
        deployment.say("run `faas certify --provider gcp` for the DNS records of the domain and its certificate")
    return result


def _mapped_domain(deployment: Deployment) -> str | None:
    return domain.domain_of(deployment) if deployment.project.config.app is not None else None
