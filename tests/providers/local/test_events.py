"""Named sample events are what each platform sends: faas's own adapters recognise them."""

from __future__ import annotations

import pytest

from faas.adapters.aws import detect_http_source
from faas.adapters.aws.triggers import classify as classify_aws
from faas.adapters.gcp import classify as classify_gcp
from faas.core.errors import UsageError
from faas.providers.local.events import default_event, event_names


@pytest.mark.parametrize(
    ("name", "kind", "source"),
    [
        ("s3-put", "storage", "uploads"),
        ("s3-delete", "storage", "uploads"),
        ("sqs", "queue", "thumbnails"),
        ("sns", "topic", "notifications"),
        ("schedule", "schedule", "faas-local-schedule"),
    ],
)
def test_aws_trigger_events(name, kind, source):
    found = classify_aws(default_event(name, "aws"))
    assert found is not None
    assert (found.kind, found.name) == (kind, source)


def test_aws_s3_put_and_delete_actions():
    assert classify_aws(default_event("s3-put", "aws")).action == "created"
    assert classify_aws(default_event("s3-delete", "aws")).action == "deleted"


@pytest.mark.parametrize("name", ["apigw-v2", "apigw-v1", "function-url"])
def test_aws_http_events(name):
    assert detect_http_source(default_event(name, "aws")) is not None


@pytest.mark.parametrize(("name", "kind"), [("s3-put", "storage"), ("pubsub", "topic"), ("schedule", "schedule")])
def test_gcp_cloud_events(name, kind):
    found = classify_gcp(default_event(name, "gcp"))
    assert found is not None and found.kind == kind


def test_events_are_fresh_each_time():
    assert (
        default_event("sqs", "aws")["Records"][0]["messageId"] != default_event("sqs", "aws")["Records"][0]["messageId"]
    )


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UsageError, match=r"known: .*s3-put"):
        default_event("kinesis", "aws")
    assert "apigw-v2" not in event_names("gcp")
