# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Pub/Sub v1 on the fake through googleapiclient: topics, publish, and what a publish hands Eventarc."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from .fake import GcpFake
from .test_iam import service, status


def topics(fake: GcpFake) -> Any:
    return service(fake, "pubsub", "v1").projects().topics()


def new_topic(fake: GcpFake, topic_id: str) -> str:
    name = f"projects/{fake.project}/topics/{topic_id}"
    topics(fake).create(name=name, body={"name": name}).execute()
    return name


def test_create_get_list_delete_a_topic(gcp_fake: GcpFake) -> None:
    name = new_topic(gcp_fake, "alerts")
    client = topics(gcp_fake)
    assert client.get(topic=name).execute()["name"] == name
    listed = client.list(project=f"projects/{gcp_fake.project}").execute()["topics"]
    assert [t["name"] for t in listed] == [name]
    with pytest.raises(HttpError) as again:
        client.create(name=name, body={"name": name}).execute()
    assert status(again) == (409, "ALREADY_EXISTS")
    client.delete(topic=name).execute()
    with pytest.raises(HttpError) as gone:
        client.get(topic=name).execute()
    assert status(gone) == (404, "NOT_FOUND")


@pytest.mark.parametrize("topic_id", ["ab", "9lives", "goog-topic"])
def test_a_topic_id_outside_the_rules_is_refused(gcp_fake: GcpFake, topic_id: str) -> None:
    name = f"projects/{gcp_fake.project}/topics/{topic_id}"
    with pytest.raises(HttpError) as refused:
        topics(gcp_fake).create(name=name, body={"name": name}).execute()
    assert status(refused) == (400, "INVALID_ARGUMENT")


def test_publish_answers_one_id_per_message_and_hands_each_to_eventarc(gcp_fake: GcpFake) -> None:
    name = new_topic(gcp_fake, "alerts")
    seen: list[tuple[str, dict[str, Any]]] = []
    gcp_fake.pubsub.on_publish = lambda topic, message: seen.append((topic, message))
    try:
        body = {"messages": [{"data": base64.b64encode(b"one").decode()}, {"attributes": {"k": "v"}}]}
        ids = topics(gcp_fake).publish(topic=name, body=body).execute()["messageIds"]
    finally:
        gcp_fake.pubsub.on_publish = gcp_fake.eventarc.message_published
    assert len(set(ids)) == 2
    assert [(t, m["messageId"]) for t, m in seen] == [(name, ids[0]), (name, ids[1])]
    assert all(m["publishTime"].endswith("Z") for _, m in seen)


def test_publish_refuses_no_message_an_empty_one_and_a_missing_topic(gcp_fake: GcpFake) -> None:
    name = new_topic(gcp_fake, "alerts")
    client = topics(gcp_fake)
    bodies: list[dict[str, Any]] = [{"messages": []}, {"messages": [{}]}]
    for body in bodies:
        with pytest.raises(HttpError) as refused:
            client.publish(topic=name, body=body).execute()
        assert status(refused) == (400, "INVALID_ARGUMENT")
    with pytest.raises(HttpError) as missing:
        client.publish(topic=f"{name}-gone", body={"messages": [{"data": "eA=="}]}).execute()
    assert status(missing) == (404, "NOT_FOUND")
