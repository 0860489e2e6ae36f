"""The execution role: one per project and stage, least privilege, documents derived from the config."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from faas import Action, Change, QueueTrigger, StateKey, StorageTrigger
from faas.providers.aws.context import ApplyState, Deployment, canonical, tag_list
from faas.providers.aws.network import policy_statements as network_access
from faas.providers.aws.secrets import policy_statement as secret_access
from faas.providers.aws.session import is_missing

ROLE_CREATED_AT = StateKey[float]("role creation time")
"""When this apply created the role (IAM propagates it to Lambda within seconds)."""
POLICY_NAME = "faas"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
_QUEUE_ACTIONS = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]


def policy_document(deployment: Deployment, static_buckets: list[str]) -> dict[str, Any]:
    """The role's inline policy: exactly what the config needs, nothing account-wide."""
    config = deployment.project.config
    statements: list[dict[str, Any]] = [
        {
            # The log groups are created by the deploy, so the role needs no logs:CreateLogGroup.
            "Sid": "OwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [
                deployment.arn("logs", f"log-group:{deployment.names.log_group(key)}:*")
                for key in deployment.function_keys
            ],
        }
    ]
    reads = sorted(
        {
            f"arn:{deployment.session.partition}:s3:::{t.storage.bucket}/{t.storage.prefix}*"
            for function in config.functions
            for t in function.triggers
            if isinstance(t, StorageTrigger)
        }
    )
    if reads:
        statements.append(
            {"Sid": "ReadTriggerObjects", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": reads}
        )
    queues = sorted(
        {
            deployment.arn("sqs", t.queue.name)
            for function in config.functions
            for t in function.triggers
            if isinstance(t, QueueTrigger)
        }
    )
    if queues:
        statements.append({"Sid": "ConsumeQueues", "Effect": "Allow", "Action": _QUEUE_ACTIONS, "Resource": queues})
    if static_buckets:
        bucket_arns = [f"arn:{deployment.session.partition}:s3:::{bucket}" for bucket in static_buckets]
        statements.append(
            {
                "Sid": "StorageObjects",
                "Effect": "Allow",
                "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                "Resource": [f"{arn}/*" for arn in bucket_arns],
            }
        )
        statements.append(
            {"Sid": "StorageList", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": bucket_arns}
        )
    statements += network_access(deployment)
    secrets = secret_access(deployment)
    if secrets is not None:
        statements.append(secrets)
    for index, extra in enumerate(deployment.options.iam_statements):
        statements.append(
            {"Sid": f"User{index}", "Effect": extra.effect, "Action": extra.actions, "Resource": extra.resources}
        )
    return {"Version": "2012-10-17", "Statement": statements}


def role_arn(deployment: Deployment) -> str:
    return f"arn:{deployment.session.partition}:iam::{deployment.account}:role/{deployment.names.role}"


def _document(value: Any) -> Any:
    # boto3 decodes these documents into dicts; some emulators hand back the URL-encoded string.
    if isinstance(value, str):
        return json.loads(unquote(value))
    return value


def plan_role(deployment: Deployment, static_buckets: list[str]) -> list[Action]:
    """Create the role, or update its trust policy, permissions and tags where they drifted."""
    iam = deployment.session.client("iam")
    name = deployment.names.role
    desired = policy_document(deployment, static_buckets)
    tags = deployment.tags()
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except Exception as error:
        if not is_missing(error):
            raise
        step = RoleStep(desired, tags, create=True, trust=True, policy=True, retag=False)
        return [
            Action(Change.CREATE, "iam role", name, (("policy", "", f"{len(desired['Statement'])} statements"),), step)
        ]
    details: list[tuple[str, str, str]] = []
    trust = canonical(_document(role["AssumeRolePolicyDocument"])) != canonical(TRUST)
    if trust:
        details.append(("trust policy", "changed", "lambda.amazonaws.com"))
    try:
        current = _document(iam.get_role_policy(RoleName=name, PolicyName=POLICY_NAME)["PolicyDocument"])
    except Exception as error:
        if not is_missing(error):
            raise
        current = None
    policy = current is None or canonical(current) != canonical(desired)
    if policy:
        old = "(none)" if current is None else f"{len(current.get('Statement', []))} statements"
        details.append(("policy", old, f"{len(desired['Statement'])} statements"))
    current_tags = {tag["Key"]: tag["Value"] for tag in iam.list_role_tags(RoleName=name).get("Tags", [])}
    retag = any(current_tags.get(key) != value for key, value in tags.items())
    if retag:
        details.append(("tags", "", ",".join(sorted(tags))))
    if not details:
        return []
    step = RoleStep(desired, tags, create=False, trust=trust, policy=policy, retag=retag)
    return [Action(Change.UPDATE, "iam role", name, tuple(details), step)]


@dataclass(frozen=True)
class RoleStep:
    policy_document: dict[str, Any]
    tags: dict[str, str]
    create: bool
    trust: bool
    policy: bool
    retag: bool

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        iam = deployment.session.client("iam")
        name = deployment.names.role
        if self.create:
            iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(TRUST),
                Description=f"faas execution role of {deployment.names.prefix}",
                Tags=tag_list(self.tags),
            )
        elif self.trust:
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(TRUST))
        if self.retag:
            iam.tag_role(RoleName=name, Tags=tag_list(self.tags))
        if self.policy:
            iam.put_role_policy(RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(self.policy_document))
        if self.create:
            # IAM is eventually consistent: a brand-new role can be refused by Lambda for a few
            # seconds. functions.py retries create_function on exactly that error.
            state.learn(ROLE_CREATED_AT, time.time())


def delete_role(deployment: Deployment) -> None:
    """Remove the role and its inline policies (attached managed policies too, if a user added any)."""
    iam = deployment.session.client("iam")
    name = deployment.names.role
    for policy in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for attached in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
        iam.detach_role_policy(RoleName=name, PolicyArn=attached["PolicyArn"])
    iam.delete_role(RoleName=name)


def owned_role(deployment: Deployment) -> bool:
    iam = deployment.session.client("iam")
    try:
        tags = iam.list_role_tags(RoleName=deployment.names.role).get("Tags", [])
    except Exception as error:
        if is_missing(error):
            return False
        raise
    return deployment.names.owns({tag["Key"]: tag["Value"] for tag in tags})
