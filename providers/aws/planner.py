"""Deploy as plan (read-only calls: desired vs discovered state) then apply (carry out frozen actions).

Nothing is stored locally: every run rediscovers the deployment by names and tags, so the next
deploy after a failure (or from another machine) plans exactly what is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions

from faas.core.errors import DeployError, FaasError
from faas.core.packaging.artifact import Artifact
from faas.core.plan import Action, Change, Plan
from faas.core.results import DeployResult
from faas.providers.aws import artifacts, domain, events, frontdoor, functions, iam, schedules, static
from faas.providers.aws.context import ApplyState, Deployment
from faas.providers.aws.session import error_text


@dataclass(frozen=True)
class Observed:
    """What the plan saw deployed, for the result of a deploy that changes nothing."""

    url: str | None
    version: str | None
    needs_code: bool


def primary(deployment: Deployment) -> str:
    """The function whose version stands for the deployment: the app, else the first function."""
    return deployment.function_keys[0]


def plan(deployment: Deployment, artifact: Artifact) -> Plan:
    try:
        return _plan(deployment, artifact)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        raise DeployError("plan", deployment.project.redact(error_text(error))) from None


def _plan(deployment: Deployment, artifact: Artifact) -> Plan:
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
    observed = Observed(_url(deployment), _served_version(deployment), needs_code)
    return Plan("aws", deployment.project.stage, tuple(actions), tuple(notes), observed)


def _served_version(deployment: Deployment) -> str | None:
    if not deployment.function_keys:
        return None
    return functions.alias_version(
        deployment.session.client("lambda"), deployment.names.function(primary(deployment)), deployment.names.alias
    )


def _url(deployment: Deployment) -> str | None:
    custom = domain.custom_url(deployment)
    if custom is not None:
        return custom
    door = frontdoor.deployed(deployment)
    return door.url if door is not None else None


def apply(deployment: Deployment, plan: Plan, artifact: Artifact) -> DeployResult:
    """Run the plan's actions in order; a failure names the action and leaves a state the next plan resumes."""
    observed: Observed = plan.payload
    state = ApplyState(deploy_id=datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ"))
    state.code["artifact"] = artifact
    if any(isinstance(a.payload, functions.FunctionStep) for a in plan.actions):
        state.code["location"] = artifacts.code_location(deployment, artifact)
    for action in plan.actions:
        step = f"{action.change.value} {action.resource} {action.name}"
        deployment.say(step)
        try:
            action.payload.run(deployment, state)
        except FaasError:
            raise
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            raise DeployError(step, deployment.project.redact(error_text(error))) from None
    url = state.url or observed.url
    if plan.actions:
        url = _url(deployment) or url
    version = state.versions.get(primary(deployment)) if deployment.function_keys else None
    result = DeployResult(
        provider="aws",
        stage=deployment.project.stage,
        url=url,
        version=version or observed.version,
        changed=not plan.is_empty,
        outputs={
            **{k: v for k, v in state.outputs.items() if not k.startswith("role_")},
            "region": deployment.region,
            "alias": deployment.names.alias,
            "functions": ",".join(deployment.names.function(key) for key in deployment.function_keys),
        },
    )
    if url:
        deployment.say(f"{deployment.names.prefix} is live at {url}")
    return result
