"""Named sample events, built by code (`faas invoke --event s3-put`), in each platform's own shape.

A user's install has no copy of the official samples, so these follow the documented formats:
AWS (S3, SQS, SNS, EventBridge, API Gateway v1/v2, Function URL), Google CloudEvents (Cloud
Storage, Pub/Sub, Cloud Scheduler) and the events faas's Azure triggers hand to functions.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from faas import UsageError

ACCOUNT = "000000000000"
REGION = "us-east-1"
EVENT_NAMES = ("apigw-v2", "apigw-v1", "function-url", "s3-put", "s3-delete", "sqs", "sns", "schedule", "pubsub")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _aws_s3(action: str, bucket: str = "uploads", key: str = "img/photo.jpg") -> dict[str, Any]:
    name = "ObjectCreated:Put" if action == "created" else "ObjectRemoved:Delete"
    obj: dict[str, Any] = {"key": key, "sequencer": "0A1B2C3D4E5F678901"}
    if action == "created":
        obj.update(size=1024, eTag="0123456789abcdef0123456789abcdef")
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": _now(),
                "eventName": name,
                "userIdentity": {"principalId": "EXAMPLE"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {"x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE123/abcdefgh"},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "faas-local",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "EXAMPLE"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": obj,
                },
            }
        ]
    }


def _aws_sqs(queue: str = "thumbnails", body: str = "Hello from SQS!") -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "MessageReceiptHandle",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1523232000000",
                    "SenderId": ACCOUNT,
                    "ApproximateFirstReceiveTimestamp": "1523232000001",
                },
                "messageAttributes": {},
                "md5OfBody": "7b270e59b47ff90a553787216d55d91d",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}",
                "awsRegion": REGION,
            }
        ]
    }


def _aws_sns(topic: str = "notifications", message: str = "Hello from SNS!") -> dict[str, Any]:
    arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{topic}"
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSource": "aws:sns",
                "EventSubscriptionArn": f"{arn}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": arn,
                    "Subject": "faas",
                    "Message": message,
                    "Timestamp": _now(),
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "EXAMPLE",
                    "UnsubscribeUrl": "EXAMPLE",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def _aws_schedule(rule: str = "faas-local-schedule") -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": _now()[:19] + "Z",
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{rule}"],
        "detail": {},
    }


def _aws_http(kind: str) -> dict[str, Any]:
    # Built by the gateway's own code, so a sample is exactly what a GET / through it would send.
    from faas.providers.local.gateway import aws
    from faas.providers.local.gateway.request import GatewayRequest

    request = GatewayRequest(
        "GET",
        "/",
        "",
        [("Host", "localhost"), ("User-Agent", "faas-invoke")],
        b"",
        "127.0.0.1",
        "localhost",
        443,
        str(uuid.uuid4()),
    )
    if kind == "apigw-v1":
        return aws.rest_api_event(request, "dev", "/")
    return aws.http_api_event(request, function_url=kind == "function-url", region=REGION)


def _cloud_event(kind: str, source: str, subject: str | None, data: Any) -> dict[str, Any]:
    event = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "type": kind,
        "source": source,
        "time": _now(),
        "datacontenttype": "application/json",
        "data": data,
    }
    if subject is not None:
        event["subject"] = subject
    return event


def _gcp_storage(action: str, bucket: str = "uploads", key: str = "img/photo.jpg") -> dict[str, Any]:
    kind = "finalized" if action == "created" else "deleted"
    data = {"bucket": bucket, "name": key, "size": "1024", "contentType": "image/jpeg", "timeCreated": _now()}
    return _cloud_event(
        f"google.cloud.storage.object.v1.{kind}",
        f"//storage.googleapis.com/projects/_/buckets/{bucket}",
        f"objects/{key}",
        data,
    )


def _gcp_pubsub(topic: str = "notifications", message: str = "Hello from Pub/Sub!") -> dict[str, Any]:
    data = {
        "message": {
            "data": base64.b64encode(message.encode()).decode(),
            "messageId": str(uuid.uuid4()),
            "publishTime": _now(),
            "attributes": {},
        },
        "subscription": f"projects/local/subscriptions/{topic}-faas",
    }
    return _cloud_event(
        "google.cloud.pubsub.topic.v1.messagePublished",
        f"//pubsub.googleapis.com/projects/local/topics/{topic}",
        None,
        data,
    )


def _gcp_schedule(job: str = "faas-local-schedule") -> dict[str, Any]:
    return _cloud_event(
        "google.cloud.scheduler.job.v1.executed",
        f"//cloudscheduler.googleapis.com/projects/local/locations/us-central1/jobs/{job}",
        None,
        {},
    )


_BUILDERS: dict[str, dict[str, Callable[[], dict[str, Any]]]] = {
    "aws": {
        "apigw-v2": lambda: _aws_http("apigw-v2"),
        "apigw-v1": lambda: _aws_http("apigw-v1"),
        "function-url": lambda: _aws_http("function-url"),
        "s3-put": lambda: _aws_s3("created"),
        "s3-delete": lambda: _aws_s3("deleted"),
        "sqs": _aws_sqs,
        "sns": _aws_sns,
        "schedule": _aws_schedule,
    },
    "gcp": {
        "s3-put": lambda: _gcp_storage("created"),
        "s3-delete": lambda: _gcp_storage("deleted"),
        "pubsub": _gcp_pubsub,
        "sns": _gcp_pubsub,
        "sqs": _gcp_pubsub,
        "schedule": _gcp_schedule,
    },
    "azure": {
        # What faas's Azure trigger functions pass to the user's function (adapters/azure.py).
        "s3-put": lambda: {
            "type": "storage",
            "bucket": "uploads",
            "key": "uploads/img/photo.jpg",
            "size": 1024,
            "uri": "http://127.0.0.1:10000/devstoreaccount1/uploads/img/photo.jpg",
            "action": "created",
        },
        "sqs": lambda: {"type": "queue", "queue": "thumbnails", "id": str(uuid.uuid4()), "body": "Hello from a queue!"},
        "schedule": lambda: {"type": "schedule", "past_due": False},
    },
}


def event_names(platform: str) -> list[str]:
    """The sample names `platform` has, in a stable order."""
    return [name for name in EVENT_NAMES if name in _BUILDERS.get(platform, {})]


def default_event(name: str, platform: str) -> dict[str, Any]:
    """A fresh sample event `name` in `platform`'s shape (new ids and times on every call)."""
    builders = _BUILDERS.get(platform, {})
    if name not in builders:
        known = ", ".join(event_names(platform)) or "none"
        raise UsageError(f"no sample event '{name}' for {platform} (known: {known}); give a JSON file instead")
    # Through JSON, so the sample is exactly what a file with it would give.
    event: dict[str, Any] = json.loads(json.dumps(builders[name]()))
    return event


def storage_event(platform: str, bucket: str, key: str, action: str) -> dict[str, Any]:
    """The notification `platform` sends for an object `action` ("created"/"deleted") in `bucket`."""
    if platform == "gcp":
        return _gcp_storage(action, bucket, key)
    if platform == "aws":
        # S3 URL-encodes keys in notifications (a space arrives as "+").
        from urllib.parse import quote_plus

        return _aws_s3(action, bucket, quote_plus(key, safe="/"))
    return {"type": "storage", "bucket": bucket, "key": f"{bucket}/{key}", "action": action}


def topic_event(platform: str, topic: str, message: str) -> dict[str, Any]:
    """The delivery of one message published to `topic`: SNS on aws, Pub/Sub on gcp, Event Grid data on azure."""
    if platform == "aws":
        return _aws_sns(topic, message)
    if platform == "gcp":
        return _gcp_pubsub(topic, message)
    return {"id": str(uuid.uuid4()), "subject": topic, "eventType": "faas.message", "data": {"message": message}}


def queue_events(platform: str, queue: str, bodies: list[str]) -> list[dict[str, Any]]:
    """The invocations delivering `bodies` from `queue`: one SQS batch on aws, one push per message on gcp."""
    if platform == "aws":
        records = [_aws_sqs(queue, body)["Records"][0] for body in bodies]
        return [{"Records": records}]
    if platform == "gcp":
        return [_gcp_pubsub(queue, body) for body in bodies]
    return [{"type": "queue", "queue": queue, "body": body} for body in bodies]
