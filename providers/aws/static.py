"""Storage buckets ([storage.<role>]): created per stage, static files uploaded when they changed.

The app finds them through environment variables set on every function:
`FAAS_STORAGE_<ROLE>_BUCKET` and `FAAS_STORAGE_<ROLE>_URL`, plus `FAAS_STATIC_BUCKET` and
`FAAS_STATIC_URL` for the `static` role (Django: `STATIC_URL = os.environ["FAAS_STATIC_URL"]`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from faas import (
    Action,
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
from faas.providers.aws.artifacts import empty_and_delete_bucket, ensure_private_bucket
from faas.providers.aws.context import ApplyState, Deployment
from faas.providers.aws.session import is_missing


def storage_buckets(deployment: Deployment, artifact: Artifact | None = None) -> list[StorageRole]:
    return storage_roles(
        deployment.project, lambda role: deployment.names.bucket(role, deployment.account, deployment.region), artifact
    )


def storage_url(deployment: Deployment, bucket: str) -> str:
    return f"https://{bucket}.s3.{deployment.region}.amazonaws.com/"


def storage_environment(deployment: Deployment) -> dict[str, str]:
    return core_storage_environment(
        (storage.role, storage.bucket, storage_url(deployment, storage.bucket))
        for storage in storage_buckets(deployment)
    )


def _remote_etags(s3: Any, bucket: str) -> dict[str, str]:
    etags = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            etags[item["Key"]] = item["ETag"].strip('"')
    return etags


def plan_storage_buckets(deployment: Deployment, artifact: Artifact) -> list[Action]:
    s3 = deployment.session.client("s3")
    actions: list[Action] = []
    for storage in storage_buckets(deployment, artifact):
        try:
            s3.head_bucket(Bucket=storage.bucket)
            exists = True
        except Exception as error:
            if not is_missing(error):
                raise
            exists = False
        if not exists and not storage.managed:
            raise DeployError("plan", f"storage.{storage.role}.bucket '{storage.bucket}' does not exist")
        if not exists:
            details = (("public", "", str(storage.public).lower()),)
            actions.append(Action(Change.CREATE, "s3 bucket", storage.bucket, details, StorageBucketStep(storage)))
        if storage.source is None:
            continue
        local = storage_files(storage.source)
        # Single-part uploads have the md5 as ETag: equal means the object is already there.
        changed = storage_changes(local, _remote_etags(s3, storage.bucket) if exists else {})
        if changed:
            details = (("files", f"{len(local) - len(changed)} unchanged", f"{len(changed)} to upload"),)
            actions.append(
                Action(
                    Change.UPDATE, "static files", f"s3://{storage.bucket}", details, UploadFilesStep(storage, changed)
                )
            )
    return actions


@dataclass(frozen=True)
class StorageBucketStep:
    storage: StorageRole

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        ensure_private_bucket(deployment, self.storage.bucket, public=self.storage.public)
        if self.storage.public:
            # Anonymous read of objects is what "public" means; Principal "*" has no narrower form.
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PublicRead",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:{deployment.session.partition}:s3:::{self.storage.bucket}/*",
                    }
                ],
            }
            deployment.session.client("s3").put_bucket_policy(Bucket=self.storage.bucket, Policy=json.dumps(policy))


@dataclass(frozen=True)
class UploadFilesStep:
    """Upload the changed files. Files gone locally stay: pages cached elsewhere may still link them."""

    storage: StorageRole
    keys: tuple[str, ...]

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        assert self.storage.source is not None
        s3 = deployment.session.client("s3")
        for key in self.keys:
            path = self.storage.source / key
            s3.put_object(
                Bucket=self.storage.bucket, Key=key, Body=path.read_bytes(), ContentType=storage_content_type(key)
            )
        deployment.say(f"uploaded {len(self.keys)} file(s) to s3://{self.storage.bucket}")


def delete_storage_bucket(deployment: Deployment, bucket: str) -> None:
    empty_and_delete_bucket(deployment, bucket)
