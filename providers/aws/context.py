"""What every planning and applying module shares: the project, options, names and AWS session."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from faas.core.config import Project
from faas.core.reporting import Reporter
from faas.providers.aws.naming import APP, FUNCTION_TAG, Names
from faas.providers.aws.options import AwsOptions
from faas.providers.aws.session import AwsSession


@dataclass
class Deployment:
    """One project and stage on AWS."""

    project: Project
    options: AwsOptions
    session: AwsSession
    reporter: Reporter
    names: Names = field(init=False)

    def __post_init__(self) -> None:
        self.names = Names.of(self.project)

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

    def tags(self, key: str | None = None) -> dict[str, str]:
        tags = self.names.tags(self.options.tags)
        if key is not None:
            tags[FUNCTION_TAG] = key or "app"
        return tags

    @property
    def function_keys(self) -> list[str]:
        """The app (APP) first, then the plain functions, in config order."""
        config = self.project.config
        return ([APP] if config.app is not None else []) + [function.name for function in config.functions]

    def say(self, message: str) -> None:
        self.reporter.info(self.project.redact(message))


@dataclass
class ApplyState:
    """What apply learns as it goes (ids of created resources, published versions)."""

    deploy_id: str
    versions: dict[str, str] = field(default_factory=dict)
    code: dict[str, Any] = field(default_factory=dict)
    api_id: str | None = None
    url: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)


class Step(Protocol):
    """The payload of an Action: carries it out (raises botocore errors; apply names the step)."""

    def run(self, deployment: Deployment, state: ApplyState) -> None: ...


def canonical(document: Any) -> str:
    """JSON of a policy document with sorted keys, for comparing desired and deployed documents."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
