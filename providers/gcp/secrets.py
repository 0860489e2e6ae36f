"""`${secret:NAME}` on Google Cloud: a Secret Manager secret environment variable.

A referenced variable leaves the function's plain environment and becomes an entry of
`service_config.secret_environment_variables` (`{key, project_id, secret: NAME, version: latest}`):
Cloud Run reads the value when an instance starts, so faas never reads it on a deploy. The plan
looks each secret up (`get_secret`, metadata only) and refuses a missing one before any change.

The runtime identity gets `roles/secretmanager.secretAccessor` on exactly the referenced secrets,
in each secret's own IAM policy (merged with its etag, the member present once), never on the
project; the grant goes when the last reference to the secret does (the deployed functions say
which secrets they referenced) and with `faas undeploy`. The secrets themselves outlive undeploy:
`faas secrets set` made them, and other stages may share them.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from google.api_core import exceptions
from google.iam.v1 import iam_policy_pb2, policy_pb2

from faas import Action, ApplyState, Change, missing_secrets, secret_references
from faas.providers.gcp.context import Deployment
from faas.providers.gcp.iam_policy import with_member

T = TypeVar("T")

ROLE = "roles/secretmanager.secretAccessor"
DENIED = "Permission denied on secret"
"""How Cloud Run's failed revision start begins when its account may not read a secret (yet)."""
RESOURCE = "secret accessor binding"
VERSION = "latest"


def split_environment(environment: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(plain variables, {variable: secret name}) of one function's environment."""
    references = secret_references(environment)
    return {k: v for k, v in environment.items() if k not in references}, references


def secret_path(deployment: Deployment, name: str) -> str:
    return f"projects/{deployment.gcp_project}/secrets/{name}"


def check_exist(deployment: Deployment, names: set[str]) -> None:
    """Refuse, at plan time, a referenced secret that Secret Manager does not have (read-only)."""
    absent = []
    for name in sorted(names):
        try:
            deployment.secrets.get_secret(name=secret_path(deployment, name))
        except exceptions.NotFound:
            absent.append(name)
    if absent:
        raise missing_secrets("gcp", absent, f"Secret Manager (project {deployment.gcp_project})")


def _member(email: str) -> str:
    return f"serviceAccount:{email}"


def _controlled(deployment: Deployment) -> set[str]:
    """The members faas manages in the accessor role: the stage's own account and the runtime identity."""
    return {_member(deployment.runtime_email), _member(deployment.runtime_identity)}


def _policy(deployment: Deployment, name: str) -> policy_pb2.Policy:
    request = iam_policy_pb2.GetIamPolicyRequest(resource=secret_path(deployment, name))
    policy: policy_pb2.Policy = deployment.secrets.get_iam_policy(request=request)
    return policy


def _held(policy: policy_pb2.Policy, deployment: Deployment) -> list[str]:
    """The controlled members in the accessor role, once per occurrence (duplicates show)."""
    controlled = _controlled(deployment)
    return sorted(
        m
        for b in policy.bindings
        if b.role == ROLE and not b.HasField("condition")
        for m in b.members
        if m in controlled
    )


def _wanted_members(deployment: Deployment, granted: bool) -> list[str]:
    return [_member(deployment.runtime_identity)] if granted else []


def merged(policy: policy_pb2.Policy, deployment: Deployment, *, granted: bool) -> policy_pb2.Policy:
    """The policy with the runtime identity in the accessor role exactly once (or not at all); etag kept."""
    member = _member(deployment.runtime_identity) if granted else None
    return with_member(policy, ROLE, member, _controlled(deployment))


def plan_access(deployment: Deployment, wanted: set[str], previously: set[str]) -> tuple[list[Action], list[Action]]:
    """(grants to apply before the functions change, revokes to apply after): read-only.

    `previously` are the secrets the deployed functions reference now; a secret no longer wanted
    loses the runtime identity's binding once the functions stop reading it.
    """
    grants: list[Action] = []
    for name in sorted(wanted):
        if _held(_policy(deployment, name), deployment) != _wanted_members(deployment, True):
            grants.append(Action(Change.CREATE, RESOURCE, name, (("role", "", ROLE),), AccessStep(name, granted=True)))
    revokes: list[Action] = []
    for name in sorted(previously - wanted):
        try:
            held = _held(_policy(deployment, name), deployment)
        except exceptions.NotFound:
            continue  # the secret was deleted, and its policy with it
        if held:
            revokes.append(
                Action(Change.DELETE, RESOURCE, name, (("role", ROLE, ""),), AccessStep(name, granted=False))
            )
    return grants, revokes


@dataclass(frozen=True)
class AccessStep:
    """The runtime identity in secret `name`'s accessor role exactly once (`granted`) or not at all."""

    name: str
    granted: bool

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        try:
            policy = _policy(deployment, self.name)
        except exceptions.NotFound:
            if self.granted:
                raise
            return
        if _held(policy, deployment) == _wanted_members(deployment, self.granted):
            return
        request = iam_policy_pb2.SetIamPolicyRequest(
            resource=secret_path(deployment, self.name), policy=merged(policy, deployment, granted=self.granted)
        )
        from faas.providers.gcp.identity import until_visible

        # A just-created runtime account is refused by the policy check for a while (IAM propagation).
        until_visible(
            deployment, lambda: deployment.secrets.set_iam_policy(request=request), deployment.runtime_identity
        )


def until_readable(call: Callable[[], T], *, reads_secrets: bool, within: float | None = None) -> T:
    """`call()` (a function deploy), retried with backoff while Cloud Run cannot read a secret yet.

    The accessor grant comes just before the deploy, and IAM can take a while to apply it: the
    revision then fails to start with "Permission denied on secret". A grant that stays missing
    still fails once `within` (IAM's propagation allowance) has passed.
    """
    from faas.providers.gcp.identity import FIRST_DELAY, MAX_DELAY, VISIBLE_WITHIN

    if not reads_secrets:
        return call()
    deadline = time.monotonic() + (VISIBLE_WITHIN if within is None else within)
    delay = FIRST_DELAY
    while True:
        try:
            return call()
        except exceptions.GoogleAPICallError as error:
            if DENIED not in str(error.message) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, MAX_DELAY)


def deployed_references(function: Any) -> set[str]:
    """The secret names a deployed function's secret environment variables read."""
    return {item.secret for item in function.service_config.secret_environment_variables}


def set_secret(deployment: Deployment, name: str, value: str) -> str:
    """Create secret `name` if missing (automatic replication, the stage's labels), then add `value` as a version."""
    from google.cloud import secretmanager_v1
    from google_crc32c import value as crc32c

    client = deployment.secrets
    path = secret_path(deployment, name)
    try:
        client.get_secret(name=path)
    except exceptions.NotFound:
        secret = secretmanager_v1.Secret(
            replication=secretmanager_v1.Replication(automatic=secretmanager_v1.Replication.Automatic()),
            labels=deployment.tags(),
        )
        # Conflict: made meanwhile (another `faas secrets set`); the version goes into that one.
        with contextlib.suppress(exceptions.Conflict):
            client.create_secret(parent=f"projects/{deployment.gcp_project}", secret_id=name, secret=secret)
    data = value.encode("utf-8")
    version = client.add_secret_version(
        parent=path, payload=secretmanager_v1.SecretPayload(data=data, data_crc32c=int(crc32c(data)))
    )
    return f"Secret Manager {version.name}"
