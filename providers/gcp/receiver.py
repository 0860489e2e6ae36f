"""roles/eventarc.eventReceiver on the project for the runtime identity, while a function has an event trigger.

Eventarc delivers only for a trigger whose service account may receive events, a project-level role
(Google documents granting it for every 2nd gen event-driven function). It is the one project role
faas grants, and only while some function of the stage has an event trigger: the plan adds it, and
takes it away again (the deploy that removes the last trigger, undeploy) before the account itself
goes. The policy is read only while a deployed or wanted function has an event trigger. Other
bindings of the project policy, conditional ones included, are left as they are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from google.api_core import exceptions

from faas import Action, ApplyState, Change
from faas.providers.gcp.context import Deployment
from faas.providers.gcp.identity import until_visible

ROLE = "roles/eventarc.eventReceiver"
RESOURCE = "project role binding"
# A concurrent change of the project policy answers 409 ABORTED: read, merge and write again.
ATTEMPTS = 5


def members(policy: dict[str, Any]) -> set[str]:
    """The members holding ROLE without a condition."""
    return {
        member
        for binding in policy.get("bindings", [])
        if binding.get("role") == ROLE and not binding.get("condition")
        for member in binding.get("members", [])
    }


def _accounts(deployment: Deployment) -> list[str]:
    """The identities faas manages the grant for: the functions' identity, and the stage's own account."""
    accounts = [deployment.runtime_identity]
    if deployment.runtime_email != deployment.runtime_identity:
        accounts.append(deployment.runtime_email)
    return accounts


def plan_receiver(deployment: Deployment, *, wanted: bool) -> tuple[list[Action], list[Action]]:
    """(grants, revocations): grants run before the functions, revocations after them.

    The project policy is read only while a function has (or is to have) an event trigger, so a
    deployer of a project without triggers needs no Resource Manager permission.
    """
    if not wanted and not deployed_triggers(deployment):
        return [], []
    have = members(deployment.project_policy.get())
    grants: list[Action] = []
    revokes: list[Action] = []
    for account in _accounts(deployment):
        member = f"serviceAccount:{account}"
        want = wanted and account == deployment.runtime_identity
        if want == (member in have):
            continue
        details = (("role", "" if want else ROLE, ROLE if want else ""),)
        step = ReceiverStep(member, grant=want)
        action = Action(Change.CREATE if want else Change.DELETE, RESOURCE, f"{ROLE} for {account}", details, step)
        (grants if want else revokes).append(action)
    return grants, revokes


def deployed_triggers(deployment: Deployment) -> bool:
    """Whether a deployed function of the stage has an event trigger (its grant may then be there)."""
    from faas.providers.gcp.events import have_trigger
    from faas.providers.gcp.functions import owned_functions

    return any(have_trigger(function) is not None for function in owned_functions(deployment))


def _changed(policy: dict[str, Any], member: str, *, grant: bool) -> dict[str, Any] | None:
    """`policy` with `member` added to (or removed from) ROLE's unconditional binding; None if already so."""
    if (member in members(policy)) == grant:
        return None
    bindings = [dict(b) for b in policy.get("bindings", [])]
    plain = [b for b in bindings if b.get("role") == ROLE and not b.get("condition")]
    if grant:
        if plain:
            plain[0]["members"] = [*plain[0].get("members", []), member]
        else:
            bindings.append({"role": ROLE, "members": [member]})
    else:
        for binding in plain:
            binding["members"] = [m for m in binding.get("members", []) if m != member]
        bindings = [b for b in bindings if b.get("members")]
    return {**policy, "bindings": bindings}


@dataclass(frozen=True)
class ReceiverStep:
    """Read, merge and write the project policy (etag-guarded), retried on a concurrent change."""

    member: str
    grant: bool

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        projects = deployment.project_policy
        for attempt in range(ATTEMPTS):
            changed = _changed(projects.get(), self.member, grant=self.grant)
            if changed is None:
                return
            try:
                # The runtime account may be seconds old: Resource Manager answers 400 for it until it is seen.
                email = self.member.removeprefix("serviceAccount:")
                until_visible(deployment, partial(projects.set, changed), email)
                return
            except exceptions.Conflict:
                if attempt == ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * 2**attempt)
