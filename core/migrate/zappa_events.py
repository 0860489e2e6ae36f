"""Zappa `events[]`: schedules (`expression` / `expressions`) and `event_source` ARNs, one function per callable.

Zappa runs every event in the app's own Lambda, so each function gets the app's memory, timeout
and environment, written out where it gets them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faas.core.migrate import common
from faas.core.migrate.cron import NotPortable, convert_schedule
from faas.core.migrate.values import QUEUE_BATCH_RANGE, clamp, dotted_entry, function_name

if TYPE_CHECKING:
    from faas.core.migrate.zappa import _StageConverter

_KNOWN = {"function", "expression", "expressions", "event_source", "name", "description", "enabled", "kwargs"}


class EventConverter:
    def __init__(
        self, conv: _StageConverter, origin: str, environment: dict[str, str], memory: int | None, timeout: int | None
    ) -> None:
        self.conv = conv
        self.origin = origin
        self.environment = environment
        self.memory = memory
        self.timeout = timeout
        self.functions: dict[str, dict[str, Any]] = {}
        self.taken: set[str] = set()

    def convert(self, events: list[Any]) -> list[dict[str, Any]]:
        for index, event in enumerate(events):
            self._event(f"{self.origin}.events[{index}]", event)
        return list(self.functions.values())

    def _function(self, entry: str) -> dict[str, Any]:
        if entry not in self.functions:
            function: dict[str, Any] = {"name": function_name(entry.rsplit(":", 1)[-1], self.taken), "entry": entry}
            if self.memory is not None:
                function["memory"] = self.memory
            if self.timeout is not None:
                function["timeout"] = self.timeout
            if self.environment:
                function["environment"] = dict(self.environment)
            function["triggers"] = []
            self.functions[entry] = function
        return self.functions[entry]

    def _event(self, key: str, event: Any) -> None:
        report, stage = self.conv.report, self.conv.target_stage
        if not isinstance(event, dict):
            report.warn(key, "an event must be a table; ignored", stage=stage)
            return
        entry = dotted_entry(str(event.get("function", "")))
        if entry is None:
            report.warn(
                key, f"function '{event.get('function')}' is not a dotted module.function; ignored", stage=stage
            )
            return
        function = self._function(entry)
        target = f"functions.{function['name']}.triggers"
        extras = self._extras(event)
        if event.get("enabled", True) is False:
            report.warn(
                key,
                f"disabled in Zappa (enabled: false): {function['name']} is kept without the trigger" + extras,
                target,
                stage=stage,
            )
            return
        expressions = event.get("expressions", [event["expression"]] if "expression" in event else [])
        if expressions:
            self._schedules(key, function, target, expressions, extras)
        elif "event_source" in event:
            self._source(key, function, target, event["event_source"], extras)
        else:
            report.warn(
                key, f"no expression and no event_source: {function['name']} has no trigger", target, stage=stage
            )

    def _extras(self, event: dict[str, Any]) -> str:
        notes = []
        if "kwargs" in event:
            notes.append("kwargs are not passed by faas; read them from the event or environment")
        unknown = sorted(set(event) - _KNOWN)
        if unknown:
            notes.append(f"unknown keys {', '.join(unknown)} ignored")
        return "".join(f"; {note}" for note in notes)

    def _schedules(self, key: str, function: dict[str, Any], target: str, expressions: Any, extras: str) -> None:
        report, stage = self.conv.report, self.conv.target_stage
        items = expressions if isinstance(expressions, list) else [expressions]
        converted: list[str] = []
        problems: list[str] = []
        for expression in items:
            try:
                schedule = convert_schedule(str(expression))
            except NotPortable as error:
                problems.append(str(error))
                continue
            converted.append(schedule)
            function["triggers"].append({"schedule": schedule})
        summary = ", ".join(converted)
        if problems or extras:
            kept = f"; kept: {summary}" if converted else f"; {function['name']} is kept without the trigger"
            report.warn(
                key,
                "; ".join(problems) + kept + extras if problems else f"schedule {summary}{extras}",
                target,
                stage=stage,
            )
        else:
            report.mapped(key, target, f"schedule {summary}", stage=stage)

    def _source(self, key: str, function: dict[str, Any], target: str, source: Any, extras: str) -> None:
        report, stage = self.conv.report, self.conv.target_stage
        arn = str(source.get("arn", "")) if isinstance(source, dict) else ""
        service = common.arn_service(arn)
        if service is None:
            report.warn(
                key,
                f"event_source.arn '{arn}' is not an ARN (a placeholder?); {function['name']} is kept "
                "without the trigger" + extras,
                target,
                stage=stage,
            )
            return
        kind, name = service
        assert isinstance(source, dict)
        if kind == "s3":
            self._bucket(key, function, target, name, source=source, extras=extras)
        elif kind == "sqs":
            batch, problem = clamp(source.get("batch_size", 10), QUEUE_BATCH_RANGE, "batch_size")
            queue: dict[str, Any] = {"name": name}
            if batch is not None and batch != 10:
                queue["batch_size"] = batch
            function["triggers"].append({"queue": queue})
            if problem or extras:
                report.warn(key, f"queue {name}" + (f"; {problem}" if problem else "") + extras, target, stage=stage)
            else:
                report.mapped(key, target, f"queue {name}", stage=stage)
        elif kind == "sns":
            function["triggers"].append({"topic": name})
            report.warn(key, f"topic {name}; {common.TOPIC_ON_AWS}" + extras, target, stage=stage)
        else:
            report.warn(
                key,
                f"{kind} event sources have no faas trigger; {function['name']} is kept without it" + extras,
                target,
                stage=stage,
            )

    def _bucket(
        self, key: str, function: dict[str, Any], target: str, bucket: str, *, source: dict[str, Any], extras: str
    ) -> None:
        report, stage = self.conv.report, self.conv.target_stage
        events, unmapped = common.storage_events(source.get("events", ["s3:ObjectCreated:*"]))
        storage: dict[str, Any] = {"bucket": bucket, "events": events or ["created"]}
        for item in source.get("key_filters", []) or []:
            if isinstance(item, dict) and item.get("type") in ("prefix", "suffix"):
                storage[str(item["type"])] = str(item.get("value", ""))
        function["triggers"].append({"storage": storage})
        notes = f"; {', '.join(unmapped)} have no faas counterpart" if unmapped else ""
        if notes or extras:
            report.warn(key, f"storage bucket {bucket}{notes}{extras}", target, stage=stage)
        else:
            report.mapped(key, target, f"storage bucket {bucket}", stage=stage)
