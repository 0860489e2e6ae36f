"""Undeploy: every function and bucket labelled for the project and stage (a function's Cloud Run service and
IAM go with it; a bucket goes with its objects)."""

from __future__ import annotations

from faas import Action, Change, Plan, translated, undeploy_plan
from faas.providers.gcp import functions, storage
from faas.providers.gcp.context import ERRORS, Deployment


def plan_undeploy(deployment: Deployment) -> Plan:
    with translated(deployment, "plan undeploy", ERRORS):
        found = functions.owned_functions(deployment)
        buckets = storage.owned_buckets(deployment)
    actions: list[Action] = [
        Action(Change.DELETE, functions.RESOURCE, f.name.rsplit("/", 1)[1], (), functions.DeleteFunctionStep(f.name))
        for f in found
    ]
    actions += [Action(Change.DELETE, storage.RESOURCE, name, (), storage.DeleteBucketStep(name)) for name in buckets]
    return Plan("gcp", deployment.project.stage, tuple(actions))


def undeploy(deployment: Deployment, plan: Plan) -> None:
    undeploy_plan(deployment, plan, ERRORS)
