"""One member in one role of a resource's IAM policy, merged the way faas does it everywhere on GCP.

Google stores bindings as sent, duplicates included, and a setIamPolicy replaces the whole policy:
the merge is ours. The etag travels with the result, so a concurrent change makes the write fail
rather than be lost.
"""

from __future__ import annotations

from collections.abc import Collection

from google.iam.v1 import policy_pb2


def with_member(
    policy: policy_pb2.Policy, role: str, member: str | None, controlled: Collection[str]
) -> policy_pb2.Policy:
    """`policy` with `member` in `role` exactly once (None: absent) and faas's other `controlled` members gone.

    `controlled` are the members faas manages in `role` (e.g. allUsers, or the stage's accounts):
    they are taken out of every binding of the role, conditional ones included, and `member` is put
    in the first unconditional one. Every other member and binding stays as it was.
    """
    out = policy_pb2.Policy(version=policy.version, etag=policy.etag)
    ours = {*controlled, *([member] if member else [])}
    placed = False
    for binding in policy.bindings:
        members = [m for m in binding.members if not (binding.role == role and m in ours)]
        if binding.role == role and member and not placed and not binding.HasField("condition"):
            members.append(member)
            placed = True
        if members:
            copy = policy_pb2.Binding(role=binding.role, members=members)
            if binding.HasField("condition"):
                copy.condition.CopyFrom(binding.condition)
            out.bindings.append(copy)
    if member and not placed:
        out.bindings.append(policy_pb2.Binding(role=role, members=[member]))
    return out
