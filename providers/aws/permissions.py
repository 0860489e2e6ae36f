"""Resource-policy statements on a function alias: who (API, rule, bucket) may invoke it.

Statement ids are derived from what they allow (`faas-http`, `faas-rule-<rule>`, `faas-s3-<bucket>`),
so plan can tell which exist and apply can replace one whose source changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from faas import Action, Change
from faas.providers.aws.context import API_ID, ApplyState, Deployment
from faas.providers.aws.session import is_missing


def statements(deployment: Deployment, key: str) -> dict[str, dict[str, Any]]:
    """The alias's policy statements by Sid ({} when the function, alias or policy does not exist)."""
    client = deployment.session.client("lambda")
    try:
        policy = client.get_policy(FunctionName=deployment.names.function(key), Qualifier=deployment.names.alias)
    except Exception as error:
        if is_missing(error):
            return {}
        raise
    document = json.loads(policy["Policy"])
    return {statement.get("Sid", ""): statement for statement in document.get("Statement", [])}


def source_arn(statement: dict[str, Any]) -> str | None:
    condition = statement.get("Condition") or {}
    for test in ("ArnLike", "ArnEquals"):
        arn = (condition.get(test) or {}).get("AWS:SourceArn")
        if arn:
            return str(arn)
    return None


@dataclass(frozen=True)
class Permission:
    """One `lambda:AddPermission` on the alias of function `key`."""

    key: str
    sid: str
    principal: str
    source_arn: str | None = None
    source_account: bool = False
    action: str = "lambda:InvokeFunction"
    extra: tuple[tuple[str, Any], ...] = ()


def plan_permission(
    deployment: Deployment, current: dict[str, dict[str, Any]], wanted: Permission, *, fresh: bool = False
) -> list[Action]:
    """An action when the statement is missing or its source changed (`fresh`: source not created yet)."""
    existing = current.get(wanted.sid)
    if existing is not None and not fresh and source_arn(existing) == wanted.source_arn:
        return []
    change = Change.CREATE if existing is None else Change.UPDATE
    name = f"{deployment.names.function(wanted.key)}:{deployment.names.alias} {wanted.sid}"
    return [Action(change, "permission", name, (("principal", "", wanted.principal),), PermissionStep(wanted))]


@dataclass(frozen=True)
class PermissionStep:
    permission: Permission

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        grant(deployment, self.permission, state)


def grant(deployment: Deployment, permission: Permission, state: ApplyState | None = None) -> None:
    """Add (or replace) the statement. A source ARN of `{api}` is filled from the API created in apply."""
    client = deployment.session.client("lambda")
    function = deployment.names.function(permission.key)
    revoke(deployment, permission.key, permission.sid)
    arguments: dict[str, Any] = {
        "FunctionName": function,
        "Qualifier": deployment.names.alias,
        "StatementId": permission.sid,
        "Action": permission.action,
        "Principal": permission.principal,
        **dict(permission.extra),
    }
    if permission.source_arn:
        api = (state.get(API_ID) if state is not None else None) or ""
        arguments["SourceArn"] = permission.source_arn.replace("{api}", api)
    if permission.source_account:
        arguments["SourceAccount"] = deployment.account
    client.add_permission(**arguments)


def revoke(deployment: Deployment, key: str, sid: str) -> None:
    client = deployment.session.client("lambda")
    try:
        client.remove_permission(
            FunctionName=deployment.names.function(key), Qualifier=deployment.names.alias, StatementId=sid
        )
    except Exception as error:
        if not is_missing(error):
            raise
