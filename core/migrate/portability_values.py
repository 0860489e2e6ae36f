"""What each faas feature, value and AWS option becomes on GCP or Azure, for `faas migrate --to`.

The mechanisms named here are the platforms' documented ones; the report only reads the project's
configuration, it never asks a cloud.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from faas.core.model.project import ProjectConfig
from faas.core.model.triggers import QueueTrigger, StorageTrigger, TopicTrigger

TARGETS = ("gcp", "azure")

FindingStatus = Literal["maps", "differs", "missing", "breaks", "check"]


@dataclass(frozen=True)
class Finding:
    """One feature of the project on the target.

    `status`: maps (1:1), differs (`target` names the other mechanism), missing (no equivalent:
    `target` names the nearest), breaks (a limit of the target), check (a value naming the old cloud).
    `needs_user` is what the exit code counts: false where faas carries the feature over by itself.
    """

    feature: str
    key: str
    status: FindingStatus
    target: str
    detail: str
    action: str = ""
    needs_user: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "key": self.key,
            "status": self.status,
            "target": self.target,
            "detail": self.detail,
            "action": self.action,
            "needs_user": self.needs_user,
        }


def _carried(feature: str, key: str, status: FindingStatus, target: str, detail: str) -> Finding:
    return Finding(feature, key, status, target, detail, needs_user=False)


def app_finding(target: str, options: Any) -> Finding:
    if target == "gcp":
        return _carried(
            "app",
            "app",
            "differs",
            "an HTTP Cloud Function (2nd gen, on Cloud Run) at its own https URL",
            "no API Gateway in front: the function's URL serves every path; faas's gcp adapter runs the app",
        )
    prefix = getattr(options, "route_prefix", "")
    where = f"under /{prefix}/" if prefix else "at the root"
    return _carried(
        "app",
        "app",
        "differs",
        "an HTTP-triggered function in a Function App",
        f"the app is served {where} (providers.azure.route_prefix); faas's azure adapter runs the app",
    )


def storage_trigger_findings(trigger: StorageTrigger, feature: str, key: str, target: str) -> list[Finding]:
    event = trigger.storage
    if target == "gcp":
        findings = [
            Finding(
                feature,
                key,
                "differs",
                "an Eventarc Cloud Storage trigger (object finalized / deleted)",
                f"bucket '{event.bucket}' must be a Cloud Storage bucket",
                action=f"create gs://{event.bucket} and copy the objects (gcloud storage rsync s3://... gs://...)",
            )
        ]
        if event.prefix or event.suffix:
            findings.append(
                Finding(
                    f"{feature} filter",
                    f"{key}.storage",
                    "missing",
                    "a check at the start of the function",
                    "Eventarc filters Cloud Storage events by bucket only, not by prefix or suffix",
                    action="return early for names outside the prefix/suffix (or use a bucket of their own)",
                )
            )
        return findings
    return [
        Finding(
            feature,
            key,
            "differs",
            "an Event Grid blob trigger on a storage account container",
            f"container '{event.bucket}' must exist in the Function App's storage account; prefix and suffix "
            "become the subject filter",
            action=f"create the container and copy the objects (azcopy copy 'https://s3...' '{event.bucket}')",
        )
    ]


def queue_finding(trigger: QueueTrigger, feature: str, key: str, target: str) -> Finding:
    name = trigger.queue.name
    if target == "gcp":
        return Finding(
            feature,
            key,
            "differs",
            "a Pub/Sub topic with a push subscription (one message per invocation)",
            f"GCP has no SQS-like pull queue for functions; '{name}' becomes a Pub/Sub topic and batch_size "
            "does not apply (nearest for work queues: Cloud Tasks)",
            action=f"publish to the topic '{name}' where the code sent to the queue",
        )
    return Finding(
        feature,
        key,
        "differs",
        "an Azure Storage queue trigger",
        f"'{name}' becomes a Storage queue; the host batches up to 32 messages (host.json), not batch_size",
        action=f"send to the Storage queue '{name}' (azure-storage-queue) where the code sent to SQS",
    )


def topic_finding(trigger: TopicTrigger, feature: str, key: str, target: str) -> Finding:
    name = trigger.topic.name
    if target == "gcp":
        return _carried(feature, key, "maps", f"a Pub/Sub topic '{name}'", "publish/subscribe, one message each")
    # The function gets the same neutral message either way (the adapter unwraps Event Grid).
    return _carried(
        feature,
        key,
        "differs",
        f"an Event Grid topic '{name}'",
        "code that publishes sends Event Grid events (azure-eventgrid) instead of SNS messages",
    )


def storage_findings(config: ProjectConfig, target: str) -> list[Finding]:
    findings = []
    for role, storage in config.storage.items():
        key = f"storage.{role}"
        mechanism = "a Cloud Storage bucket" if target == "gcp" else "a Blob container in a storage account"
        status: Literal["maps", "differs"] = "maps" if target == "gcp" else "differs"
        if storage.bucket:
            findings.append(
                Finding(
                    f"storage {role}",
                    f"{key}.bucket",
                    "check",
                    mechanism,
                    f"'{storage.bucket}' names an existing bucket of the current cloud",
                    action="create it on the target and copy the objects, or remove bucket to let faas create one",
                )
            )
        else:
            findings.append(_carried(f"storage {role}", key, status, mechanism, "created by faas, as now"))
    return findings


def domain_findings(config: ProjectConfig, target: str) -> list[Finding]:
    findings = []
    if config.domain:
        mechanism = (
            "a Cloud Run domain mapping (or a load balancer)" if target == "gcp" else "a Function App custom domain"
        )
        findings.append(
            Finding("custom domain", "domain", "differs", mechanism, f"DNS for {config.domain} must point at it")
        )
    if config.certificate and config.certificate != "managed":
        findings.append(
            Finding(
                "certificate",
                "certificate",
                "check",
                "managed",
                f"'{config.certificate}' is a certificate of the current cloud's certificate store",
                action='set certificate = "managed" or import the certificate on the target',
            )
        )
    return findings


# Values that only mean something on AWS.
_AWS_VALUE_PATTERNS = (
    (re.compile(r"\barn:aws[\w-]*:"), "an ARN"),
    (re.compile(r"\bs3://", re.IGNORECASE), "an s3:// URL"),
    (re.compile(r"[\w-]+\.execute-api\.[\w-]+\.amazonaws\.com", re.IGNORECASE), "an API Gateway (execute-api) URL"),
    (re.compile(r"[\w.-]+\.amazonaws\.com(\.cn)?\b", re.IGNORECASE), "an AWS host"),
    (re.compile(r"[\w.-]+\.(cloudfront\.net|on\.aws)\b", re.IGNORECASE), "an AWS host"),
)


def aws_reference(value: str) -> str | None:
    """What kind of AWS name `value` holds (an ARN, an s3:// URL, an AWS host), or None."""
    for pattern, what in _AWS_VALUE_PATTERNS:
        if pattern.search(value):
            return what
    return None


def _environments(config: ProjectConfig) -> Iterator[tuple[str, str, str]]:
    """(key path, name, value) of every environment variable, in every stage as written too."""
    if config.app is not None:
        for name, value in config.app.environment.items():
            yield f"app.environment.{name}", name, value
    for index, function in enumerate(config.functions):
        for name, value in function.environment.items():
            yield f"functions[{index}].environment.{name}", name, value
    for stage, overrides in config.stages.items():
        yield from _raw_environments(overrides, f"stages.{stage}")


def _raw_environments(value: Any, at: str) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "environment" and isinstance(item, dict):
                for name, text in item.items():
                    if isinstance(text, str):
                        yield f"{at}.environment.{name}", name, text
            else:
                yield from _raw_environments(item, f"{at}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _raw_environments(item, f"{at}[{index}]")


def environment_findings(config: ProjectConfig) -> list[Finding]:
    findings = []
    seen = set()
    for key, name, value in _environments(config):
        if key in seen:
            continue
        seen.add(key)
        what = aws_reference(value)
        if what is not None:
            findings.append(
                Finding(
                    f"environment {name}",
                    key,
                    "check",
                    "the target's equivalent resource",
                    f"the value is {what}: {value}",
                    action=f"point {name} at the resource on the target (a [stages] override keeps the AWS one)",
                )
            )
        elif name.startswith("AWS_"):
            findings.append(
                Finding(
                    f"environment {name}",
                    key,
                    "check",
                    "nothing",
                    f"{name} is read by AWS SDKs; the target's SDKs use their own settings",
                    action=f"drop {name} or replace it with the target's setting",
                )
            )
    return findings


# AWS regions and the nearest region of each target (same metropolitan area where one exists).
NEAREST_REGION: dict[str, tuple[str, str]] = {
    "us-east-1": ("us-east4", "eastus"),
    "us-east-2": ("us-east5", "eastus2"),
    "us-west-1": ("us-west2", "westus"),
    "us-west-2": ("us-west1", "westus2"),
    "ca-central-1": ("northamerica-northeast1", "canadacentral"),
    "eu-west-1": ("europe-west1", "northeurope"),
    "eu-west-2": ("europe-west2", "uksouth"),
    "eu-west-3": ("europe-west9", "francecentral"),
    "eu-central-1": ("europe-west3", "germanywestcentral"),
    "eu-north-1": ("europe-north1", "swedencentral"),
    "eu-south-1": ("europe-west8", "italynorth"),
    "ap-northeast-1": ("asia-northeast1", "japaneast"),
    "ap-northeast-2": ("asia-northeast3", "koreacentral"),
    "ap-southeast-1": ("asia-southeast1", "southeastasia"),
    "ap-southeast-2": ("australia-southeast1", "australiaeast"),
    "ap-south-1": ("asia-south1", "centralindia"),
    "sa-east-1": ("southamerica-east1", "brazilsouth"),
}

_REGION_KEY = {"gcp": "region", "azure": "location"}


def aws_option_findings(options: dict[str, Any], target: str) -> tuple[dict[str, Any], list[Finding]]:
    """Each `[providers.aws]` key on the target, and the `[providers.<target>]` table to write."""
    table: dict[str, Any] = {}
    findings = []
    for name, value in options.items():
        key = f"providers.aws.{name}"
        found = _option_finding(name, value, key, target, table)
        if found is not None:
            findings.append(found)
    return table, findings


def _option_finding(name: str, value: Any, key: str, target: str, table: dict[str, Any]) -> Finding | None:
    feature = f"aws option {name}"
    gcp = target == "gcp"
    if name == "region":
        regions = NEAREST_REGION.get(str(value))
        region_key = _REGION_KEY[target]
        if regions is None:
            return Finding(feature, key, "check", f"providers.{target}.{region_key}", f"no known nearest to {value}")
        table[region_key] = regions[0] if gcp else regions[1]
        return _carried(feature, key, "differs", f"providers.{target}.{region_key} = {table[region_key]!r}", "nearest")
    if name == "private":
        if gcp:
            table["allow_unauthenticated"] = not value
            return _carried(feature, key, "maps", f"providers.gcp.allow_unauthenticated = {not value}", "IAM auth")
        nearest = "function keys (auth_level FUNCTION) or App Service authentication"
        return Finding(feature, key, "missing", nearest, "no faas option for it yet") if value else None
    if name in ("runtime_provided", "artifact_upload", "artifact_bucket", "endpoint_type"):
        return _carried(feature, key, "missing", "nothing needed", "the target uploads and builds the code itself")
    if name == "profile":
        nearest = "gcloud's active configuration (project)" if gcp else "az login's subscription (subscription_id)"
        return _carried(feature, key, "missing", nearest, "credentials come from the target's own tools")
    nearest_by_option = {
        "architecture": ("x86_64 only", "the target has no Graviton (arm64) choice"),
        "front_door": (
            "the function's own URL (API Gateway for GCP or a load balancer in front)"
            if gcp
            else "the Function App's HTTP trigger (API Management in front)",
            "a REST API's usage plans, API keys and edge endpoints have no faas option on the target",
        ),
        "iam_statements": (
            "IAM roles granted to the function's service account"
            if gcp
            else "role assignments for the managed identity",
            "no faas option for them on the target yet",
        ),
        "tags": (
            "labels (lowercase keys and values)" if gcp else "resource tags",
            "no faas option for them on the target yet",
        ),
        "hosted_zone_id": ("a Cloud DNS managed zone" if gcp else "an Azure DNS zone", "create the records yourself"),
    }
    if name == "front_door" and value != "rest-api":
        # An HTTP API or a Function URL only passes requests through: the target's own URL does that.
        return _carried(feature, key, "differs", "the function's own https URL", f"{value} has nothing to carry over")
    if name == "log_retention_days":
        nearest = "Cloud Logging bucket retention" if gcp else "Log Analytics workspace retention"
        return _carried(feature, key, "missing", nearest, "set once per project or workspace (default 30 days)")
    if name == "architecture" and value == "x86_64":
        return _carried(feature, key, "maps", "x86_64", "the target runs x86_64")
    nearest, why = nearest_by_option.get(name, ("nothing", "an option faas does not know"))
    return Finding(feature, key, "missing", nearest, why, action=f"drop {key} for {target} or set up {nearest}")
