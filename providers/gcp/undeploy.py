"""Undeploy: every function labelled for the project and stage (its Cloud Run service and IAM go with it)."""

from __future__ import annotations

from faas import Action, Change, Plan, translated, undeploy_plan
from faas.providers.gcp import functions
from faas.providers.gcp.context import ERRORS, Deployment


def plan_undeploy(deployment: Deployment) -> Plan:
    with translated(deployment, "plan undeploy", ERRORS):
        found = functions.owned_functions(deployment)
    actions = tuple(
        Action(Change.DELETE, functions.RESOURCE, f.name.rsplit("/", 1)[1], (), functions.DeleteFunctionStep(f.name))
        for f in found
    )
    return Plan("gcp", deployment.project.stage, actions)


def undeploy(deployment: Deployment, plan: Plan) -> None:
    undeploy_plan(deployment, plan, ERRORS)
