"""Undeploy: a plan of deletions of everything this project and stage own, found by names and tags."""

from __future__ import annotations

from dataclasses import dataclass

from faas import Action, Change, Plan, translated, undeploy_plan
from faas.providers.aws import artifacts, domain, events, frontdoor, functions, iam, operate, schedules
from faas.providers.aws.context import ERRORS, ApplyState, Deployment
from faas.providers.aws.naming import APP
from faas.providers.aws.session import is_missing


def plan_undeploy(deployment: Deployment, keep_artifacts: bool) -> Plan:
    with translated(deployment, "plan undeploy", ERRORS):
        actions = _actions(deployment, keep_artifacts)
    notes = ("the artifact bucket is kept (--keep-artifacts)",) if keep_artifacts else ()
    return Plan("aws", deployment.project.stage, tuple(actions), notes)


def _actions(deployment: Deployment, keep_artifacts: bool) -> list[Action]:
    actions: list[Action] = list(domain.plan_domain_removal(deployment))
    for api in frontdoor.find_http_apis(deployment):
        actions.append(
            Action(
                Change.DELETE,
                "http api",
                f"{api['Name']} ({api['ApiId']})",
                (),
                frontdoor.DeleteApiStep("http-api", api["ApiId"]),
            )
        )
    for api in frontdoor.find_rest_apis(deployment):
        actions.append(
            Action(
                Change.DELETE,
                "rest api",
                f"{api['name']} ({api['id']})",
                (),
                frontdoor.DeleteApiStep("rest-api", api["id"]),
            )
        )
    lambdas = functions.owned_functions(deployment)
    if deployment.names.function(APP) in lambdas:
        url = frontdoor.find_function_url(deployment)
        if url is not None:
            actions.append(
                Action(
                    Change.DELETE, "function url", url["FunctionUrl"], (), frontdoor.DeleteApiStep("function-url", "")
                )
            )
    for name in sorted(schedules.owned_rules(deployment)):
        actions.append(Action(Change.DELETE, "schedule", name, (), schedules.DeleteRuleStep(name)))
    for bucket in sorted(events.wired_buckets(deployment)):
        actions.append(Action(Change.DELETE, "s3 notification", bucket, (), events.NotificationStep(bucket, ())))
    for name in sorted(lambdas):
        actions.append(Action(Change.DELETE, "lambda function", name, (), functions.DeleteFunctionStep(name)))
    for group in operate.log_groups(deployment):
        if group.removeprefix("/aws/lambda/") not in lambdas:
            actions.append(Action(Change.DELETE, "log group", group, (), DeleteLogGroupStep(group)))
    if iam.owned_role(deployment):
        actions.append(Action(Change.DELETE, "iam role", deployment.names.role, (), DeleteRoleStep()))
    artifact_bucket = deployment.names.bucket("artifacts", deployment.account, deployment.region)
    for bucket in operate.owned_buckets(deployment):
        if bucket == artifact_bucket and keep_artifacts:
            continue
        actions.append(Action(Change.DELETE, "s3 bucket", bucket, (), DeleteBucketStep(bucket)))
    return actions


@dataclass(frozen=True)
class DeleteLogGroupStep:
    name: str

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        try:
            deployment.session.client("logs").delete_log_group(logGroupName=self.name)
        except Exception as error:
            if not is_missing(error):
                raise


@dataclass(frozen=True)
class DeleteRoleStep:
    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        iam.delete_role(deployment)


@dataclass(frozen=True)
class DeleteBucketStep:
    bucket: str

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        artifacts.empty_and_delete_bucket(deployment, self.bucket)


def undeploy(deployment: Deployment, plan: Plan) -> None:
    undeploy_plan(deployment, plan, ERRORS)
