"""The events of a plain Serverless function: schedule, eventBridge schedules, s3 and sqs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faas.core.migrate import common
from faas.core.migrate.serverless_vars import has_reference
from faas.core.migrate.values import QUEUE_BATCH_RANGE, clamp

if TYPE_CHECKING:
    from faas.core.migrate.serverless_functions import FunctionsConverter

_SQS_EXTRAS = {"maximumBatchingWindow", "functionResponseType", "filterPatterns", "maximumConcurrency"}


class EventsConverter:
    def __init__(self, owner: FunctionsConverter, target: str) -> None:
        self.owner = owner
        self.conv = owner.conv
        self.target = target
        self.triggers: list[dict[str, Any]] = []

    def convert(self, where: str, events: Any) -> list[dict[str, Any]]:
        if events is None:
            return self.triggers
        if not isinstance(events, list):
            self.conv.warn(where, "must be a list of events; ignored")
            return self.triggers
        from faas.core.migrate.serverless_functions import NO_TRIGGER, _event_kind

        for index, event in enumerate(events):
            key = f"{where}[{index}]"
            kind, body = _event_kind(event)
            handler = (
                getattr(self, f"_{kind}", None) if kind in ("schedule", "eventBridge", "s3", "sqs", "sns") else None
            )
            if handler is not None:
                handler(key, body)
            elif kind in ("http", "httpApi"):
                self.conv.warn(
                    key,
                    "an API Gateway handler taking raw events: faas serves HTTP only through [app] "
                    "(a WSGI/ASGI app); the function is kept without this event",
                    f"{self.target}.triggers",
                )
            elif kind in NO_TRIGGER:
                self.conv.warn(
                    key, f"{NO_TRIGGER[kind]}; the function is kept without this event", f"{self.target}.triggers"
                )
            else:
                self.conv.warn(key, f"unknown event {kind!r}; ignored", f"{self.target}.triggers")
        return self.triggers

    def _schedule(self, key: str, body: Any) -> None:
        target = f"{self.target}.triggers"
        if isinstance(body, dict):
            if body.get("enabled", True) is False:
                self.conv.warn(key, "disabled in Serverless (enabled: false): not written", target)
                return
            rates = body.get("rate")
            extras = sorted(set(body) - {"rate", "enabled", "name", "description"})
        else:
            rates, extras = body, []
        items = rates if isinstance(rates, list) else [rates]
        for offset, rate in enumerate(items):
            entry_key = key if len(items) == 1 else f"{key}.rate[{offset}]"
            schedule = common.schedule(self.conv.report, entry_key, rate, stage=self.conv.stage, target=target)
            if schedule is not None:
                self.triggers.append({"schedule": schedule})
                if extras:
                    self.conv.warn(
                        entry_key,
                        f"{', '.join(extras)} not imported (faas passes the platform's own schedule event)",
                        target,
                    )

    def _eventBridge(self, key: str, body: Any) -> None:
        if isinstance(body, dict) and "schedule" in body and "pattern" not in body:
            self._schedule(key, {"rate": body["schedule"], **{k: v for k, v in body.items() if k != "schedule"}})
        else:
            self.conv.warn(key, "event-pattern rules have no faas trigger", f"{self.target}.triggers")

    def _s3(self, key: str, body: Any) -> None:
        target = f"{self.target}.triggers"
        spec = body if isinstance(body, dict) else {"bucket": body}
        bucket = self._bucket_name(spec.get("bucket"))
        if bucket is None:
            self.conv.warn(key, f"bucket {spec.get('bucket')!r} cannot be named offline; no trigger written", target)
            return
        names = spec.get("event", "s3:ObjectCreated:*")
        events, unmapped = common.storage_events(names if isinstance(names, list) else [names])
        storage: dict[str, Any] = {"bucket": bucket, "events": events or ["created"]}
        for rule in spec.get("rules", []) or []:
            if isinstance(rule, dict):
                for name in ("prefix", "suffix"):
                    if name in rule:
                        storage[name] = str(rule[name])
        self.triggers.append({"storage": storage})
        notes = []
        if unmapped:
            notes.append(f"{', '.join(unmapped)} have no faas counterpart")
        if not spec.get("existing"):
            notes.append(
                "Serverless created this bucket (no existing: true); faas triggers need it to exist: create it first"
            )
        extras = sorted(set(spec) - {"bucket", "event", "rules", "existing", "forceDeploy"})
        if extras:
            notes.append(f"{', '.join(extras)} not imported")
        if notes:
            self.conv.warn(key, f"storage bucket {bucket}; " + "; ".join(notes), target)
        else:
            self.conv.mapped(key, target, f"storage bucket {bucket}")

    def _bucket_name(self, bucket: Any) -> str | None:
        if isinstance(bucket, dict) and "Ref" in bucket:
            resource = self.owner.resources.get(str(bucket["Ref"]), {})
            name = resource.get("Properties", {}).get("BucketName") if isinstance(resource, dict) else None
            return str(name) if isinstance(name, str) and not has_reference(name) else None
        if isinstance(bucket, str) and bucket and not has_reference(bucket):
            return bucket
        return None

    def _sns(self, key: str, body: Any) -> None:
        target = f"{self.target}.triggers"
        spec = body if isinstance(body, dict) else {"arn": body}
        name = common.topic_name(spec.get("topicName")) or common.topic_name(spec.get("arn"))
        if name is None:
            self.conv.warn(
                key, f"topic {spec.get('arn') or spec.get('topicName')!r} cannot be named offline; no trigger", target
            )
            return
        self.triggers.append({"topic": name})
        notes = [common.TOPIC_ON_AWS]
        if not str(spec.get("arn", "")).startswith("arn:"):
            notes.append("Serverless created this topic; faas triggers need it to exist: create it")
        extras = sorted(set(spec) - {"arn", "topicName", "displayName"})
        if extras:
            notes.append(f"{', '.join(extras)} not imported")
        self.conv.warn(key, f"topic {name}; " + "; ".join(notes), target)

    def _sqs(self, key: str, body: Any) -> None:
        target = f"{self.target}.triggers"
        spec = body if isinstance(body, dict) else {"arn": body}
        if spec.get("enabled", True) is False:
            self.conv.warn(key, "disabled in Serverless (enabled: false): not written", target)
            return
        name, generated = self._queue_name(spec.get("arn"))
        if name is None:
            self.conv.warn(
                key,
                f"queue {spec.get('arn')!r} cannot be named offline (an import from another stack?); "
                "no trigger written",
                target,
            )
            return
        batch, problem = clamp(spec.get("batchSize", 10), QUEUE_BATCH_RANGE, "batchSize")
        queue: dict[str, Any] = {"name": name}
        if batch is not None and batch != 10:
            queue["batch_size"] = batch
        self.triggers.append({"queue": queue})
        notes = [problem] if problem else []
        if generated:
            notes.append(
                f"the queue's name is generated by CloudFormation; faas expects an existing queue: create "
                f"one named {name}"
            )
        extras = sorted(set(spec) & _SQS_EXTRAS) + sorted(set(spec) - _SQS_EXTRAS - {"arn", "batchSize", "enabled"})
        if extras:
            notes.append(f"{', '.join(extras)} not imported")
        if notes:
            self.conv.warn(key, f"queue {name}; " + "; ".join(notes), target)
        else:
            self.conv.mapped(key, target, f"queue {name}")

    def _queue_name(self, arn: Any) -> tuple[str | None, bool]:
        if isinstance(arn, dict) and "Fn::GetAtt" in arn:
            logical = arn["Fn::GetAtt"][0] if isinstance(arn["Fn::GetAtt"], list) else str(arn["Fn::GetAtt"])
            resource = self.owner.resources.get(str(logical), {})
            properties = resource.get("Properties", {}) if isinstance(resource, dict) else {}
            name = properties.get("QueueName") if isinstance(properties, dict) else None
            if isinstance(name, str) and not has_reference(name):
                return name, False
            return f"{self.conv.service}-{self.conv.stage}-{logical}".lower(), True
        if isinstance(arn, dict) and "Fn::Sub" in arn and isinstance(arn["Fn::Sub"], str):
            arn = arn["Fn::Sub"]
        if isinstance(arn, str):
            tail = arn.rsplit(":", 1)[-1]
            if tail and "$" not in tail and "\x00" not in tail:
                return tail, False
        return None, False
