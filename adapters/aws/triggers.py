"""Recognise AWS non-HTTP events: EventBridge schedules, S3, SQS and SNS."""

from __future__ import annotations

from urllib.parse import unquote_plus

from faas.adapters.dispatch import EventSource

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at import; annotations are strings
    from typing import Any

__all__ = ["classify"]


def _arn_name(arn: Any) -> str:
    """The resource name at the end of an ARN (``...:queue`` or ``...:rule/name``)."""
    if not isinstance(arn, str):
        return ""
    return arn.rpartition(":")[2].rpartition("/")[2]


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def classify(event: Any) -> EventSource | None:
    """The :class:`EventSource` an AWS event describes, or None if it is none of these.

    Records of one invocation come from one notification or event-source mapping, so the first
    record names the source for the whole batch.
    """
    if not isinstance(event, dict):
        return None
    if event.get("source") == "aws.events" or event.get("detail-type") == "Scheduled Event":
        resources = event.get("resources")
        rule = _arn_name(resources[0]) if isinstance(resources, list) and resources else ""
        return EventSource("schedule", rule)
    records = event.get("Records")
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return None
    record = records[0]
    origin = record.get("eventSource") or record.get("EventSource")
    if origin == "aws:s3":
        s3 = _as_dict(record.get("s3"))
        bucket = _as_dict(s3.get("bucket")).get("name", "")
        key = _as_dict(s3.get("object")).get("key", "")
        name = record.get("eventName", "")
        action = "deleted" if isinstance(name, str) and name.startswith("ObjectRemoved") else "created"
        # S3 URL-encodes keys in notifications (spaces as "+"); prefixes are plain text.
        return EventSource("storage", str(bucket), unquote_plus(key) if isinstance(key, str) else "", action)
    if origin == "aws:sqs":
        return EventSource("queue", _arn_name(record.get("eventSourceARN")))
    if origin == "aws:sns":
        sns = record.get("Sns")
        return EventSource("topic", _arn_name(sns.get("TopicArn") if isinstance(sns, dict) else ""))
    return None
