"""Operating a deployment: status, logs, invoke, manage and rollback."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions

from faas import (
    DeployError,
    InvokeResult,
    LogEntry,
    LogRecord,
    NotDeployedError,
    Release,
    Resource,
    RollbackResult,
    Status,
    UsageError,
    deploy_id_of,
    poll_logs,
    release_at,
    rollback_target,
)
from faas.providers.aws import domain, frontdoor, functions, iam, schedules
from faas.providers.aws.context import Deployment
from faas.providers.aws.naming import APP
from faas.providers.aws.session import error_text, is_missing


def status(deployment: Deployment) -> Status:
    lambdas = functions.owned_functions(deployment)
    resources: list[Resource] = []
    client = deployment.session.client("lambda")
    version = last_deploy = None
    for name in sorted(lambdas):
        alias = functions.alias_version(client, name, deployment.names.alias)
        resources.append(Resource("function", name, f"alias {deployment.names.alias} -> version {alias or '(none)'}"))
        if deployment.function_keys and name == deployment.names.function(deployment.primary) and alias:
            version = alias
            served = client.get_function_configuration(FunctionName=name, Qualifier=alias)
            last_deploy = _timestamp(served.get("LastModified"))
    for group in log_groups(deployment):
        resources.append(Resource("log group", group))
    door = frontdoor.deployed(deployment)
    if door is not None:
        resources.append(Resource(door.kind, door.id, door.url))
    for name, rule in sorted(schedules.owned_rules(deployment).items()):
        resources.append(Resource("schedule", name, str(rule.get("ScheduleExpression", ""))))
    resources += domain.resources(deployment)
    if iam.owned_role(deployment):
        resources.append(Resource("iam role", deployment.names.role))
    for bucket in owned_buckets(deployment):
        resources.append(Resource("bucket", bucket))
    url = None
    if lambdas:
        url = domain.custom_url(deployment) or (door.url if door else None)
    return Status(
        provider="aws",
        stage=deployment.project.stage,
        deployed=bool(lambdas),
        url=url,
        version=version,
        serving=deployment.names.alias if version else None,
        last_deploy=last_deploy,
        resources=tuple(resources),
    )


def _timestamp(value: Any) -> datetime | None:
    """Lambda's LastModified ("2024-05-01T10:00:00.123+0000"; emulators vary the fraction and zone)."""
    if not isinstance(value, str):
        return None
    match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$", value)
    if match is None:
        return None
    zone = (match.group(3) or "+0000").replace("Z", "+0000").replace(":", "")
    fraction = (match.group(2) or "0")[:6].ljust(6, "0")
    return datetime.strptime(f"{match.group(1)}.{fraction}{zone}", "%Y-%m-%dT%H:%M:%S.%f%z")


def log_groups(deployment: Deployment) -> list[str]:
    """The log groups of this stage's functions, configured or not."""
    logs = deployment.session.client("logs")
    base = f"/aws/lambda/{deployment.names.prefix}"
    found = []
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=base):
        found += [
            g["logGroupName"]
            for g in page.get("logGroups", [])
            if g["logGroupName"] == base or g["logGroupName"].startswith(base + "_")
        ]
    return found


def owned_buckets(deployment: Deployment) -> list[str]:
    """Buckets faas created for this stage (artifacts, storage), by name prefix and tags."""
    s3 = deployment.session.client("s3")
    found = []
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        if not name.startswith(deployment.names.prefix[:40]):
            continue
        try:
            tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name).get("TagSet", [])}
        except botocore.exceptions.ClientError:
            continue
        if deployment.names.owns(tags):
            found.append(name)
    return found


def logs(deployment: Deployment, since: datetime | None, follow: bool, pattern: str | None) -> Iterator[LogRecord]:
    client = deployment.session.client("logs")
    groups = log_groups(deployment)
    if not groups:
        raise NotDeployedError(f"{deployment.names.prefix} has no logs on AWS (not deployed?)")

    def fetch(start: datetime | None) -> list[LogEntry]:
        # CloudWatch's startTime is inclusive, in milliseconds; the engine drops what it already yielded.
        millis = round(start.timestamp() * 1000) if start is not None else 0
        entries: list[LogEntry] = []
        for group in groups:
            arguments: dict[str, Any] = {"logGroupName": group, "startTime": millis}
            if pattern:
                arguments["filterPattern"] = pattern
            try:
                for page in client.get_paginator("filter_log_events").paginate(**arguments):
                    entries += [_entry(group, event) for event in page.get("events", [])]
            except botocore.exceptions.ClientError as error:
                if not is_missing(error):
                    raise DeployError("logs", error_text(error)) from None
        return entries

    return poll_logs(fetch, since=since, follow=follow, redact=deployment.redact)


def _entry(group: str, event: dict[str, Any]) -> LogEntry:
    message = str(event.get("message", "")).rstrip("\n")
    return LogEntry(
        id=str(event.get("eventId", "")),
        timestamp=datetime.fromtimestamp(event["timestamp"] / 1000, UTC),
        message=message,
        source=group.removeprefix("/aws/lambda/"),
        request_id=_request_id(message),
    )


def _request_id(message: str) -> str | None:
    # START/END/REPORT lines carry "RequestId: <id>"; application lines do not.
    if "RequestId: " in message:
        return message.split("RequestId: ", 1)[1].split(maxsplit=1)[0]
    return None


def invoke(deployment: Deployment, event: Any, function: str | None) -> InvokeResult:
    key = APP if function is None else function
    if key not in deployment.function_keys:
        known = ", ".join(k or "(app)" for k in deployment.function_keys)
        raise UsageError(f"no function '{function}' in {deployment.project.name}; known: {known}")
    return _invoke(deployment, key, event)


def _invoke(deployment: Deployment, key: str, event: Any) -> InvokeResult:
    client = deployment.session.client("lambda")
    name = deployment.names.function(key)
    try:
        response = client.invoke(
            FunctionName=name,
            Qualifier=deployment.names.alias,
            InvocationType="RequestResponse",
            LogType="Tail",
            Payload=json.dumps(event).encode(),
        )
    except botocore.exceptions.ClientError as error:
        if is_missing(error):
            raise NotDeployedError(f"{name} is not deployed") from None
        raise DeployError(f"invoke {name}", error_text(error)) from None
    raw = response["Payload"].read()
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = raw.decode(errors="replace")
    tail = base64.b64decode(response.get("LogResult", "") or b"").decode(errors="replace")
    failure: str | None = response.get("FunctionError")
    if failure:
        detail = payload.get("errorMessage") if isinstance(payload, dict) else payload
        failure = deployment.project.redact(f"{failure}: {detail}")
    deployment.say(deployment.project.redact(tail))
    return InvokeResult(payload=payload, logs=deployment.project.redact(tail), error=failure or None)


def manage(deployment: Deployment, arguments: list[str]) -> InvokeResult:
    if deployment.project.config.app is None:
        raise UsageError("manage runs Django management commands in the app; this project has no [app]")
    return _invoke(deployment, APP, {"faas": {"manage": arguments}}).as_manage()


def rollback(deployment: Deployment, to: str | None) -> RollbackResult:
    """Move every function's alias back to the deploy of app version `to` (default: the previous one)."""
    client = deployment.session.client("lambda")
    releases = {key: _releases(client, deployment.names.function(key)) for key in deployment.function_keys}
    main = deployment.primary
    name = deployment.names.function(main)
    current = functions.alias_version(client, name, deployment.names.alias)
    if current is None:
        raise NotDeployedError(f"{name} is not deployed")
    target = rollback_target(releases[main], current, to, name)
    for key in deployment.function_keys:
        chosen = target if key == main else release_at(releases[key], target.deploy_id)
        if chosen is not None:
            client.update_alias(
                FunctionName=deployment.names.function(key), Name=deployment.names.alias, FunctionVersion=chosen.version
            )
    deployment.say(f"{name}: alias {deployment.names.alias} moved from version {current} to {target.version}")
    return RollbackResult(previous_version=current, current_version=target.version)


def _releases(client: Any, name: str) -> list[Release]:
    """The function's published versions, each with the deploy id its description carries."""
    found: list[Release] = []
    for page in client.get_paginator("list_versions_by_function").paginate(FunctionName=name):
        found += [
            Release(version["Version"], int(version["Version"]), deploy_id_of(str(version.get("Description", ""))))
            for version in page.get("Versions", [])
            if version["Version"] != "$LATEST"
        ]
    return found


__all__ = ["invoke", "logs", "manage", "owned_buckets", "rollback", "status"]
