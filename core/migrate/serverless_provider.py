"""serverless.yml `provider:` — the defaults every function inherits, and the AWS account settings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from faas.core.migrate import common, production
from faas.core.migrate.values import MEMORY_RANGE, RETENTION_DAYS, TIMEOUT_RANGE, clamp, python_version

if TYPE_CHECKING:
    from faas.core.migrate.serverless import _StageConverter

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
WARN = {
    "httpApi": "HTTP API CORS and authorizers are the app's job under faas",
    "apiGateway": "API Gateway keys, usage plans, resource policies and binary types have no faas counterpart",
    "iamManagedPolicies": "managed policies are not attached; list their statements in providers.aws.iam_statements",
    "logs": "API Gateway and Lambda log settings have no faas counterpart (see providers.aws.log_retention_days)",
    "tracing": "no X-Ray option in faas",
    "kmsKeyArn": "no KMS key option in faas",
    "layers": "no Lambda layers in faas; list the libraries in your requirements instead",
    "ecr": "faas deploys zip artifacts, not container images",
    "alb": "no ALB front door in faas",
    "cloudFront": "no CloudFront in faas",
    "role": "faas creates its own least-privilege role; add permissions with providers.aws.iam_statements",
    "rolePermissionsBoundary": "no permissions boundary option in faas",
    "cfnRole": "faas does not deploy through CloudFormation",
    "notificationArns": "faas does not deploy through CloudFormation",
    "stackPolicy": "faas does not deploy through CloudFormation",
    "websocketsApiName": "no WebSocket APIs in faas",
    "websocketsApiRouteSelectionExpression": "no WebSocket APIs in faas",
    "eventBridge": "no EventBridge bus settings in faas",
    "s3": "buckets declared here are not created by faas",
    "apiName": "faas names the API after the project and stage",
    "disableDefaultOutputExportNames": "faas does not deploy through CloudFormation",
    "ephemeralStorageSize": "no /tmp size option in faas yet",
    "versionFunctions": "faas publishes a version per deploy for rollback",
}
INFO = {
    "deploymentBucket": "faas uploads artifacts to its own bucket (providers.aws.artifact_bucket to reuse one)",
    "deploymentPrefix": "faas lays out its artifact bucket itself",
    "stackName": "faas does not deploy through CloudFormation",
    "lambdaHashingVersion": "a Serverless internal setting",
    "deploymentMethod": "faas does not deploy through CloudFormation",
    "description": "descriptions are not carried over",
}


def serverless_vpc(conv: _StageConverter, where: str, value: Any) -> dict[str, list[str]] | None:
    """`vpc: {securityGroupIds, subnetIds}` (provider-wide or one function's) as providers.aws.vpc."""
    if not isinstance(value, dict):
        conv.warn(where, "must be a table with subnetIds and securityGroupIds; not written", "providers.aws.vpc")
        return None
    return production.vpc(conv.report, where, value.get("subnetIds"), value.get("securityGroupIds"), stage=conv.stage)


_HANDLED = frozenset(
    {"name", "runtime", "stage", "region", "profile", "architecture", "memorySize", "timeout", "environment", "tags"}
    | {"stackTags", "endpointType", "logRetentionInDays", "iam", "iamRoleStatements", "domain", "domains", "vpc"}
)


@dataclass
class Defaults:
    """What `provider:` gives every function."""

    memory: int = 1024
    timeout: int = 6
    environment: dict[str, str] = field(default_factory=dict)


class ProviderConverter:
    def __init__(self, conv: _StageConverter) -> None:
        self.conv = conv
        self.defaults = Defaults()

    def convert(self, provider: dict[str, Any]) -> Defaults:
        conv = self.conv
        for key, value in provider.items():
            where = f"provider.{key}"
            handler = getattr(self, f"_{key}", None) if key in _HANDLED else None
            if handler is not None:
                handler(where, value)
            elif key in WARN:
                conv.warn(where, WARN[key])
            elif key in INFO:
                conv.info(where, INFO[key])
            else:
                conv.warn(where, "not a provider setting faas knows; ignored")
        return self.defaults

    def _vpc(self, where: str, value: Any) -> None:
        found = serverless_vpc(self.conv, where, value)
        if found is not None:
            self.conv.aws["vpc"] = found

    def _name(self, where: str, value: Any) -> None:
        if value == "aws":
            self.conv.mapped(where, "provider", 'provider = "aws"')
        else:
            self.conv.warn(where, f"provider '{value}' is not imported; only aws services are", "provider")

    def _runtime(self, where: str, value: Any) -> None:
        if not str(value).startswith("python"):
            self.conv.warn(where, f"'{value}' is not a Python runtime; faas deploys Python", "python")
            return
        version, problem = python_version(value)
        self.conv.out["python"] = version
        if problem:
            self.conv.warn(where, problem, "python")
        else:
            self.conv.mapped(where, "python")

    def _stage(self, where: str, value: Any) -> None:
        self.conv.info(where, "the default stage; stages are written as [stages.<name>]", "stages")

    def _region(self, where: str, value: Any) -> None:
        if isinstance(value, str) and _REGION.match(value):
            self.conv.aws["region"] = value
            self.conv.mapped(where, "providers.aws.region")
        else:
            self.conv.warn(
                where,
                f"'{value}' is not a region faas can resolve offline; Serverless's default us-east-1 is written",
                "providers.aws.region",
            )

    def _profile(self, where: str, value: Any) -> None:
        self.conv.aws["profile"] = str(value)
        self.conv.mapped(where, "providers.aws.profile")

    def _architecture(self, where: str, value: Any) -> None:
        if value in ("x86_64", "arm64"):
            self.conv.aws["architecture"] = value
            self.conv.mapped(where, "providers.aws.architecture")
        else:
            self.conv.warn(where, f"'{value}' is not x86_64 or arm64", "providers.aws.architecture")

    def _memorySize(self, where: str, value: Any) -> None:
        number, problem = clamp(value, MEMORY_RANGE, "memorySize")
        if number is not None:
            self.defaults.memory = number
        self._sized(where, problem, "memory of the app and every function")

    def _timeout(self, where: str, value: Any) -> None:
        number, problem = clamp(value, TIMEOUT_RANGE, "timeout")
        if number is not None:
            self.defaults.timeout = number
        self._sized(where, problem, "timeout of the app and every function")

    def _sized(self, where: str, problem: str | None, what: str) -> None:
        target = "app." + ("memory" if where.endswith("memorySize") else "timeout")
        if problem:
            self.conv.warn(where, problem, target)
        else:
            self.conv.mapped(where, target, what)

    def _environment(self, where: str, value: Any) -> None:
        if not isinstance(value, dict):
            self.conv.warn(where, "must be a table of variables; ignored")
            return
        from faas.core.migrate.serverless_functions import environment

        self.defaults.environment = environment(self.conv, value, where, "app.environment")

    def _tags(self, where: str, value: Any) -> None:
        if isinstance(value, dict):
            tags = {str(key): str(item) for key, item in value.items() if not str(key).startswith(("aws:", "faas:"))}
            self.conv.aws["tags"] = {**self.conv.aws.get("tags", {}), **tags}
            self.conv.mapped(where, "providers.aws.tags")
        else:
            self.conv.warn(where, "must be a table; ignored", "providers.aws.tags")

    _stackTags = _tags

    def _endpointType(self, where: str, value: Any) -> None:
        kind = str(value).lower()
        if kind in ("regional", "edge"):
            self.conv.aws["endpoint_type"] = kind
            self.conv.mapped(where, "providers.aws.endpoint_type")
        else:
            self.conv.warn(where, f"'{value}' endpoints have no faas counterpart", "providers.aws.endpoint_type")

    def _logRetentionInDays(self, where: str, value: Any) -> None:
        number, _ = clamp(value, (1, 3653), "logRetentionInDays")
        if number in RETENTION_DAYS:
            self.conv.aws["log_retention_days"] = number
            self.conv.mapped(where, "providers.aws.log_retention_days")
        else:
            self.conv.warn(where, f"{value} is not a CloudWatch retention", "providers.aws.log_retention_days")

    def _iam(self, where: str, value: Any) -> None:
        role = value.get("role") if isinstance(value, dict) else None
        statements = role.get("statements") if isinstance(role, dict) else None
        if statements is None:
            self.conv.warn(where, "only iam.role.statements can be imported (as providers.aws.iam_statements)")
            return
        self._statements(where, statements)
        extra = sorted(set(role) - {"statements"}) if isinstance(role, dict) else []
        if extra:
            self.conv.warn(
                where, f"iam.role {', '.join(extra)} have no faas counterpart", "providers.aws.iam_statements"
            )

    def _iamRoleStatements(self, where: str, value: Any) -> None:
        self._statements(where, value)

    def _statements(self, where: str, value: Any) -> None:
        statements, problems = common.iam_statements(value)
        if statements:
            self.conv.aws["iam_statements"] = [*self.conv.aws.get("iam_statements", []), *statements]
        if problems:
            self.conv.warn(where, "; ".join(problems), "providers.aws.iam_statements")
        else:
            self.conv.mapped(where, "providers.aws.iam_statements")

    def _domain(self, where: str, value: Any) -> None:
        name = value.get("name") if isinstance(value, dict) else value
        if not isinstance(name, str):
            self.conv.warn(where, "no domain name found", "domain")
            return
        self.conv.out["domain"] = name
        certificate = value.get("certificateArn") if isinstance(value, dict) else None
        if isinstance(certificate, str):
            self.conv.out["certificate"] = certificate
        self.conv.mapped(where, "domain")

    def _domains(self, where: str, value: Any) -> None:
        if isinstance(value, list) and value:
            self._domain(where, value[0])
            if len(value) > 1:
                self.conv.warn(where, "faas serves one custom domain per stage; the first is written", "domain")
        else:
            self.conv.warn(where, "no domain found", "domain")
