"""Pieces every importer uses: environment, schedules, IAM statements, queue and bucket names.

Each helper records its own report entries, so the four importers answer the same way.
"""

from __future__ import annotations

import re
from typing import Any

from faas.core.migrate.cron import NotPortable, convert_schedule
from faas.core.migrate.report import Report
from faas.core.migrate.values import credential_advice, credential_reason, env_string, valid_env_name

# Set by the Lambda Web Adapter layer; copying it would make faas's own handler hand over to a
# bootstrap that is not there.
WEB_ADAPTER_VARIABLES = frozenset({"AWS_LAMBDA_EXEC_WRAPPER"})
_WEB_ADAPTER_PREFIX = "AWS_LWA_"
_ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>\d*):(?P<rest>.+)$")
_S3_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::(?P<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$")
_RESERVED_ENV = re.compile(
    r"^(AWS_(REGION|DEFAULT_REGION|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|LAMBDA_.*)|_HANDLER|LAMBDA_.*)$"
)


def environment(
    report: Report,
    values: dict[str, Any],
    *,
    key_prefix: str,
    target: str,
    stage: str | None,
    origin: str = "",
) -> dict[str, str]:
    """Environment variables as the platform would hand them over, each one in the report."""
    result: dict[str, str] = {}
    for name, value in values.items():
        key = f"{key_prefix}.{name}"
        if name in WEB_ADAPTER_VARIABLES or name.startswith(_WEB_ADAPTER_PREFIX):
            report.info(key, f"{name} configures the Lambda Web Adapter; faas runs the app itself", stage=stage)
            continue
        if not valid_env_name(str(name)):
            report.warn(key, f"'{name}' is not a valid environment variable name; left out", stage=stage)
            continue
        if _RESERVED_ENV.match(str(name)):
            report.warn(key, f"{name} is reserved by the Lambda runtime; left out", stage=stage)
            continue
        text = env_string(value)
        result[str(name)] = text
        credential = credential_reason(str(name), text)
        if credential:
            report.warn(key, f"{credential}: {credential_advice(str(name))}", f"{target}.{name}", stage=stage)
        elif isinstance(value, dict | list):
            report.warn(
                key, f"{name} is a {type(value).__name__}; written as its JSON text", f"{target}.{name}", stage=stage
            )
        else:
            note = f" ({origin})" if origin else ""
            report.mapped(key, f"{target}.{name}", f"environment variable{note}", stage=stage)
    return result


def schedule(report: Report, key: str, expression: object, *, stage: str | None, target: str) -> str | None:
    """The canonical faas schedule for an AWS expression, or None after a warning with the reason."""
    if not isinstance(expression, str):
        report.warn(key, f"schedule {expression!r} is not an expression string; no trigger written", stage=stage)
        return None
    try:
        converted = convert_schedule(expression)
    except NotPortable as error:
        report.warn(key, f"{error}; the function is kept without this trigger", target, stage=stage)
        return None
    same = converted.replace(" ", "") == expression.replace(" ", "")
    report.mapped(key, target, f"schedule {converted}" + ("" if same else f" (from {expression})"), stage=stage)
    return converted


def iam_statements(raw: object) -> tuple[list[dict[str, Any]], list[str]]:
    """IAM policy statements as `providers.aws.iam_statements`, and why the others cannot be."""
    statements: list[dict[str, Any]] = []
    problems: list[str] = []
    items = raw if isinstance(raw, list) else [raw]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"statement {index} is not a table")
            continue
        effect = item.get("Effect", item.get("effect", "Allow"))
        actions = _strings(item.get("Action", item.get("action")))
        resources = _strings(item.get("Resource", item.get("resource")))
        unknown = sorted(set(item) - {"Effect", "Action", "Resource", "Sid", "effect", "action", "resource"})
        if unknown:
            problems.append(f"statement {index} uses {', '.join(unknown)}, which faas statements do not have")
        elif effect not in ("Allow", "Deny"):
            problems.append(f"statement {index} has Effect {effect!r}")
        elif not actions or not resources:
            problems.append(
                f"statement {index} has Action or Resource that is not plain text (an intrinsic or a reference)"
            )
        elif "*" in actions:
            problems.append(f'statement {index} grants every action ("*"); name the actions the app needs')
        else:
            statements.append({"effect": effect, "actions": actions, "resources": resources})
    return statements, problems


def _strings(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) and item and "${" not in item for item in items):
        return []
    return [str(item) for item in items]


def arn_service(arn: str) -> tuple[str, str] | None:
    """(service, resource name) of an ARN: `arn:aws:sqs:eu-west-1:123:jobs` -> ("sqs", "jobs")."""
    s3 = _S3_ARN.match(arn)
    if s3:
        return "s3", s3.group("bucket")
    match = _ARN.match(arn)
    if not match:
        return None
    rest = match.group("rest")
    return match.group("service"), re.split(r"[:/]", rest)[-1] if match.group("service") != "s3" else rest


TOPIC_ON_AWS = (
    "faas's aws provider does not deploy topic triggers yet (local runs them, gcp and azure package them): "
    "`faas deploy --provider aws` refuses it until then"
)
"""Said with every SNS topic an importer turns into a `topic` trigger."""


def topic_name(value: object) -> str | None:
    """The topic an SNS ARN (`arn:aws:sns:eu-west-1:123:alerts` -> alerts) or a plain name names, else None."""
    if not isinstance(value, str) or not value or "${" in value or is_placeholder(value):
        return None
    if value.startswith("arn:"):
        service = arn_service(value)
        return service[1] if service is not None and service[0] == "sns" else None
    return value if re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value) else None


def is_placeholder(value: str) -> bool:
    """An unresolved intrinsic or reference left in a value by a loader."""
    return value.startswith(("!", "{{")) or "Fn::" in value


def storage_events(names: list[Any]) -> tuple[list[str], list[str]]:
    """faas storage events for S3 event names, and the names that have none."""
    events: list[str] = []
    unmapped: list[str] = []
    for name in names:
        text = str(name)
        kind = "created" if "ObjectCreated" in text else "deleted" if "ObjectRemoved" in text else None
        if kind is None:
            unmapped.append(text)
        elif kind not in events:
            events.append(kind)
    return events, unmapped
