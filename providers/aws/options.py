"""`[providers.aws]`: the AWS options a project can set. Field descriptions are the user documentation."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from faas import ConfigError, FaasModel, FunctionLimits, Project, ProviderOptions

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")

LAMBDA_LIMITS = FunctionLimits("AWS Lambda", memory_range=(128, 10240), max_timeout=900, max_concurrency=1)
"""Lambda's memory range and longest run, for the app and every function alike; one request per instance."""


class IamStatement(FaasModel):
    """One extra statement for the execution role, e.g. access to a DynamoDB table the app uses."""

    effect: Literal["Allow", "Deny"] = Field(default="Allow", description="Allow or Deny.")
    actions: list[str] = Field(min_length=1, description='IAM actions, e.g. ["dynamodb:GetItem"].')
    resources: list[str] = Field(min_length=1, description="ARNs the actions apply to.")

    @field_validator("actions")
    @classmethod
    def _no_wildcard_action(cls, value: list[str]) -> list[str]:
        if "*" in value:
            raise ValueError('"*" grants every AWS action; name the actions the app needs')
        return value


_SUBNET = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]{8,17}$")


class VpcConfig(FaasModel):
    """The VPC subnets and security groups the functions attach to (to reach RDS, ElastiCache...)."""

    subnets: list[str] = Field(
        min_length=1, max_length=16, description='Subnet ids, e.g. ["subnet-0abc1234"]; two AZs or more for HA.'
    )
    security_groups: list[str] = Field(
        min_length=1, max_length=5, description='Security group ids, e.g. ["sg-0abc1234"].'
    )

    @field_validator("subnets")
    @classmethod
    def _check_subnets(cls, value: list[str]) -> list[str]:
        return _ids(value, _SUBNET, "subnet", "subnet-0abc1234")

    @field_validator("security_groups")
    @classmethod
    def _check_groups(cls, value: list[str]) -> list[str]:
        return _ids(value, _SECURITY_GROUP, "security group", "sg-0abc1234")


def _ids(value: list[str], pattern: re.Pattern[str], kind: str, example: str) -> list[str]:
    for item in value:
        if not pattern.match(item):
            raise ValueError(f"'{item}' is not a {kind} id, e.g. {example}")
    if len(set(value)) != len(value):
        raise ValueError(f"a {kind} is listed twice")
    return sorted(value)


class AwsOptions(ProviderOptions):
    """Options of the AWS provider."""

    region: str | None = Field(
        default=None,
        description="AWS region, e.g. eu-west-1. Default: AWS_REGION / AWS_DEFAULT_REGION or the profile's region.",
    )
    profile: str | None = Field(
        default=None, description="Named profile from ~/.aws/config (default: AWS_PROFILE or the default chain)."
    )
    architecture: Literal["x86_64", "arm64"] = Field(
        default="x86_64",
        description="CPU of the functions. arm64 (Graviton) costs ~20% less; wheels are picked to match.",
    )
    front_door: Literal["http-api", "rest-api", "function-url"] = Field(
        default="http-api",
        description="How HTTP reaches the app: http-api (API Gateway v2, cheapest), rest-api (API Gateway v1: "
        "usage plans, edge endpoints) or function-url (no API Gateway, no custom domain).",
    )
    endpoint_type: Literal["regional", "edge"] = Field(
        default="regional",
        description="REST API endpoint type. An edge endpoint's custom domain needs its certificate in us-east-1.",
    )
    artifact_bucket: str | None = Field(
        default=None,
        description="Existing bucket to upload artifacts to (kept on undeploy). Default: a bucket per "
        "project and stage, created when first needed (encrypted, versioned, public access blocked).",
    )
    artifact_upload: Literal["auto", "s3"] = Field(
        default="auto",
        description="auto: send artifacts up to 50 MB zipped straight to Lambda, larger ones through the "
        "artifact bucket; s3: always through the artifact bucket.",
    )
    log_retention_days: int = Field(
        default=30,
        description="Days CloudWatch keeps the functions' logs (one of the values CloudWatch accepts).",
    )
    iam_statements: list[IamStatement] = Field(
        default_factory=list, description="Extra statements added to the execution role's policy."
    )
    runtime_provided: list[str] | None = Field(
        default=None,
        description="Distributions the Lambda runtime already has, left out of the artifact. Default: boto3, "
        "botocore, s3transfer, jmespath (the runtime also has urllib3, six and python-dateutil, but other "
        "libraries pin those, so they are shipped). [] ships everything, e.g. to pin your own boto3.",
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags on every resource.")
    hosted_zone_id: str | None = Field(
        default=None,
        description="Route 53 hosted zone for the custom domain's records. Default: the zone whose name "
        "is the longest suffix of the domain, if the account has one.",
    )
    private: bool = Field(
        default=False,
        description="Function URL only: require IAM auth (AWS_IAM) instead of a public URL.",
    )
    secrets: Literal["secretsmanager", "ssm"] = Field(
        default="secretsmanager",
        description="Where ${secret:NAME} values live: a Secrets Manager secret named NAME, or an SSM "
        "Parameter Store SecureString parameter NAME. The function reads it when it starts; its role "
        "may read exactly those.",
    )
    vpc: VpcConfig | None = Field(
        default=None,
        description='Attach the functions to a VPC, e.g. to reach a database: vpc = { subnets = ["subnet-..."], '
        'security_groups = ["sg-..."] }. Without a NAT gateway (or VPC endpoints) they then cannot reach the '
        "internet or AWS APIs.",
    )
    snap_start: bool = Field(
        default=False,
        description="Lambda SnapStart on published versions (python 3.12 and later): init runs once per "
        "version and instances resume from its snapshot. Billed per cached snapshot and per restore.",
    )

    @field_validator("region")
    @classmethod
    def _check_region(cls, value: str | None) -> str | None:
        if value is not None and not _REGION.match(value):
            raise ValueError(f"'{value}' is not an AWS region, e.g. eu-west-1")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _check_retention(cls, value: int) -> int:
        if value not in RETENTION_DAYS:
            raise ValueError(f"{value} is not a CloudWatch retention; use one of {', '.join(map(str, RETENTION_DAYS))}")
        return value

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if key.startswith(("faas:", "aws:")):
                raise ValueError(f"tag '{key}': the faas: and aws: prefixes are reserved")
        return value


RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


def check_snap_start(project: Project) -> None:
    """Refuse what Lambda refuses with SnapStart: python before 3.12, provisioned concurrency."""
    config = project.config
    key = "providers.aws.snap_start"
    if config.python in ("3.10", "3.11"):
        raise ConfigError(
            f"Lambda SnapStart runs python 3.12 and later; this project is python {config.python}",
            source=str(project.source),
            key=key,
        )
    warm = [unit for unit in [config.app, *config.functions] if unit is not None and unit.min_instances]
    if warm:
        raise ConfigError(
            "Lambda SnapStart and provisioned concurrency (min_instances) cannot be used on the same function; "
            "remove one",
            source=str(project.source),
            key=key,
        )
