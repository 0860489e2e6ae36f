"""Lambda functions: one for the app, one per [[functions]] entry, all from the same artifact.

Each deploy that changes code or configuration publishes a version (described `faas <deploy id>`)
and moves the stage's alias to it; triggers and the front door point at the alias, so a failed
deploy never leaves them on a half-updated `$LATEST`.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from faas import (
    Action,
    Artifact,
    Change,
    DeployError,
    Detail,
    environment_diff,
    environment_size,
    field_diff,
    wait_until,
)
from faas import desired_functions as desired
from faas.providers.aws.context import CODE_LOCATION, ApplyState, Deployment
from faas.providers.aws.iam import role_arn
from faas.providers.aws.network import deployed_vpc, vpc_configuration
from faas.providers.aws.network import describe as describe_vpc
from faas.providers.aws.secrets import runtime_environment
from faas.providers.aws.session import error_code, is_missing

HANDLER = "faas_entry.handler"
_ENV_LIMIT = 4096  # Lambda's limit on the total size of a function's environment variables


@dataclass(frozen=True)
class FunctionSpec:
    """The desired configuration of one Lambda function (environment values may be secrets)."""

    key: str
    name: str
    runtime: str
    architecture: str
    memory: int
    timeout: int
    role: str
    environment: dict[str, str] = field(repr=False)
    description: str = ""
    vpc: dict[str, list[str]] = field(default_factory=lambda: vpc_configuration(None))
    min_instances: int | None = None
    max_instances: int | None = None
    snap_start: bool = False

    def configuration(self, *, create: bool = False) -> dict[str, Any]:
        configuration: dict[str, Any] = {
            "Runtime": self.runtime,
            "Handler": HANDLER,
            "Role": self.role,
            "MemorySize": self.memory,
            "Timeout": self.timeout,
            "Description": self.description,
            "Environment": {"Variables": dict(self.environment)},
            "SnapStart": {"ApplyOn": "PublishedVersions" if self.snap_start else "None"},
        }
        # Empty lists detach an updated function from its VPC; a new one without a VPC needs none.
        if self.vpc["SubnetIds"] or not create:
            configuration["VpcConfig"] = self.vpc
        return configuration


def desired_functions(deployment: Deployment, storage_env: dict[str, str]) -> list[FunctionSpec]:
    """The engine's desired functions (app first) as Lambda configurations."""
    specs = []
    for wanted in desired(deployment.project, storage_env):
        environment = {**wanted.environment, **runtime_environment(deployment, wanted.environment)}
        size = environment_size(environment)
        if size > _ENV_LIMIT:
            raise DeployError("plan", f"the environment of {wanted.label} is {size} bytes; Lambda allows 4 KB")
        specs.append(
            FunctionSpec(
                key=wanted.key,
                name=deployment.names.function(wanted.key),
                runtime=f"python{wanted.python}",
                architecture=deployment.options.architecture,
                memory=wanted.memory,
                timeout=wanted.timeout,
                role=role_arn(deployment),
                environment=environment,
                description=f"faas {deployment.names.prefix} {wanted.key or 'app'}",
                vpc=vpc_configuration(deployment.options.vpc),
                min_instances=wanted.min_instances,
                max_instances=wanted.max_instances,
                snap_start=deployment.options.snap_start,
            )
        )
    return specs


def lambda_sha(artifact: Artifact) -> str:
    """Lambda's CodeSha256 of the artifact: base64 of the zip's sha256 digest."""
    return base64.b64encode(hashlib.sha256(artifact.path.read_bytes()).digest()).decode()


def owned_functions(deployment: Deployment) -> dict[str, dict[str, Any]]:
    """Every Lambda of this project and stage (found by name prefix, confirmed by tags), by name."""
    client = deployment.session.client("lambda")
    prefix = deployment.names.prefix
    found: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("list_functions").paginate():
        for summary in page.get("Functions", []):
            name = summary["FunctionName"]
            if name != prefix and not name.startswith(prefix + "_"):
                continue
            described = client.get_function(FunctionName=name)
            if deployment.names.owns(described.get("Tags")):
                found[name] = described
    return found


def _config_diff(spec: FunctionSpec, actual: dict[str, Any], version: bool = False) -> list[Detail]:
    """Differences between desired and deployed configuration. Environment values are never shown.

    A published `version` carries the version's own description (the deploy id), not the function's.
    """
    fields: list[tuple[str, object, object]] = [
        ("runtime", actual.get("Runtime"), spec.runtime),
        ("handler", actual.get("Handler"), HANDLER),
        ("memory", actual.get("MemorySize"), spec.memory),
        ("timeout", actual.get("Timeout"), spec.timeout),
        ("role", actual.get("Role"), spec.role),
    ]
    if not version:
        fields.append(("description", actual.get("Description"), spec.description))
    fields.append(("architecture", (actual.get("Architectures") or ["x86_64"])[0], spec.architecture))
    fields.append(("vpc", describe_vpc(deployed_vpc(actual)), describe_vpc(spec.vpc)))
    snap_start = (actual.get("SnapStart") or {}).get("ApplyOn") or "None"
    fields.append(("snap start", snap_start, "PublishedVersions" if spec.snap_start else "None"))
    deployed_env = (actual.get("Environment") or {}).get("Variables") or {}
    return field_diff(fields) + environment_diff(deployed_env, spec.environment)


def plan_functions(
    deployment: Deployment, artifact: Artifact, specs: list[FunctionSpec]
) -> tuple[list[Action], list[Action], bool]:
    """(create/update actions, delete actions, whether new code must be sent)."""
    client = deployment.session.client("lambda")
    sha = lambda_sha(artifact)
    owned = owned_functions(deployment)
    actions: list[Action] = []
    needs_code = False
    for spec in specs:
        current = owned.pop(spec.name, None)
        if current is None:
            needs_code = True
            created: tuple[Detail, ...] = (("memory", "", str(spec.memory)), ("timeout", "", str(spec.timeout)))
            if spec.vpc["SubnetIds"]:
                created += (("vpc", "", describe_vpc(spec.vpc)),)
            actions.append(
                Action(
                    Change.CREATE,
                    "lambda function",
                    spec.name,
                    created,
                    FunctionStep(spec, create=True, code=True, config=True),
                )
            )
            continue
        latest = current["Configuration"]
        code = latest.get("CodeSha256") != sha or (latest.get("Architectures") or ["x86_64"])[0] != spec.architecture
        config_diff = _config_diff(spec, latest)
        details = list(config_diff)
        if code:
            details.insert(0, ("code", str(latest.get("CodeSha256", ""))[:12], sha[:12]))
        # The alias is what serves: compare the version it points at, so a deploy that failed after
        # updating $LATEST but before moving the alias still publishes and moves it next time.
        served_version = alias_version(client, spec.name, deployment.names.alias)
        publish = served_version is None
        if served_version is not None:
            served = client.get_function_configuration(FunctionName=spec.name, Qualifier=served_version)
            publish = served.get("CodeSha256") != sha or bool(_config_diff(spec, served, version=True))
        if publish and not details:
            details.append(("alias", served_version or "", "new version"))
        if not details:
            continue
        needs_code = needs_code or code
        actions.append(
            Action(
                Change.UPDATE,
                "lambda function",
                spec.name,
                tuple(details),
                FunctionStep(spec, create=False, code=code, config=bool(config_diff)),
            )
        )
    deletes: list[Action] = [
        Action(Change.DELETE, "lambda function", name, (), DeleteFunctionStep(name)) for name in sorted(owned)
    ]
    return actions, deletes, needs_code


def alias_version(client: Any, name: str, alias: str) -> str | None:
    try:
        return str(client.get_alias(FunctionName=name, Name=alias)["FunctionVersion"])
    except Exception as error:
        if is_missing(error):
            return None
        raise


def wait_ready(client: Any, name: str, timeout: float = 300) -> dict[str, Any]:
    """Wait until the function accepts the next update (State Active, LastUpdateStatus not InProgress).

    Sending a configuration update while a code update is still in progress is the
    ResourceConflictException that bit Zappa users for years.
    """
    step = f"update lambda function {name}"

    def settled() -> dict[str, Any] | None:
        config: dict[str, Any] = client.get_function_configuration(FunctionName=name)
        if config.get("State") == "Failed" or config.get("LastUpdateStatus") == "Failed":
            reason = config.get("LastUpdateStatusReason") or config.get("StateReason") or "unknown reason"
            raise DeployError(step, reason)
        if config.get("State", "Active") != "Pending" and config.get("LastUpdateStatus", "Successful") != "InProgress":
            return config
        return None

    return wait_until(settled, step=step, timeout=timeout, still="updating")


@dataclass(frozen=True)
class FunctionStep:
    """Create or update one function, publish a version and point the alias at it."""

    spec: FunctionSpec
    create: bool = field(kw_only=True)
    code: bool = field(kw_only=True)
    config: bool = field(kw_only=True)

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        client = deployment.session.client("lambda")
        name = self.spec.name
        if self.create:
            self._create(deployment, client, state)
        else:
            if self.code:
                wait_ready(client, name)
                client.update_function_code(
                    FunctionName=name, Architectures=[self.spec.architecture], **state.require(CODE_LOCATION)
                )
            if self.config:
                wait_ready(client, name)
                client.update_function_configuration(FunctionName=name, **self.spec.configuration())
            client.tag_resource(Resource=deployment.function_arn(self.spec.key), Tags=deployment.tags(self.spec.key))
        latest = wait_ready(client, name)
        version = client.publish_version(
            FunctionName=name, CodeSha256=latest["CodeSha256"], Description=f"faas {state.deploy_id}"
        )["Version"]
        alias = deployment.names.alias
        if alias_version(client, name, alias) is None:
            client.create_alias(FunctionName=name, Name=alias, FunctionVersion=version, Description="faas stage alias")
        else:
            client.update_alias(FunctionName=name, Name=alias, FunctionVersion=version)
        state.versions[self.spec.key] = str(version)
        deployment.say(f"{name}: version {version} is live")

    def _create(self, deployment: Deployment, client: Any, state: ApplyState) -> None:
        arguments = {
            "FunctionName": self.spec.name,
            "Code": state.require(CODE_LOCATION),
            "Architectures": [self.spec.architecture],
            "Tags": deployment.tags(self.spec.key),
            "Publish": False,
            **self.spec.configuration(create=True),
        }
        deadline = time.monotonic() + 60
        while True:
            try:
                client.create_function(**arguments)
                return
            except Exception as error:
                if error_code(error) == "ResourceConflictException":
                    # A previous run created it and then failed: converge by updating instead.
                    FunctionStep(self.spec, create=False, code=True, config=True).run_update_only(
                        deployment, client, state
                    )
                    return
                # A role created seconds ago may not be assumable by Lambda yet (IAM propagation).
                if "cannot be assumed" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(3)

    def run_update_only(self, deployment: Deployment, client: Any, state: ApplyState) -> None:
        wait_ready(client, self.spec.name)
        client.update_function_code(
            FunctionName=self.spec.name, Architectures=[self.spec.architecture], **state.require(CODE_LOCATION)
        )
        wait_ready(client, self.spec.name)
        client.update_function_configuration(FunctionName=self.spec.name, **self.spec.configuration())
        client.tag_resource(Resource=deployment.function_arn(self.spec.key), Tags=deployment.tags(self.spec.key))


@dataclass(frozen=True)
class DeleteFunctionStep:
    name: str

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        client = deployment.session.client("lambda")
        # Queue mappings outlive their function; remove them so no orphan keeps polling a queue.
        try:
            for page in client.get_paginator("list_event_source_mappings").paginate(FunctionName=self.name):
                for mapping in page.get("EventSourceMappings", []):
                    client.delete_event_source_mapping(UUID=mapping["UUID"])
        except Exception as error:
            if not is_missing(error):
                raise
        try:
            client.delete_function(FunctionName=self.name)
        except Exception as error:
            if not is_missing(error):
                raise
        logs = deployment.session.client("logs")
        try:
            logs.delete_log_group(logGroupName=f"/aws/lambda/{self.name}")
        except Exception as error:
            if not is_missing(error):
                raise


def plan_log_groups(deployment: Deployment, specs: list[FunctionSpec]) -> list[Action]:
    """Each function's log group, created by the deploy (so the role needs no CreateLogGroup) with retention."""
    logs = deployment.session.client("logs")
    retention = deployment.options.log_retention_days
    actions: list[Action] = []
    for spec in specs:
        name = f"/aws/lambda/{spec.name}"
        groups = logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
        group = next((g for g in groups if g["logGroupName"] == name), None)
        if group is None:
            actions.append(
                Action(
                    Change.CREATE,
                    "log group",
                    name,
                    (("retention", "", f"{retention} days"),),
                    LogGroupStep(name, True),
                )
            )
        elif group.get("retentionInDays") != retention:
            old = f"{group.get('retentionInDays') or 'never expire'}"
            actions.append(
                Action(
                    Change.UPDATE,
                    "log group",
                    name,
                    (("retention", old, f"{retention} days"),),
                    LogGroupStep(name, False),
                )
            )
    return actions


@dataclass(frozen=True)
class LogGroupStep:
    name: str
    create: bool

    def run(self, deployment: Deployment, state: ApplyState) -> None:
        logs = deployment.session.client("logs")
        if self.create:
            try:
                logs.create_log_group(logGroupName=self.name, tags=deployment.tags())
            except Exception as error:
                if error_code(error) != "ResourceAlreadyExistsException":
                    raise
        logs.put_retention_policy(logGroupName=self.name, retentionInDays=deployment.options.log_retention_days)
