"""Undeploy: the stage's domain mappings, its scheduler jobs, every function labelled for it (its
Cloud Run service, IAM and Eventarc trigger go with it), its buckets (with their objects), the
eventReceiver project grant, the runtime identity's accessor bindings on the secrets the functions
read (the secrets stay: they are the user's), then its runtime service account."""

from __future__ import annotations

from faas import Action, Change, Plan, secret_references, translated, undeploy_plan
from faas.providers.gcp import domain, functions, identity, receiver, schedules, secrets, storage
from faas.providers.gcp.context import ERRORS, Deployment


def plan_undeploy(deployment: Deployment) -> Plan:
    with translated(deployment, "plan undeploy", ERRORS):
        mappings = domain.plan_removal(deployment)
        jobs = schedules.owned_jobs(deployment)
        found = functions.owned_functions(deployment)
        buckets = storage.owned_buckets(deployment)
        account = identity.owned_account(deployment)
        _, receiver_revokes = receiver.plan_receiver(deployment, wanted=False)
        read = {name for f in found for name in secrets.deployed_references(f)}
        configured = _environments(deployment)
        read |= {name for environment in configured for name in secret_references(environment).values()}
        _, secret_revokes = secrets.plan_access(deployment, set(), read)
    # First: a mapping routes to the app's service, which goes with its function below.
    actions: list[Action] = mappings
    actions += [
        Action(Change.DELETE, schedules.RESOURCE, schedules.job_id(name), (), schedules.DeleteJobStep(name))
        for name in sorted(jobs)
    ]
    actions += [
        Action(Change.DELETE, functions.RESOURCE, f.name.rsplit("/", 1)[1], (), functions.DeleteFunctionStep(f.name))
        for f in found
    ]
    actions += [Action(Change.DELETE, storage.RESOURCE, name, (), storage.DeleteBucketStep(name)) for name in buckets]
    actions += receiver_revokes
    actions += secret_revokes
    if account is not None:
        # Last: its bindings (on the services, buckets and secrets) are gone by then.
        actions.append(
            Action(Change.DELETE, identity.RESOURCE, deployment.names.runtime_account, (), identity.DeleteAccountStep())
        )
    return Plan("gcp", deployment.project.stage, tuple(actions))


def undeploy(deployment: Deployment, plan: Plan) -> None:
    undeploy_plan(deployment, plan, ERRORS)


def _environments(deployment: Deployment) -> list[dict[str, str]]:
    """The configured environments: a secret referenced there may hold a grant a failed deploy left."""
    config = deployment.project.config
    found = [dict(function.environment) for function in config.functions]
    if config.app is not None:
        found.append(dict(config.app.environment))
    return found
