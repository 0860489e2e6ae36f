"""The stage's runtime service account: who the functions run as and who scheduler jobs call with.

One account per project and stage. Its grants: roles/run.invoker on the Cloud Run service of each
scheduled or event-triggered function (schedules.py), so a job's or Eventarc's token is let in there
and nowhere else; and, only while some function has an event trigger, the project role
roles/eventarc.eventReceiver that Eventarc requires (receiver.py). The user's `service_account` option replaces it.

IAM is eventually consistent: right after create, Cloud Functions answers 404 for a function
running as the account and policies naming it get 400. `until_visible` retries those answers.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from google.api_core import exceptions

from faas import Action, ApplyState, Change
from faas.providers.gcp.context import Deployment
from faas.providers.gcp.naming import description_labels, labels_description

RESOURCE = "service account"
DISPLAY_NAME = "faas runtime"
# IAM documents that a new account can take minutes to be seen everywhere (often seconds).
VISIBLE_WITHIN = 180.0
FIRST_DELAY = 0.2
MAX_DELAY = 10.0

T = TypeVar("T")

DEPLOYER_ROLES = (
    ("roles/cloudfunctions.developer", "the project", "create and change the functions"),
    ("roles/iam.serviceAccountAdmin", "the project", "create and delete the runtime service account"),
    ("roles/iam.serviceAccountUser", "the runtime service account", "deploy functions and jobs that act as it"),
    ("roles/run.admin", "the functions' Cloud Run services", "set their run.invoker bindings"),
    ("roles/cloudscheduler.admin", "the project", "create, change and delete the scheduler jobs"),
    (
        "roles/resourcemanager.projectIamAdmin",
        "the project",
        "grant (and revoke) roles/eventarc.eventReceiver for the runtime identity; only with event triggers",
    ),
    ("roles/pubsub.viewer", "the triggers' topics", "check that each queue or topic trigger's topic exists"),
)
"""What the identity deploying needs, where and why (the plan's note and `faas doctor` list it)."""
EVENT_ONLY_ROLES = frozenset({"roles/resourcemanager.projectIamAdmin", "roles/pubsub.viewer"})
"""Roles the note leaves out while no function has an event trigger."""


def deployer_roles_note(deployment: Deployment, *, event_triggers: bool = False) -> str:
    account = deployment.runtime_identity
    needed = ", ".join(
        f"{role} on {account if where == 'the runtime service account' else where}"
        for role, where, _ in DEPLOYER_ROLES
        if event_triggers or role not in EVENT_ONLY_ROLES
    )
    return f"the deploying identity needs {needed}"


def until_visible(deployment: Deployment, call: Callable[[], T], email: str, *, within: float = VISIBLE_WITHIN) -> T:
    """`call()`, retried with backoff while an API answers that account `email` does not exist (yet).

    Only for the stage's own account, which a deploy may just have created: an account the user
    named in `service_account` that does not exist is their mistake, reported at once.
    """
    if email != deployment.runtime_email:
        return call()
    deadline = time.monotonic() + within
    delay = FIRST_DELAY
    while True:
        try:
            return call()
        except (exceptions.NotFound, exceptions.BadRequest) as error:
            if email not in str(error.message) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, MAX_DELAY)


def uses_own_account(deployment: Deployment) -> bool:
    return not deployment.options.service_account


def owned_account(deployment: Deployment) -> str | None:
    """The email of the stage's runtime account when it exists and carries our labels, else None."""
    found = deployment.accounts.get(deployment.runtime_email)
    if found is None or not deployment.names.owns(description_labels(str(found.get("description", "")))):
        return None
    return deployment.runtime_email


def plan_account(deployment: Deployment) -> list[Action]:
    """Create the runtime account when faas's own is wanted and missing (read: one get)."""
    if not uses_own_account(deployment):
        return []
    if deployment.accounts.get(deployment.runtime_email) is not None:
        return []
    details = (("email", "", deployment.runtime_email), ("project roles", "", "none"))
    return [Action(Change.CREATE, RESOURCE, deployment.names.runtime_account, details, AccountStep())]


def plan_stale_account(deployment: Deployment) -> list[Action]:
    """Delete the stage's own account once `service_account` names another one."""
    if uses_own_account(deployment) or owned_account(deployment) is None:
        return []
    return [Action(Change.DELETE, RESOURCE, deployment.names.runtime_account, (), DeleteAccountStep())]


@dataclass(frozen=True)
class AccountStep:
    def run(self, deployment: Deployment, state: ApplyState) -> None:
        # Conflict: created by an earlier, interrupted deploy after this plan's read.
        with contextlib.suppress(exceptions.Conflict):
            deployment.accounts.create(
                deployment.names.runtime_account,
                display_name=DISPLAY_NAME,
                description=labels_description(deployment.names.tags()),
            )


@dataclass(frozen=True)
class DeleteAccountStep:
    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        with contextlib.suppress(exceptions.NotFound):
            deployment.accounts.delete(deployment.runtime_email)
