"""Builders for platform events: ``make_v1_event(**overrides)`` and friends.

Each returns a realistic event (shaped like the official samples in ../shared/events) for one
request; keyword arguments replace or add top-level keys, and the convenience arguments cover
what tests vary most (path, query, headers, body, stage, host).
"""

from __future__ import annotations

import base64
import copy
from typing import Any
from urllib.parse import parse_qs

EXECUTE_API_HOST = "abc123.execute-api.eu-west-1.amazonaws.com"


def _body(body: bytes | str | None, base64_encoded: bool | None) -> tuple[str, bool]:
    if body is None:
        return "", False
    if isinstance(body, bytes):
        if base64_encoded is False:
            return body.decode("utf-8"), False
        return base64.b64encode(body).decode("ascii"), True
    if base64_encoded:
        return base64.b64encode(body.encode("utf-8")).decode("ascii"), True
    return body, False


def make_v1_event(
    method: str = "GET",
    path: str = "/",
    *,
    query: list[tuple[str, str]] | None = None,
    headers: list[tuple[str, str]] | None = None,
    body: bytes | str | None = None,
    base64_encoded: bool | None = None,
    stage: str = "prod",
    host: str = EXECUTE_API_HOST,
    source_ip: str = "203.0.113.7",
    version: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """An API Gateway REST API proxy event (``version="1.0"``: HTTP API payload 1.0)."""
    all_headers = [
        ("Host", host),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Port", "443"),
        ("X-Forwarded-For", f"{source_ip}, 130.176.0.1"),
        *(headers or []),
    ]
    multi_headers: dict[str, list[str]] = {}
    for name, value in all_headers:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for key, value in query or []:
        multi_query.setdefault(key, []).append(value)
    text, is_b64 = _body(body, base64_encoded)
    event: dict[str, Any] = {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "roq9wj",
            "stage": stage,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": source_ip, "userAgent": "pytest"},
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "domainName": host,
            "apiId": "abc123",
        },
        "body": text or None,
        "isBase64Encoded": is_b64,
    }
    if version is not None:
        event["version"] = version
    event.update(overrides)
    return event


def make_v2_event(
    method: str = "GET",
    path: str = "/",
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    body: bytes | str | None = None,
    base64_encoded: bool | None = None,
    stage: str = "$default",
    host: str = EXECUTE_API_HOST,
    source_ip: str = "203.0.113.7",
    **overrides: Any,
) -> dict[str, Any]:
    """An API Gateway HTTP API payload 2.0 event (``rawPath`` decoded, as AWS sends it)."""
    all_headers = {
        "host": host,
        "x-forwarded-proto": "https",
        "x-forwarded-port": "443",
        "x-forwarded-for": source_ip,
        **(headers or {}),
    }
    text, is_b64 = _body(body, base64_encoded)
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": all_headers,
        "queryStringParameters": {k: ",".join(v) for k, v in parse_qs(query).items()} or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": "pytest",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": stage,
            "time": "10/Mar/2020:05:16:23 +0000",
            "timeEpoch": 1583817383220,
        },
        "isBase64Encoded": is_b64,
    }
    if cookies:
        event["cookies"] = cookies
    if text:
        event["body"] = text
    event.update(overrides)
    return event


def make_function_url_event(
    method: str = "GET",
    path: str = "/",
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    body: bytes | str | None = None,
    base64_encoded: bool | None = None,
    host: str = "abcdefg.lambda-url.eu-west-1.on.aws",
    source_ip: str = "203.0.113.7",
    **overrides: Any,
) -> dict[str, Any]:
    """A Lambda Function URL event (payload 2.0, ``rawPath`` percent-encoded, no stage)."""
    event = make_v2_event(
        method,
        path,
        query=query,
        headers=headers,
        cookies=cookies,
        body=body,
        base64_encoded=base64_encoded,
        host=host,
        source_ip=source_ip,
    )
    del event["routeKey"]
    context = event["requestContext"]
    del context["routeKey"], context["stage"]
    event.update(overrides)
    return event


def make_alb_event(
    method: str = "GET",
    path: str = "/",
    *,
    query: list[tuple[str, str]] | None = None,
    headers: list[tuple[str, str]] | None = None,
    body: bytes | str | None = None,
    base64_encoded: bool | None = None,
    multi_value: bool = False,
    host: str = "my-alb-123456.eu-west-1.elb.amazonaws.com",
    client_ip: str = "198.51.100.9",
    **overrides: Any,
) -> dict[str, Any]:
    """An ALB Lambda-target event; ``query`` pairs are raw (ALB does not decode them)."""
    all_headers = [
        ("host", host),
        ("x-forwarded-proto", "http"),
        ("x-forwarded-port", "80"),
        ("x-forwarded-for", client_ip),
        *(headers or []),
    ]
    text, is_b64 = _body(body, base64_encoded)
    event: dict[str, Any] = {
        "requestContext": {
            "elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/faas/abcdef"}
        },
        "httpMethod": method,
        "path": path,
        "body": text,
        "isBase64Encoded": is_b64,
    }
    if multi_value:
        multi_headers: dict[str, list[str]] = {}
        for name, value in all_headers:
            multi_headers.setdefault(name, []).append(value)
        multi_query: dict[str, list[str]] = {}
        for key, value in query or []:
            multi_query.setdefault(key, []).append(value)
        event["multiValueHeaders"] = multi_headers
        event["multiValueQueryStringParameters"] = multi_query
    else:
        event["headers"] = dict(all_headers)
        event["queryStringParameters"] = dict(query or [])
    event.update(overrides)
    return event


def make_s3_event(bucket: str = "uploads", key: str = "img/cat.jpg", name: str = "ObjectCreated:Put") -> dict[str, Any]:
    """An S3 notification with one record (the key URL-encoded, as S3 sends it)."""
    from urllib.parse import quote_plus

    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "eu-west-1",
                "eventTime": "2026-01-01T00:00:00.000Z",
                "eventName": name,
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(key, safe="/"), "size": 1024},
                },
            }
        ]
    }


def make_sqs_event(queue: str = "thumbnails", body: str = "hello") -> dict[str, Any]:
    """An SQS batch with one message."""
    return {
        "Records": [
            {
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                "receiptHandle": "AQEB",
                "body": body,
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "x",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:eu-west-1:123456789012:{queue}",
                "awsRegion": "eu-west-1",
            }
        ]
    }


def make_sns_event(topic: str = "alerts", message: str = "hi") -> dict[str, Any]:
    """An SNS notification with one record."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "Sns": {
                    "Type": "Notification",
                    "TopicArn": f"arn:aws:sns:eu-west-1:123456789012:{topic}",
                    "Message": message,
                    "MessageId": "95df01b4",
                },
            }
        ]
    }


def make_schedule_event(rule: str = "bestpuppers-dev-nightly-report-0") -> dict[str, Any]:
    """An EventBridge scheduled event."""
    return {
        "version": "0",
        "id": "cdc73f9d",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": "eu-west-1",
        "resources": [f"arn:aws:events:eu-west-1:123456789012:rule/{rule}"],
        "detail": {},
    }


def with_deep_copy(event: dict[str, Any]) -> dict[str, Any]:
    """A copy a test may mutate freely."""
    return copy.deepcopy(event)
