"""Schedules as EventBridge rules targeting the function's alias; the expression is core's EventBridge form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faas import EVENTBRIDGE, Action, Change, DeployError, Schedule, ScheduleTrigger, UnsupportedScheduleError
from faas.providers.aws.context import ApplyState, Deployment, tag_list
from faas.providers.aws.permissions import Permission, plan_permission, revoke, source_arn, statements

TARGET_ID = "faas"


def aws_expression(schedule: Schedule) -> str:
    """EventBridge syntax of a canonical schedule (core's translator); DeployError where it has none.

    Packaging has already refused such a schedule (the manifest carries the same expression), so
    this only fires for a plan made without packaging.
    """
    try:
        return EVENTBRIDGE.translate(schedule).expression
    except UnsupportedScheduleError as error:
        raise DeployError("plan", str(error)) from None


@dataclass(frozen=True)
class Rule:
    name: str
    function: str
    expression: str


def desired_rules(deployment: Deployment) -> list[Rule]:
    rules = []
    for function in deployment.project.config.functions:
        schedules = [t.schedule for t in function.triggers if isinstance(t, ScheduleTrigger)]
        for index, schedule in enumerate(schedules):
            rules.append(Rule(deployment.names.rule(function.name, index), function.name, aws_expression(schedule)))
    return rules


def owned_rules(deployment: Deployment) -> dict[str, dict[str, Any]]:
    """This stage's rules by name (found by name prefix, confirmed by tags)."""
    events = deployment.session.client("events")
    found: dict[str, dict[str, Any]] = {}
    for page in events.get_paginator("list_rules").paginate(NamePrefix=deployment.names.prefix + "-"):
        for rule in page.get("Rules", []):
            tags = {
                t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", [])
            }
            if deployment.names.owns(tags):
                found[rule["Name"]] = rule
    return found


def plan_schedules(deployment: Deployment, permissions: dict[str, dict[str, dict[str, Any]]]) -> list[Action]:
    """Rules to create, update or delete, and each rule's invoke permission on its function."""
    events = deployment.session.client("events")
    owned = owned_rules(deployment)
    actions: list[Action] = []
    for rule in desired_rules(deployment):
        current = owned.pop(rule.name, None)
        target = deployment.alias_arn(rule.function)
        rule_arn = deployment.arn("events", f"rule/{rule.name}")
        if current is None:
            created = (("schedule", "", rule.expression), ("function", "", rule.function))
            actions.append(Action(Change.CREATE, "schedule", rule.name, created, RuleStep(rule)))
        else:
            targets = events.list_targets_by_rule(Rule=rule.name).get("Targets", [])
            details: list[tuple[str, str, str]] = []
            if current.get("ScheduleExpression") != rule.expression:
                details.append(("schedule", str(current.get("ScheduleExpression")), rule.expression))
            if current.get("State") != "ENABLED":
                details.append(("state", str(current.get("State")), "ENABLED"))
            if [t.get("Arn") for t in targets] != [target]:
                details.append(("target", ",".join(str(t.get("Arn")) for t in targets), target))
            if details:
                actions.append(Action(Change.UPDATE, "schedule", rule.name, tuple(details), RuleStep(rule)))
        current_statements = permissions.setdefault(rule.function, statements(deployment, rule.function))
        wanted = Permission(rule.function, f"faas-rule-{rule.name}"[:100], "events.amazonaws.com", rule_arn)
        actions += plan_permission(deployment, current_statements, wanted)
    for name, stale in sorted(owned.items()):
        actions.append(
            Action(
                Change.DELETE,
                "schedule",
                name,
                (("schedule", str(stale.get("ScheduleExpression")), ""),),
                DeleteRuleStep(name),
            )
        )
    return actions


@dataclass(frozen=True)
class RuleStep:
    rule: Rule

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        events = deployment.session.client("events")
        events.put_rule(
            Name=self.rule.name,
            ScheduleExpression=self.rule.expression,
            State="ENABLED",
            Description=f"faas {deployment.names.prefix} {self.rule.function}",
            Tags=tag_list(deployment.tags(self.rule.function)),
        )
        events.put_targets(
            Rule=self.rule.name, Targets=[{"Id": TARGET_ID, "Arn": deployment.alias_arn(self.rule.function)}]
        )


@dataclass(frozen=True)
class DeleteRuleStep:
    name: str

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        delete_rule(deployment, self.name)


def delete_rule(deployment: Deployment, name: str) -> None:
    """Remove the rule, its targets and the invoke permission it had on its function."""
    events = deployment.session.client("events")
    targets = events.list_targets_by_rule(Rule=name).get("Targets", [])
    if targets:
        events.remove_targets(Rule=name, Ids=[t["Id"] for t in targets])
    events.delete_rule(Name=name)
    sid = f"faas-rule-{name}"[:100]
    rule_arn = deployment.arn("events", f"rule/{name}")
    for key in deployment.function_keys:
        granted = statements(deployment, key).get(sid)
        if granted is not None and source_arn(granted) == rule_arn:
            revoke(deployment, key, sid)
