"""SAM function events (Api, HttpApi, Schedule, ScheduleV2, S3, SQS) and standalone schedule resources.

S3 and SQS events reference resources of the same template (`!Ref Bucket`, `!GetAtt Queue.Arn`): the
trigger is named after the resource's BucketName / QueueName, or a generated name with a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faas.core.migrate import common
from faas.core.migrate.sam_intrinsics import Unresolved, is_unresolved
from faas.core.migrate.values import QUEUE_BATCH_RANGE, clamp

if TYPE_CHECKING:
    from faas.core.migrate.sam import _StageConverter

NO_TRIGGER = {
    "Kinesis": "no stream triggers in faas",
    "DynamoDB": "no stream triggers in faas",
    "DocumentDB": "no stream triggers in faas",
    "MSK": "no Kafka triggers in faas",
    "SelfManagedKafka": "no Kafka triggers in faas",
    "MQ": "no MQ triggers in faas",
    "CloudWatchEvent": "no event-pattern triggers in faas; a schedule is the nearest",
    "EventBridgeRule": "no event-pattern triggers in faas; a schedule is the nearest",
    "CloudWatchLogs": "no log subscription triggers in faas",
    "IoTRule": "no IoT triggers in faas",
    "AlexaSkill": "no Alexa triggers in faas",
    "Cognito": "no Cognito triggers in faas",
}
_SCHEDULE_EXTRAS = {
    "Input",
    "ScheduleExpressionTimezone",
    "FlexibleTimeWindow",
    "StartDate",
    "EndDate",
    "DeadLetterConfig",
    "RetryPolicy",
    "Target",
    "RoleArn",
    "GroupName",
    "KmsKeyArn",
    "OmitName",
    "PermissionsBoundary",
}


class EventsConverter:
    def __init__(self, conv: _StageConverter, where: str, target: str) -> None:
        self.conv = conv
        self.where = where
        self.target = target

    def convert(self, events: dict[str, Any], *, web: bool) -> tuple[list[dict[str, Any]], list[str]]:
        triggers: list[dict[str, Any]] = []
        doors: list[str] = []
        target = f"{self.target}.triggers"
        for name, event in events.items():
            key = f"{self.where}.{name}"
            kind = event.get("Type") if isinstance(event, dict) else None
            properties = (event.get("Properties") or {}) if isinstance(event, dict) else {}
            if kind in ("Api", "HttpApi"):
                door = "rest-api" if kind == "Api" else "http-api"
                if web:
                    doors.append(door)
                    extras = sorted(set(properties) - {"Path", "Method", "RestApiId", "ApiId", "PayloadFormatVersion"})
                    note = f"; {', '.join(extras)} not imported (authentication is the app's job)" if extras else ""
                    (
                        self.conv.warn(key, f"front_door = {door}{note}", "providers.aws.front_door")
                        if note
                        else self.conv.mapped(
                            key, "providers.aws.front_door", f"front_door = {door}; every path goes to the app"
                        )
                    )
                else:
                    self.conv.warn(
                        key,
                        "an API Gateway handler taking raw events: faas serves HTTP only through [app] "
                        "(a WSGI/ASGI app); the function is kept without this event",
                        target,
                    )
            elif kind in ("Schedule", "ScheduleV2"):
                triggers += self._schedule(key, properties, kind, target)
            elif kind == "S3":
                triggers += self._s3(key, properties, target)
            elif kind == "SQS":
                triggers += self._sqs(key, properties, target)
            elif kind == "SNS":
                triggers += self._sns(key, properties, target)
            elif kind in NO_TRIGGER:
                self.conv.warn(key, f"{NO_TRIGGER[kind]}; the function is kept without this event", target)
            else:
                self.conv.warn(key, f"unknown event type {kind!r}; ignored", target)
        return triggers, doors

    def _schedule(self, key: str, properties: dict[str, Any], kind: str, target: str) -> list[dict[str, Any]]:
        expression = self.conv.value(properties.get("Schedule" if kind == "Schedule" else "ScheduleExpression"))
        enabled = self.conv.value(properties.get("Enabled", True))
        state = self.conv.value(properties.get("State", "ENABLED"))
        if enabled is False or str(state).upper() == "DISABLED":
            self.conv.warn(key, "disabled in SAM: not written", target)
            return []
        schedule = common.schedule(self.conv.report, key, expression, stage=self.conv.stage, target=target)
        extras = sorted(set(properties) & _SCHEDULE_EXTRAS)
        if schedule is not None and extras:
            self.conv.warn(
                key,
                f"schedule {schedule}; {', '.join(extras)} not imported (faas schedules run in UTC "
                "and pass the platform's own event)",
                target,
            )
        return [{"schedule": schedule}] if schedule else []

    def _s3(self, key: str, properties: dict[str, Any], target: str) -> list[dict[str, Any]]:
        bucket, generated = self._resource_name(properties.get("Bucket"), "BucketName")
        if bucket is None:
            self.conv.warn(
                key, f"bucket {properties.get('Bucket')} is not a resource of this template; no trigger", target
            )
            return []
        names = self.conv.value(properties.get("Events", "s3:ObjectCreated:*"))
        events, unmapped = common.storage_events(names if isinstance(names, list) else [names])
        storage: dict[str, Any] = {"bucket": bucket, "events": events or ["created"]}
        rules = (((properties.get("Filter") or {}).get("S3Key") or {}).get("Rules")) or []
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, dict) and str(rule.get("Name", "")).lower() in ("prefix", "suffix"):
                storage[str(rule["Name"]).lower()] = str(self.conv.value(rule.get("Value", "")))
        notes = [f"{', '.join(unmapped)} have no faas counterpart"] if unmapped else []
        notes.append(
            "SAM creates this bucket; faas triggers need it to exist: create it"
            + (f" (its name is generated: {bucket} is written)" if generated else f" named {bucket}")
        )
        self.conv.warn(key, f"storage bucket {bucket}; " + "; ".join(notes), target)
        return [{"storage": storage}]

    def _sqs(self, key: str, properties: dict[str, Any], target: str) -> list[dict[str, Any]]:
        queue = properties.get("Queue")
        name: str | None
        generated = False
        if isinstance(queue, dict) and ("Fn::GetAtt" in queue or "Ref" in queue):
            name, generated = self._resource_name(queue, "QueueName")
            created = name is not None
        else:
            arn = self.conv.value(queue)
            service = common.arn_service(str(arn)) if isinstance(arn, str) else None
            name = service[1] if service and service[0] == "sqs" else None
            created = False
        if name is None:
            self.conv.warn(key, f"queue {queue} cannot be named offline; no trigger", target)
            return []
        batch, problem = clamp(self.conv.value(properties.get("BatchSize", 10)), QUEUE_BATCH_RANGE, "BatchSize")
        source: dict[str, Any] = {"name": name}
        if batch is not None and batch != 10:
            source["batch_size"] = batch
        notes = [problem] if problem else []
        if created:
            notes.append(
                "SAM creates this queue; faas triggers need it to exist: create it"
                + (f" (its name is generated: {name} is written)" if generated else f" named {name}")
            )
        extras = sorted(set(properties) - {"Queue", "BatchSize", "Enabled"})
        if extras:
            notes.append(f"{', '.join(extras)} not imported")
        if notes:
            self.conv.warn(key, f"queue {name}; " + "; ".join(notes), target)
        else:
            self.conv.mapped(key, target, f"queue {name}")
        return [{"queue": source}]

    def _sns(self, key: str, properties: dict[str, Any], target: str) -> list[dict[str, Any]]:
        topic = properties.get("Topic")
        if isinstance(topic, dict) and "Ref" in topic and topic["Ref"] in self.conv.template["Resources"]:
            # !Ref of an AWS::SNS::Topic is its ARN; the name is its TopicName (or a generated one).
            name, generated = self._resource_name(topic, "TopicName")
            created = True
        else:
            value = self.conv.value(topic)
            name, generated, created = common.topic_name(value), False, False
        if name is None:
            self.conv.warn(key, f"topic {topic} cannot be named offline; no trigger", target)
            return []
        notes = [common.TOPIC_ON_AWS]
        if created:
            notes.append(
                "SAM creates this topic; faas triggers need it to exist: create it"
                + (f" (its name is generated: {name} is written)" if generated else f" named {name}")
            )
        extras = sorted(set(properties) - {"Topic"})
        if extras:
            notes.append(f"{', '.join(extras)} not imported")
        self.conv.warn(key, f"topic {name}; " + "; ".join(notes), target)
        return [{"topic": name}]

    def _resource_name(self, reference: Any, name_property: str) -> tuple[str | None, bool]:
        logical = None
        if isinstance(reference, dict) and "Ref" in reference:
            logical = str(reference["Ref"])
        elif isinstance(reference, dict) and "Fn::GetAtt" in reference:
            attribute = reference["Fn::GetAtt"]
            logical = str(attribute[0] if isinstance(attribute, list) else attribute).split(".")[0]
        resource = self.conv.template["Resources"].get(logical) if logical else None
        if not isinstance(resource, dict):
            value = self.conv.value(reference)
            return (value, False) if isinstance(value, str) else (None, False)
        name = self.conv.value((resource.get("Properties") or {}).get(name_property))
        if isinstance(name, str) and not is_unresolved(name):
            return name, False
        stack = self.conv.intrinsics.pseudo.get("AWS::StackName", "stack")
        return f"{stack}-{logical}".lower()[:63], True


def standalone_schedules(conv: _StageConverter, resources: dict[str, Any]) -> None:
    """`AWS::Events::Rule` / `AWS::Scheduler::Schedule` resources whose target is a function here."""
    by_logical = {function["name"]: function for function in conv.functions}
    from faas.core.migrate.values import function_name

    for logical, resource in resources.items():
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if kind not in ("AWS::Events::Rule", "AWS::Scheduler::Schedule"):
            continue
        properties = resource.get("Properties") or {}
        expression = conv.value(properties.get("ScheduleExpression"))
        targets = properties.get("Targets") if kind == "AWS::Events::Rule" else [properties.get("Target")]
        arns = [t.get("Arn") for t in targets or [] if isinstance(t, dict)]
        function_logicals = [
            a["Fn::GetAtt"][0] for a in arns if isinstance(a, dict) and isinstance(a.get("Fn::GetAtt"), list)
        ]
        key = f"Resources.{logical}"
        matches = [by_logical.get(function_name(str(name), set())) for name in function_logicals]
        function = next((item for item in matches if item is not None), None)
        if function is None or expression is None or isinstance(expression, Unresolved):
            continue
        target = f"functions.{function['name']}.triggers"
        schedule = common.schedule(conv.report, key, expression, stage=conv.stage, target=target)
        if schedule is not None:
            function.setdefault("triggers", []).append({"schedule": schedule})
