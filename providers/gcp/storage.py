"""Storage roles on Google Cloud: a Cloud Storage bucket per `[storage.<role>]`, files uploaded where changed.

A bucket faas owns is created in the functions' region with uniform bucket-level access and the
project and stage's labels (undeploy finds it by them). `public = true` grants `allUsers`
`roles/storage.objectViewer` on the bucket, the public read Google documents; otherwise public
access prevention is enforced, so no later binding can expose it by mistake. A user's own `bucket`
is used as it is: faas uploads into it and never changes its access.

Objects whose md5 matches the local file are not uploaded again; files gone locally stay (pages
cached elsewhere may still link them). The app finds its buckets in `FAAS_STORAGE_<ROLE>_BUCKET` and
`FAAS_STORAGE_<ROLE>_URL` (`FAAS_STATIC_URL` for Django's STATIC_URL); a public object is served at
`https://storage.googleapis.com/<bucket>/<key>`.
"""

from __future__ import annotations

import base64
import mimetypes
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
    storage_files,
    storage_roles,
)
from faas import storage_environment as core_storage_environment
from faas.providers.gcp.context import Deployment

RESOURCE = "storage bucket"
PUBLIC_ROLE = "roles/storage.objectViewer"
PUBLIC_MEMBER = "allUsers"
PUBLIC_HOST = "https://storage.googleapis.com"


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
    """Read-only: each role's bucket (missing, or its public read not as configured) and its changed files."""
    actions: list[Action] = []
    for role in buckets(deployment, artifact):
        bucket = deployment.storage.lookup_bucket(role.bucket)
        if bucket is None and not role.managed:
            raise DeployError("plan", f"storage.{role.role}.bucket '{role.bucket}' does not exist in Cloud Storage")
        public = str(role.public).lower()
        if bucket is None:
            actions.append(Action(Change.CREATE, RESOURCE, role.bucket, (("public", "", public),), BucketStep(role)))
        elif role.managed and is_public(bucket) != role.public:
            was = str(not role.public).lower()
            actions.append(Action(Change.UPDATE, RESOURCE, role.bucket, (("public", was, public),), BucketStep(role)))
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


def is_public(bucket: Any) -> bool:
    return any(_public_read(b) for b in bucket.get_iam_policy(requested_policy_version=3).bindings)


def _public_read(binding: Any) -> bool:
    return bool(binding["role"] == PUBLIC_ROLE and PUBLIC_MEMBER in binding["members"])


def stored_md5(bucket: Any) -> dict[str, str]:
    """Each object's md5 as hex (GCS reports it base64-encoded; composite objects have none)."""
    return {blob.name: base64.b64decode(blob.md5_hash).hex() for blob in bucket.list_blobs() if blob.md5_hash}


@dataclass(frozen=True)
class BucketStep:
    """Create the bucket if missing, then make its public read what the role says (idempotent)."""

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
        if any(_public_read(b) for b in policy.bindings) == self.role.public:
            return
        bindings = []
        for binding in policy.bindings:
            members = {m for m in binding["members"] if not (binding["role"] == PUBLIC_ROLE and m == PUBLIC_MEMBER)}
            if members:
                bindings.append({**binding, "members": members})
        if self.role.public:
            bindings.append({"role": PUBLIC_ROLE, "members": {PUBLIC_MEMBER}})
        policy.bindings = bindings
        bucket.set_iam_policy(policy)


@dataclass(frozen=True)
class UploadFilesStep:
    """Upload the changed files, each with its content type."""

    role: StorageRole
    keys: tuple[str, ...]

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        assert self.role.source is not None
        bucket = deployment.storage.bucket(self.role.bucket)
        for key in self.keys:
            content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
            bucket.blob(key).upload_from_filename(str(self.role.source / key), content_type=content_type)
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
