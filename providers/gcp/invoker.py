"""`roles/run.invoker` on a function's Cloud Run service, merged into its policy with the policy's etag.

Public HTTP is `allUsers` on the app's service; a scheduled function's service gets the runtime
service account (the identity of its jobs' OIDC tokens). Cloud Run stores bindings as sent,
duplicates included, so the merge is ours: a member is present exactly once when wanted (the app
public, the function scheduled) and absent otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.iam.v1 import iam_policy_pb2, policy_pb2

from faas import Action, ApplyState, Change
from faas.providers.gcp.context import Deployment
from faas.providers.gcp.functions import deployed
from faas.providers.gcp.iam_policy import with_member

ROLE = "roles/run.invoker"
MEMBER = "allUsers"
RESOURCE = "run.invoker binding"


def count(policy: policy_pb2.Policy, member: str = MEMBER) -> int:
    return sum(list(b.members).count(member) for b in policy.bindings if b.role == ROLE)


def merged(policy: policy_pb2.Policy, public: bool, member: str = MEMBER) -> policy_pb2.Policy:
    """The policy with `member` in run.invoker exactly once (`public`: wanted) or not at all; etag kept."""
    return with_member(policy, ROLE, member if public else None, {member})


def service_of(deployment: Deployment, function_name: str) -> str | None:
    function = deployed(deployment, function_name)
    return function.service_config.service if function is not None and function.service_config.service else None


def policy_of(deployment: Deployment, service: str) -> Any:
    return deployment.services.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=service))


def plan_invoker(deployment: Deployment, key: str, *, public: bool, function_changes: bool) -> list[Action]:
    """An action when the binding is wrong now, or when the function step runs first (service may be new)."""
    name = deployment.function_name(key)
    service = service_of(deployment, name)
    short = deployment.names.function(key)
    if service is not None and not function_changes and count(policy_of(deployment, service)) == (1 if public else 0):
        return []
    change = Change.CREATE if public else Change.DELETE
    return [Action(change, RESOURCE, f"{MEMBER} on {short}", (), InvokerStep(name, public=public))]


@dataclass(frozen=True)
class InvokerStep:
    """`member` (allUsers unless said) in the service's run.invoker exactly once (`public`) or not at all."""

    function_name: str
    public: bool
    member: str = MEMBER

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        service = service_of(deployment, self.function_name)
        if service is None:
            return
        policy = policy_of(deployment, service)
        if count(policy, self.member) == (1 if self.public else 0):
            return
        request = iam_policy_pb2.SetIamPolicyRequest(resource=service, policy=merged(policy, self.public, self.member))
        if self.member.startswith("serviceAccount:"):
            from faas.providers.gcp.identity import until_visible

            # A just-created account can be refused by the policy check for a while (IAM propagation).
            until_visible(
                deployment, lambda: deployment.services.set_iam_policy(request=request), self.member.partition(":")[2]
            )
        else:
            deployment.services.set_iam_policy(request=request)
