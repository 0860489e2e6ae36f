"""What every planning and applying module shares: the deployment (project, options, names, AWS session)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from faas import ApplyState, Artifact, ErrorTranslator, StateKey
from faas import Deployment as BaseDeployment
from faas.providers.aws.naming import Names
from faas.providers.aws.options import AwsOptions
from faas.providers.aws.session import AwsSession, error_text, is_missing

__all__ = ["API_ID", "ARTIFACT", "CODE_LOCATION", "ERRORS", "ApplyState", "Deployment", "canonical", "tag_list"]

ERRORS = ErrorTranslator(
    catches=(botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError),
    describe=error_text,
    is_missing=is_missing,
)
"""How apply, undeploy and plan turn botocore errors into one line (and which mean "already gone")."""

# What steps hand later steps in one apply.
API_ID = StateKey[str]("API Gateway id")
ARTIFACT = StateKey[Artifact]("artifact")
CODE_LOCATION = StateKey[dict[str, object]]("code location")


@dataclass
class Deployment(BaseDeployment[AwsOptions, Names]):
    """One project and stage on AWS."""

    session: AwsSession

    @property
    def region(self) -> str:
        return self.session.region

    @property
    def account(self) -> str:
        return self.session.account

    def arn(self, service: str, resource: str, region: str | None = None, account: str | None = None) -> str:
        region = self.region if region is None else region
        account = self.account if account is None else account
        return f"arn:{self.session.partition}:{service}:{region}:{account}:{resource}"

    def function_arn(self, key: str) -> str:
        return self.arn("lambda", f"function:{self.names.function(key)}")

    def alias_arn(self, key: str) -> str:
        return f"{self.function_arn(key)}:{self.names.alias}"

    def user_tags(self) -> dict[str, str]:
        return dict(self.options.tags)


def canonical(document: Any) -> str:
    """JSON of a policy document with sorted keys, for comparing desired and deployed documents."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
