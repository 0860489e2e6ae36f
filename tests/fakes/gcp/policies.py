"""IAM policies on any resource: IAM's read-modify-write contract, shared by every API that has one.

setIamPolicy with an etag other than the current one is refused with 409 ABORTED and changes
nothing; one without an etag overwrites blindly. Bindings are stored as sent (duplicates too), so a
caller that means to add a member must read, merge and write back itself.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import GoogleError, invalid_argument

MEMBER = re.compile(
    r"^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|principal|principalSet|deleted:\w+):.+)$"
)
ROLE = re.compile(r"^(roles/[A-Za-z0-9_.]+|(projects|organizations)/[^/]+/roles/[A-Za-z0-9_.]+)$")


def new_etag() -> str:
    return base64.b64encode(secrets.token_bytes(8)).decode()


def fresh(bindings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The policy a new resource starts with."""
    policy: dict[str, Any] = {"version": 1, "etag": new_etag()}
    if bindings:
        policy["bindings"] = bindings
    return policy


def replace(
    current: dict[str, Any],
    policy: dict[str, Any],
    *,
    check_member: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The policy to store in place of `current`, or the error the API answers.

    `check_member` may refuse a member the resource's API refuses (e.g. a service account that
    does not exist, which Resource Manager answers with 400).
    """
    if "etag" in policy and policy["etag"] != current.get("etag"):
        raise GoogleError(
            "ABORTED",
            "There were concurrent policy changes. Please retry the whole read-modify-write with exponential "
            f"backoff. The request's ETag '{policy['etag']}' did not match the current policy's ETag "
            f"'{current.get('etag')}'.",
        )
    for binding in policy.get("bindings", []):
        role = binding.get("role", "")
        if not ROLE.match(role):
            raise invalid_argument(
                f"Role {role} is not supported for this resource.", field_path="policy.bindings.role"
            )
        for member in binding.get("members", []):
            if not MEMBER.match(member):
                raise invalid_argument(f"Invalid member: {member}", field_path="policy.bindings.members")
            if check_member is not None:
                check_member(member)
    stored = {key: value for key, value in policy.items() if key != "etag"}
    stored["version"] = policy.get("version", 1)
    stored["etag"] = new_etag()
    return stored


@dataclass
class Propagation:
    """Policies not yet seen everywhere (`Faults.delay_iam`): a resource's old policy, for N more checks."""

    stale: dict[str, tuple[dict[str, Any], int]] = field(default_factory=dict)

    def hold(self, resource: str, old: dict[str, Any], checks: int) -> None:
        """After a setIamPolicy: access checks keep applying `old` for the next `checks` requests."""
        if checks:
            self.stale[resource] = (old, checks)

    def effective(self, resource: str, current: dict[str, Any]) -> dict[str, Any]:
        """The policy an access check applies now: the old one while IAM propagates, else `current`."""
        held = self.stale.get(resource)
        if held is not None:
            old, left = held
            if left > 0:
                self.stale[resource] = (old, left - 1)
                return old
            del self.stale[resource]
        return current

    def clear(self) -> None:
        self.stale.clear()
