"""Chalice decorators to faas triggers, with arguments resolved for one stage."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from faas.core.migrate import common
from faas.core.migrate.chalice_code import Decorated, Resolver, Unresolvable
from faas.core.migrate.values import QUEUE_BATCH_RANGE, clamp

if TYPE_CHECKING:
    from faas.core.migrate.chalice import _StageConverter

NO_TRIGGER = {
    "on_cw_event": "no event-pattern triggers in faas; a schedule is the nearest",
    "on_kinesis_record": "no stream triggers in faas",
    "on_dynamodb_record": "no stream triggers in faas",
}
UNSUPPORTED = {
    "route": "Chalice routes are a Lambda event router, not a WSGI/ASGI app, and faas serves HTTP only through "
    "[app]: port the routes to Flask or FastAPI (their decorators look alike) and set app.entry",
    "authorizer": "no authorizers in faas; authenticate in the app",
    "on_ws_connect": "no WebSocket APIs in faas",
    "on_ws_message": "no WebSocket APIs in faas",
    "on_ws_disconnect": "no WebSocket APIs in faas",
    "middleware": "Chalice middleware wraps Chalice handlers; faas has no counterpart",
}
_SIGNATURE = "it is called through Chalice's wrapper with a Chalice event object, as before"


class TriggerConverter:
    KINDS = frozenset({"schedule", "on_s3_event", "on_sqs_message", "on_sns_message", "lambda_function", *NO_TRIGGER})

    def __init__(self, conv: _StageConverter) -> None:
        self.conv = conv

    def unsupported(self, item: Decorated) -> None:
        reason = UNSUPPORTED.get(item.kind, f"@{item.kind} is not a Chalice decorator faas knows; ignored")
        if item.kind == "route":
            path = str(item.args[0].value) if item.args and isinstance(item.args[0], ast.Constant) else "?"
            methods = item.keywords.get("methods")
            listed = ast.unparse(methods) if methods is not None else "['GET']"
            reason = f"route {path} {listed}: {reason}"
        self.conv.report.warn(item.key, reason, "app", stage=self.conv.stage)

    def add(self, item: Decorated, function: dict[str, Any]) -> None:
        conv = self.conv
        target = f"functions.{function['name']}.triggers"
        resolver = Resolver(function.get("environment", {}))
        if item.kind in NO_TRIGGER:
            conv.report.warn(
                item.key,
                f"{NO_TRIGGER[item.kind]}; {function['name']} is kept without the trigger",
                target,
                stage=conv.stage,
            )
            return
        if item.kind == "lambda_function":
            conv.report.mapped(
                item.key,
                f"functions.{function['name']}",
                "a function without triggers (faas invoke calls it)",
                stage=conv.stage,
            )
            return
        try:
            trigger, notes = self._trigger(item, resolver, target)
        except Unresolvable as error:
            conv.report.warn(
                item.key, f"{error}; {function['name']} is kept without the trigger", target, stage=conv.stage
            )
            return
        if trigger is None:
            return
        function["triggers"].append(trigger)
        summary = next(iter(trigger.values()))
        if isinstance(summary, str):
            # The schedule's own entry is written by common.schedule; add what the handler needs to know.
            conv.report.add(item.key, "mapped", target, _SIGNATURE, stage=conv.stage)
            return
        label = (
            f"bucket {summary['bucket']}"
            if "bucket" in summary
            else f"topic {summary['name']}"
            if "topic" in trigger
            else f"queue {summary['name']}"
        )
        if notes:
            conv.report.warn(item.key, f"{label}; " + "; ".join(notes), target, stage=conv.stage)
        else:
            conv.report.mapped(item.key, target, f"{label}; {_SIGNATURE}", stage=conv.stage)

    def _argument(self, item: Decorated, resolver: Resolver, position: int, name: str, default: Any = None) -> Any:
        node = item.args[position] if len(item.args) > position else item.keywords.get(name)
        return default if node is None else resolver.value(node, item.scope)

    def _trigger(self, item: Decorated, resolver: Resolver, target: str) -> tuple[dict[str, Any] | None, list[str]]:
        if item.kind == "schedule":
            expression = self._argument(item, resolver, 0, "expression")
            schedule = common.schedule(self.conv.report, item.key, expression, stage=self.conv.stage, target=target)
            return ({"schedule": schedule} if schedule else None), []
        if item.kind == "on_s3_event":
            bucket = self._argument(item, resolver, 0, "bucket")
            names = self._argument(item, resolver, 1, "events", ["s3:ObjectCreated:*"])
            events, unmapped = common.storage_events(names if isinstance(names, list) else [names])
            storage: dict[str, Any] = {"bucket": str(bucket), "events": events or ["created"]}
            for position, key in ((2, "prefix"), (3, "suffix")):
                value = self._argument(item, resolver, position, key)
                if value:
                    storage[key] = str(value)
            notes = [f"{', '.join(unmapped)} have no faas counterpart"] if unmapped else []
            return {"storage": storage}, notes
        if item.kind == "on_sns_message":
            topic = common.topic_name(self._argument(item, resolver, 0, "topic"))
            if topic is None:
                raise Unresolvable("on_sns_message names no topic faas can read offline")
            return {"topic": {"name": topic}}, [common.TOPIC_ON_AWS]
        queue = self._argument(item, resolver, 0, "queue")
        arn = item.keywords.get("queue_arn")
        if queue is None and arn is not None:
            service = common.arn_service(str(resolver.value(arn, item.scope)))
            queue = service[1] if service else None
        if queue is None:
            raise Unresolvable("on_sqs_message has neither queue nor queue_arn")
        batch, problem = clamp(self._argument(item, resolver, 1, "batch_size", 1), QUEUE_BATCH_RANGE, "batch_size")
        # Chalice's default batch size is 1, faas's 10: written out so the function sees what it saw.
        notes = [problem] if problem else []
        if "maximum_batching_window_in_seconds" in item.keywords:
            notes.append("maximum_batching_window_in_seconds is not imported")
        return {"queue": {"name": str(queue), "batch_size": batch or 1}}, notes
