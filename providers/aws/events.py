"""Storage triggers (S3 bucket notifications) and queue triggers (SQS event source mappings).

Notification configurations are per bucket and may hold other people's entries: faas only adds,
changes and removes the ones whose Id starts with `faas-<project>-<stage>-`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faas import Action, Change, DeployError, QueueTrigger, StorageTrigger
from faas.providers.aws.context import ApplyState, Deployment, canonical
from faas.providers.aws.naming import APP
from faas.providers.aws.permissions import Permission, plan_permission, revoke, statements
from faas.providers.aws.session import is_missing

S3_EVENTS = {"created": "s3:ObjectCreated:*", "deleted": "s3:ObjectRemoved:*"}


def _id_prefix(deployment: Deployment) -> str:
    return f"faas-{deployment.names.prefix}-"


def desired_notifications(deployment: Deployment) -> dict[str, list[dict[str, Any]]]:
    """Our LambdaFunctionConfigurations, by bucket."""
    wanted: dict[str, list[dict[str, Any]]] = {}
    for function in deployment.project.config.functions:
        storage = [t.storage for t in function.triggers if isinstance(t, StorageTrigger)]
        for index, event in enumerate(storage):
            rules = [{"Name": "prefix", "Value": event.prefix}] if event.prefix else []
            rules += [{"Name": "suffix", "Value": event.suffix}] if event.suffix else []
            entry: dict[str, Any] = {
                "Id": f"{_id_prefix(deployment)}{function.name}-{index}",
                "LambdaFunctionArn": deployment.alias_arn(function.name),
                "Events": sorted(S3_EVENTS[e] for e in event.events),
            }
            if rules:
                entry["Filter"] = {"Key": {"FilterRules": rules}}
            wanted.setdefault(event.bucket, []).append(entry)
    return wanted


def _s3_sid(bucket: str) -> str:
    return f"faas-s3-{bucket}"[:100]


def _normal(entry: dict[str, Any]) -> str:
    rules = sorted(
        (
            {"Name": r["Name"].lower(), "Value": r["Value"]}
            for r in entry.get("Filter", {}).get("Key", {}).get("FilterRules", [])
        ),
        key=lambda r: r["Name"],
    )
    return canonical(
        {
            "Id": entry.get("Id"),
            "Arn": entry.get("LambdaFunctionArn"),
            "Events": sorted(entry.get("Events", [])),
            "Rules": rules,
        }
    )


def wired_buckets(deployment: Deployment) -> dict[str, str]:
    """Buckets that may invoke a function of this stage (from the alias policies): bucket -> function key."""
    found = {}
    for key in deployed_keys(deployment):
        for sid in statements(deployment, key):
            if sid.startswith("faas-s3-"):
                found[sid.removeprefix("faas-s3-")] = key
    return found


def deployed_keys(deployment: Deployment) -> list[str]:
    """Keys of the configured functions and of deployed ones the config no longer has."""
    keys = list(deployment.function_keys)
    prefix = deployment.names.prefix
    for page in deployment.session.client("lambda").get_paginator("list_functions").paginate():
        for summary in page.get("Functions", []):
            name = summary["FunctionName"]
            key = APP if name == prefix else name.removeprefix(prefix + "_") if name.startswith(prefix + "_") else None
            if key is not None and key not in keys:
                keys.append(key)
    return keys


def plan_storage(deployment: Deployment, permissions: dict[str, dict[str, dict[str, Any]]]) -> list[Action]:
    s3 = deployment.session.client("s3")
    wanted = desired_notifications(deployment)
    prefix = _id_prefix(deployment)
    actions: list[Action] = []
    for bucket in sorted(set(wanted) | set(wired_buckets(deployment))):
        try:
            config = s3.get_bucket_notification_configuration(Bucket=bucket)
        except Exception as error:
            if is_missing(error) and bucket in wanted:
                raise DeployError("plan", f"storage trigger bucket '{bucket}' does not exist") from None
            if not is_missing(error):
                raise
            config = {}
        ours = [c for c in config.get("LambdaFunctionConfigurations", []) if c.get("Id", "").startswith(prefix)]
        mine = wanted.get(bucket, [])
        functions = sorted({entry["Id"].removeprefix(prefix).rpartition("-")[0] for entry in mine})
        for function in functions:
            current = permissions.setdefault(function, statements(deployment, function))
            wanted_permission = Permission(
                function,
                _s3_sid(bucket),
                "s3.amazonaws.com",
                f"arn:{deployment.session.partition}:s3:::{bucket}",
                source_account=True,
            )
            actions += plan_permission(deployment, current, wanted_permission)
        if sorted(map(_normal, ours)) != sorted(map(_normal, mine)):
            change = Change.DELETE if not mine else (Change.CREATE if not ours else Change.UPDATE)
            details = (("notifications", str(len(ours)), str(len(mine))),)
            actions.append(Action(change, "s3 notification", bucket, details, NotificationStep(bucket, tuple(mine))))
        if not mine:
            for key in deployed_keys(deployment):
                if _s3_sid(bucket) in statements(deployment, key):
                    actions.append(
                        Action(Change.DELETE, "permission", f"{key} {_s3_sid(bucket)}", (), RevokeS3Step(key, bucket))
                    )
    return actions


@dataclass(frozen=True)
class NotificationStep:
    """Replace this stage's entries in the bucket's notification configuration, keeping everyone else's."""

    bucket: str
    entries: tuple[dict[str, Any], ...]

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        s3 = deployment.session.client("s3")
        config = s3.get_bucket_notification_configuration(Bucket=self.bucket)
        config.pop("ResponseMetadata", None)
        prefix = _id_prefix(deployment)
        others = [c for c in config.get("LambdaFunctionConfigurations", []) if not c.get("Id", "").startswith(prefix)]
        config["LambdaFunctionConfigurations"] = others + list(self.entries)
        if not config["LambdaFunctionConfigurations"]:
            del config["LambdaFunctionConfigurations"]
        s3.put_bucket_notification_configuration(Bucket=self.bucket, NotificationConfiguration=config)


@dataclass(frozen=True)
class RevokeS3Step:
    key: str
    bucket: str

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        revoke(deployment, self.key, _s3_sid(self.bucket))


def queue_arn(deployment: Deployment, name: str) -> str:
    return deployment.arn("sqs", name)


def plan_queues(deployment: Deployment) -> list[Action]:
    """One event source mapping per (function, queue), on the alias."""
    client = deployment.session.client("lambda")
    sqs = deployment.session.client("sqs")
    actions: list[Action] = []
    config = {f.name: f for f in deployment.project.config.functions}
    for key in deployment.function_keys:
        function = config.get(key)
        wanted = {
            queue_arn(deployment, t.queue.name): t.queue.batch_size
            for t in (function.triggers if function else [])
            if isinstance(t, QueueTrigger)
        }
        for arn in wanted:
            try:
                sqs.get_queue_url(QueueName=arn.rpartition(":")[2])
            except Exception as error:
                raise DeployError("plan", f"queue '{arn.rpartition(':')[2]}' does not exist") from error
        current: dict[str, dict[str, Any]] = {}
        try:
            pages = client.get_paginator("list_event_source_mappings").paginate(FunctionName=deployment.alias_arn(key))
            for page in pages:
                for mapping in page.get("EventSourceMappings", []):
                    current[mapping["EventSourceArn"]] = mapping
        except Exception as error:
            if not is_missing(error):
                raise
        name = deployment.names.function(key)
        for arn, batch in wanted.items():
            mapping = current.pop(arn, None)
            if mapping is None:
                actions.append(
                    Action(
                        Change.CREATE,
                        "queue mapping",
                        f"{arn.rpartition(':')[2]} -> {name}",
                        (("batch size", "", str(batch)),),
                        MappingStep(key, arn, batch, None),
                    )
                )
            elif mapping.get("BatchSize") != batch:
                details = (("batch size", str(mapping.get("BatchSize")), str(batch)),)
                actions.append(
                    Action(
                        Change.UPDATE,
                        "queue mapping",
                        f"{arn.rpartition(':')[2]} -> {name}",
                        details,
                        MappingStep(key, arn, batch, mapping["UUID"]),
                    )
                )
        for arn, mapping in current.items():
            actions.append(
                Action(
                    Change.DELETE,
                    "queue mapping",
                    f"{arn.rpartition(':')[2]} -> {name}",
                    (),
                    DeleteMappingStep(mapping["UUID"]),
                )
            )
    return actions


@dataclass(frozen=True)
class MappingStep:
    key: str
    queue: str
    batch_size: int
    uuid: str | None

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        client = deployment.session.client("lambda")
        if self.uuid is None:
            client.create_event_source_mapping(
                EventSourceArn=self.queue,
                FunctionName=deployment.alias_arn(self.key),
                BatchSize=self.batch_size,
                Enabled=True,
                Tags=deployment.tags(self.key),
            )
        else:
            client.update_event_source_mapping(UUID=self.uuid, BatchSize=self.batch_size)


@dataclass(frozen=True)
class DeleteMappingStep:
    uuid: str

    def run(self, deployment: Deployment, state: ApplyState | None = None) -> None:
        try:
            deployment.session.client("lambda").delete_event_source_mapping(UUID=self.uuid)
        except Exception as error:
            if not is_missing(error):
                raise
