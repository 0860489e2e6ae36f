"""Storage roles on Google Cloud: a Cloud Storage bucket per `[storage.<role>]`, files uploaded where changed.

A bucket faas owns is created in the functions' region with uniform bucket-level access and the
project and stage's labels (undeploy finds it by them). The functions' runtime identity gets
`roles/storage.objectUser` on it (objects only, this bucket only); `public = true` also grants
`allUsers` `roles/storage.objectViewer`, the public read Google documents; otherwise public access
prevention is enforced, so no later binding can expose it by mistake. A user's own `bucket` is
used as it is: faas uploads into it and never changes its access.

Objects whose md5 matches the local file are not uploaded again; files gone locally stay (pages
cached elsewhere may still link them). The app finds its buckets in `FAAS_STORAGE_<ROLE>_BUCKET` and
`FAAS_STORAGE_<ROLE>_URL` (`FAAS_STATIC_URL` for Django's STATIC_URL); a public object is served at
`https://storage.googleapis.com/<bucket>/<key>`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from faas import (
    GCS_BUCKET,
    Action,
    ApplyState,
    Artifact,
    Change,
    DeployError,
    StorageRole,
    storage_changes,
    storage_content_type,
    storage_files,
    storage_roles,
)
from faas import storage_environment as core_storage_environment
from faas.providers.gcp import identity
from faas.providers.gcp.context import Deployment

RESOURCE = "storage bucket"
PUBLIC_ROLE = "roles/storage.objectViewer"
PUBLIC_MEMBER = "allUsers"
PUBLIC_HOST = "https://storage.googleapis.com"
OBJECT_ROLE = "roles/storage.objectUser"
"""The runtime identity's grant on each bucket faas owns: read, write and delete objects, nothing more."""


def buckets(deployment: Deployment, artifact: Artifact | None = None) -> list[StorageRole]:
    return storage_roles(
        deployment.project, lambda role: deployment.names.unique(role, deployment.gcp_project, GCS_BUCKET), artifact
    )


def public_url(deployment: Deployment, bucket: str) -> str:
    """Where the bucket's objects are read over HTTP: GCS's public host, or the storage endpoint override."""
    return f"{(deployment.options.endpoint('storage') or PUBLIC_HOST).rstrip('/')}/{bucket}/"


def storage_environment(deployment: Deployment) -> dict[str, str]:
    return core_storage_environment(
        (role.role, role.bucket, public_url(deployment, role.bucket)) for role in buckets(deployment)
    )


def plan_storage(deployment: Deployment, artifact: Artifact) -> list[Action]:
    """Read-only: each role's bucket (missing, or its access not as configured) and its changed files."""
    actions: list[Action] = []
    for role in buckets(deployment, artifact):
        bucket = deployment.storage.lookup_bucket(role.bucket)
        if bucket is None and not role.managed:
            raise DeployError("plan", f"storage.{role.role}.bucket '{role.bucket}' does not exist in Cloud Storage")
        wanted = _describe(access(deployment, role))
        if bucket is None:
            actions.append(Action(Change.CREATE, RESOURCE, role.bucket, (("access", "", wanted),), BucketStep(role)))
        elif role.managed:
            have = _granted(bucket.get_iam_policy(requested_policy_version=3)) & _controlled(deployment)
            if have != access(deployment, role):
                details = (("access", _describe(have), wanted),)
                actions.append(Action(Change.UPDATE, RESOURCE, role.bucket, details, BucketStep(role)))
        if role.source is None:
            continue
        local = storage_files(role.source)
        changed = storage_changes(local, stored_md5(bucket) if bucket is not None else {})
        if changed:
            details = (("files", f"{len(local) - len(changed)} unchanged", f"{len(changed)} to upload"),)
            actions.append(
                Action(Change.UPDATE, "static files", f"gs://{role.bucket}", details, UploadFilesStep(role, changed))
            )
    return actions


Grant = tuple[str, str]
"""(role, member) of a bucket's IAM policy."""


def access(deployment: Deployment, role: StorageRole) -> set[Grant]:
    """What a bucket faas owns grants: the runtime identity uses its objects; `public`: anyone reads them."""
    wanted = {(OBJECT_ROLE, f"serviceAccount:{deployment.runtime_identity}")}
    if role.public:
        wanted.add((PUBLIC_ROLE, PUBLIC_MEMBER))
    return wanted


def _controlled(deployment: Deployment) -> set[Grant]:
    """The grants faas manages on its buckets (any other binding is the user's and stays)."""
    return {
        (PUBLIC_ROLE, PUBLIC_MEMBER),
        (OBJECT_ROLE, f"serviceAccount:{deployment.runtime_email}"),
        (OBJECT_ROLE, f"serviceAccount:{deployment.runtime_identity}"),
    }


def _granted(policy: Any) -> set[Grant]:
    """The policy's unconditional grants (a conditional binding is the user's: kept as it is, never widened)."""
    return {(b["role"], member) for b in policy.bindings if not b.get("condition") for member in b["members"]}


def _describe(grants: set[Grant]) -> str:
    return ", ".join(f"{member} {role}" for role, member in sorted(grants)) or "none"


def stored_md5(bucket: Any) -> dict[str, str]:
    """Each object's md5 as hex (GCS reports it base64-encoded; composite objects have none)."""
    return {blob.name: base64.b64decode(blob.md5_hash).hex() for blob in bucket.list_blobs() if blob.md5_hash}


@dataclass(frozen=True)
class BucketStep:
    """Create the bucket if missing, then make its public access prevention and grants what the role says."""

    role: StorageRole

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        client = deployment.storage
        prevention = "inherited" if self.role.public else "enforced"
        bucket = client.lookup_bucket(self.role.bucket)
        if bucket is None:
            bucket = client.bucket(self.role.bucket)
            bucket.labels = deployment.tags()
            bucket.iam_configuration.uniform_bucket_level_access_enabled = True
            bucket.iam_configuration.public_access_prevention = prevention
            bucket = client.create_bucket(bucket, location=deployment.region)
        elif bucket.iam_configuration.public_access_prevention != prevention:
            bucket.iam_configuration.public_access_prevention = prevention
            bucket.patch()
        policy = bucket.get_iam_policy(requested_policy_version=3)
        keep = _granted(policy) - _controlled(deployment)
        grants = keep | access(deployment, self.role)
        if grants == _granted(policy):
            return
        by_role: dict[str, set[str]] = {}
        for role, member in grants:
            by_role.setdefault(role, set()).add(member)
        conditional = [dict(b) for b in policy.bindings if b.get("condition")]
        policy.bindings = conditional + [{"role": r, "members": m} for r, m in sorted(by_role.items())]
        # The runtime account may be minutes old: IAM answers 400 for it until it is seen everywhere.
        identity.until_visible(deployment, lambda: bucket.set_iam_policy(policy), deployment.runtime_identity)


@dataclass(frozen=True)
class UploadFilesStep:
    """Upload the changed files, each with its content type."""

    role: StorageRole
    keys: tuple[str, ...]

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        assert self.role.source is not None
        bucket = deployment.storage.bucket(self.role.bucket)
        for key in self.keys:
            bucket.blob(key).upload_from_filename(str(self.role.source / key), content_type=storage_content_type(key))
        deployment.say(f"uploaded {len(self.keys)} file(s) to gs://{self.role.bucket}")


def owned_buckets(deployment: Deployment) -> list[str]:
    """The buckets labelled for this project and stage (found by labels, not by name)."""
    return sorted(b.name for b in deployment.storage.list_buckets() if deployment.names.owns(dict(b.labels or {})))


@dataclass(frozen=True)
class DeleteBucketStep:
    """Delete every object, then the bucket (Cloud Storage refuses to delete a bucket that holds any)."""

    name: str

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        bucket = deployment.storage.lookup_bucket(self.name)
        if bucket is None:
            return
        for blob in bucket.list_blobs():
            blob.delete()
        bucket.delete()
