"""Getting the artifact to Lambda: straight in the API call when small, else through an S3 bucket.

Objects are keyed by the artifact's sha256, so an upload is skipped when that exact zip is there.
"""

from __future__ import annotations

from dataclasses import dataclass

from faas import Action, Artifact, Change, DeployError
from faas.providers.aws.context import ARTIFACT, ApplyState, Deployment, tag_list
from faas.providers.aws.session import is_missing

MB = 1024 * 1024
# A CreateFunction/UpdateFunctionCode request carries at most 50 MB of zip (base64-encoded in the body).
DIRECT_UPLOAD_LIMIT = 50 * MB


def artifact_bucket(deployment: Deployment) -> str:
    return deployment.options.artifact_bucket or deployment.names.bucket(
        "artifacts", deployment.account, deployment.region
    )


def artifact_key(deployment: Deployment, artifact: Artifact) -> str:
    return f"{deployment.names.project}/{deployment.names.stage}/{artifact.sha256}.zip"


def via_s3(deployment: Deployment, artifact: Artifact) -> bool:
    options = deployment.options
    return (
        options.artifact_upload == "s3"
        or options.artifact_bucket is not None
        or (artifact.zipped_size > DIRECT_UPLOAD_LIMIT)
    )


def plan_upload(deployment: Deployment, artifact: Artifact) -> list[Action]:
    """The bucket and upload actions, for a deploy that sends new code through S3."""
    s3 = deployment.session.client("s3")
    bucket = artifact_bucket(deployment)
    key = artifact_key(deployment, artifact)
    actions: list[Action] = []
    try:
        s3.head_bucket(Bucket=bucket)
        exists = True
    except Exception as error:
        if not is_missing(error):
            raise
        exists = False
    if not exists:
        if deployment.options.artifact_bucket is not None:
            raise DeployError("plan", f"artifact_bucket '{bucket}' does not exist (or is not yours)")
        actions.append(Action(Change.CREATE, "s3 bucket", bucket, (("purpose", "", "artifacts"),), BucketStep(bucket)))
    else:
        try:
            s3.head_object(Bucket=bucket, Key=key)
            return actions
        except Exception as error:
            if not is_missing(error):
                raise
    size = f"{artifact.zipped_size / MB:.1f} MB"
    actions.append(
        Action(Change.CREATE, "artifact", f"s3://{bucket}/{key}", (("size", "", size),), UploadStep(bucket, key))
    )
    return actions


def code_location(deployment: Deployment, artifact: Artifact) -> dict[str, object]:
    """The `Code`/update arguments for this artifact."""
    if via_s3(deployment, artifact):
        return {"S3Bucket": artifact_bucket(deployment), "S3Key": artifact_key(deployment, artifact)}
    return {"ZipFile": artifact.path.read_bytes()}


def ensure_private_bucket(deployment: Deployment, bucket: str, *, public: bool = False) -> None:
    """Create `bucket` encrypted, versioned, tagged, with public access blocked (unless `public`)."""
    s3 = deployment.session.client("s3")
    arguments: dict[str, object] = {"Bucket": bucket}
    if deployment.region != "us-east-1":
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": deployment.region}
    try:
        s3.create_bucket(**arguments)
    except Exception as error:
        # Converging after a failed run: the bucket is already ours.
        if "BucketAlreadyOwnedByYou" not in str(error):
            raise
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]
        },
    )
    block = not public
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": block,
            "RestrictPublicBuckets": block,
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_list(deployment.tags())})


def empty_and_delete_bucket(deployment: Deployment, bucket: str) -> None:
    """Delete every object version and delete marker, then the bucket."""
    s3 = deployment.session.client("s3")
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        doomed = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(doomed), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True})
    s3.delete_bucket(Bucket=bucket)


@dataclass(frozen=True)
class BucketStep:
    bucket: str

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        ensure_private_bucket(deployment, self.bucket)


@dataclass(frozen=True)
class UploadStep:
    bucket: str
    key: str

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        artifact = state.require(ARTIFACT)
        deployment.session.client("s3").upload_file(
            str(artifact.path), self.bucket, self.key, ExtraArgs={"Metadata": {"sha256": artifact.sha256}}
        )
        deployment.say(f"uploaded {artifact.path.name} to s3://{self.bucket}/{self.key}")
