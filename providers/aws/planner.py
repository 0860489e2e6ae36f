"""Deploy as plan (read-only calls: desired vs discovered state) then apply (the engine runs the steps).

Nothing is stored locally: every run rediscovers the deployment by names and tags, so the next
deploy after a failure (or from another machine) plans exactly what is still missing.
"""

from __future__ import annotations

from typing import Any

from faas import Action, ApplyState, Artifact, Change, DeployResult, Observed, Plan, apply_plan, translated
from faas.providers.aws import (
    artifacts,
    concurrency,
    domain,
    events,
    frontdoor,
    functions,
    iam,
    network,
    schedules,
    static,
)
from faas.providers.aws.context import ARTIFACT, CODE_LOCATION, ERRORS, Deployment


def plan(deployment: Deployment, artifact: Artifact) -> Plan:
    with translated(deployment, "plan", ERRORS):
        return _plan(deployment, artifact)


def _plan(deployment: Deployment, artifact: Artifact) -> Plan:
    network.check_network(deployment)
    storage = static.storage_buckets(deployment)
    specs = functions.desired_functions(deployment, static.storage_environment(deployment))
    function_actions, function_deletes, needs_code = functions.plan_functions(deployment, artifact, specs)
    actions: list[Action] = []
    if needs_code and artifacts.via_s3(deployment, artifact):
        actions += artifacts.plan_upload(deployment, artifact)
    actions += iam.plan_role(deployment, [s.bucket for s in storage])
    actions += static.plan_storage_buckets(deployment, artifact)
    actions += functions.plan_log_groups(deployment, specs)
    actions += function_actions
    scaling = [concurrency.Wanted(s.name, s.min_instances, s.max_instances, s.memory) for s in specs]
    actions += concurrency.plan_concurrency(deployment, scaling)
    permissions: dict[str, dict[str, dict[str, Any]]] = {}
    actions += frontdoor.plan_front_door(deployment)
    actions += domain.plan_domain(deployment)
    actions += schedules.plan_schedules(deployment, permissions)
    actions += events.plan_storage(deployment, permissions)
    actions += events.plan_queues(deployment)
    actions += function_deletes
    notes = []
    if any(a.resource == "lambda function" and a.change is not Change.DELETE for a in actions):
        notes.append("each changed function gets a new version; the stage alias moves to it")
    cost = concurrency.cost_note(deployment, scaling)
    if cost is not None:
        notes.append(cost)
    if deployment.options.snap_start:
        notes.append(
            "SnapStart: each published version runs init once and is snapshotted; billed per cached snapshot "
            "and per restore"
        )
    if deployment.options.vpc is not None:
        notes.append(
            "in a VPC the functions reach the internet and AWS APIs only through a NAT gateway or VPC endpoints"
        )
    observed = Observed(_url(deployment), _served_version(deployment))
    return Plan("aws", deployment.project.stage, tuple(actions), tuple(notes), observed)


def _served_version(deployment: Deployment) -> str | None:
    if not deployment.function_keys:
        return None
    return functions.alias_version(
        deployment.session.client("lambda"), deployment.names.function(deployment.primary), deployment.names.alias
    )


def _url(deployment: Deployment) -> str | None:
    custom = domain.custom_url(deployment)
    if custom is not None:
        return custom
    door = frontdoor.deployed(deployment)
    return door.url if door is not None else None


def apply(deployment: Deployment, plan: Plan, artifact: Artifact) -> DeployResult:
    """Run the plan's steps in order; a failure names the step and leaves a state the next plan resumes."""
    state = ApplyState()
    state.learn(ARTIFACT, artifact)
    if any(isinstance(a.payload, functions.FunctionStep) for a in plan.actions):
        state.learn(CODE_LOCATION, artifacts.code_location(deployment, artifact))
    apply_plan(deployment, plan, ERRORS, state)
    url = state.url or plan.observed.url
    if plan.actions:
        url = _url(deployment) or url
    version = state.versions.get(deployment.primary) if deployment.function_keys else None
    result = DeployResult(
        provider="aws",
        stage=deployment.project.stage,
        url=url,
        version=version or plan.observed.version,
        changed=not plan.is_empty,
        outputs={
            **state.outputs,
            "region": deployment.region,
            "alias": deployment.names.alias,
            "functions": ",".join(deployment.names.function(key) for key in deployment.function_keys),
        },
    )
    if url:
        deployment.say(f"{deployment.names.prefix} is live at {url}")
    return result
