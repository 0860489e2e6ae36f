"""One boto3 session per provider: standard credentials, profile and region, AWS_ENDPOINT_URL honoured.

The region is found as the AWS CLI v2 and the SDKs document it: the explicit option (like
`--region`), then AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region`. botocore itself
reads only AWS_DEFAULT_REGION, so AWS_REGION is looked up here.

Clients are created lazily and cached, so a caller (a test, a plugin) can register botocore event
handlers on `boto.events` before the first call and see every request.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from faas import DeployError


def _config() -> botocore.config.Config:
    # Standard-mode retries back off on throttling; a handful is enough for a deploy and keeps a real
    # error from hanging for minutes. AWS_MAX_ATTEMPTS / AWS_RETRY_MODE still win when set.
    retries: Any = None if os.environ.get("AWS_MAX_ATTEMPTS") else {"max_attempts": 4, "mode": "standard"}
    return botocore.config.Config(retries=retries, user_agent_extra="faasport", connect_timeout=10, read_timeout=120)


class AwsSession:
    """boto3 clients for one region, account id and partition discovered once."""

    def __init__(self, region: str | None, profile: str | None) -> None:
        # An empty AWS_REGION counts as unset, as it does for the AWS CLI.
        region = region or os.environ.get("AWS_REGION") or None
        try:
            self.boto = boto3.Session(profile_name=profile, region_name=region)
        except botocore.exceptions.ProfileNotFound as error:
            raise DeployError("aws credentials", str(error)) from None
        if not self.boto.region_name:
            raise DeployError(
                "aws credentials",
                "no region: set region in [providers.aws], AWS_REGION (or AWS_DEFAULT_REGION), "
                "or a region in your AWS profile",
            )
        self.region: str = self.boto.region_name
        self._clients: dict[tuple[str, str], Any] = {}
        self._account: str | None = None

    def client(self, service: str, region: str | None = None) -> Any:
        """The cached client of `service` (in `region`, default the deployment's region)."""
        key = (service, region or self.region)
        if key not in self._clients:
            boto: Any = self.boto  # typed per service by the stubs; callers here use plain dicts
            self._clients[key] = boto.client(service, region_name=key[1], config=_config())
        return self._clients[key]

    @property
    def account(self) -> str:
        """The account id of the credentials in use (one STS call, cached)."""
        if self._account is None:
            try:
                self._account = str(self.client("sts").get_caller_identity()["Account"])
            except botocore.exceptions.NoCredentialsError:
                raise DeployError(
                    "aws credentials",
                    "no AWS credentials found: set AWS_PROFILE, the profile option, or AWS_ACCESS_KEY_ID",
                ) from None
            except botocore.exceptions.ClientError as error:
                raise DeployError("aws credentials", error_text(error)) from None
        return self._account

    @property
    def partition(self) -> str:
        return self.boto.get_partition_for_region(self.region)


def error_code(error: BaseException) -> str:
    """The AWS error code of a ClientError ("" for anything else)."""
    if isinstance(error, botocore.exceptions.ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


def error_text(error: BaseException) -> str:
    """One line about an AWS error: code and message, no request ids or stack."""
    if isinstance(error, botocore.exceptions.ClientError):
        info = error.response.get("Error", {})
        return f"{info.get('Code', 'Error')}: {info.get('Message', '')}".strip()
    return str(error) or type(error).__name__


def is_missing(error: BaseException) -> bool:
    """True for the many ways AWS says "no such resource"."""
    return error_code(error) in {
        "ResourceNotFoundException",
        "NoSuchEntity",
        "NoSuchBucket",
        "NotFoundException",
        "NoSuchKey",
        "404",
        "NotFound",
        "NoSuchHostedZone",
        "NoSuchBucketPolicy",
        "NoSuchTagSet",
        "NoSuchPublicAccessBlockConfiguration",
    }
