"""Eventarc delivery: Cloud Storage object events and Pub/Sub messages to the functions whose trigger matches.

What Google documents and the fake does: when an object is finalized (a new object or a new
generation) or deleted, every ACTIVE function whose `eventTrigger` has that event type and whose
event filters all match (the `bucket` attribute) is called over HTTP, asynchronously, in CloudEvents
binary mode: `ce-specversion`, `ce-type`, `ce-source` (`//storage.googleapis.com/projects/_/buckets/B`),
`ce-subject` (`objects/NAME`), `ce-id`, `ce-time` and the `ce-bucket` extension, the object's JSON
resource as the body. The call carries an ID token of the trigger's service account with the
service's URI as audience, so the front door's run.invoker check decides, as it does on Cloud Run.
A message published to a Pub/Sub topic goes to every function whose trigger is
`google.cloud.pubsub.topic.v1.messagePublished` on that `pubsubTopic`: `ce-source`
`//pubsub.googleapis.com/projects/P/topics/T`, `ce-id` the message id, and the push body
`{"message": {data, attributes, messageId, publishTime, ...}, "subscription": ...}`.
RETRY_POLICY_DO_NOT_RETRY delivers once; RETRY_POLICY_RETRY tries again on a failed answer (a few
times here, for up to 7 days there).
"""

from __future__ import annotations

import copy
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .auth import Identity
from .functions_api import FunctionsState
from .operations import now

STORAGE_SOURCE = "//storage.googleapis.com/projects/_/buckets/"
PUBSUB_SOURCE = "//pubsub.googleapis.com/"
PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"
RETRIES = 3
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Delivery:
    """One attempt to deliver an event to a function."""

    function: str
    event_type: str
    uri: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None
    error: str | None = None


@dataclass
class Eventarc:
    functions: FunctionsState
    identity: Identity
    lock: Any
    deliveries: list[Delivery] = field(default_factory=list)
    _delivered: threading.Condition = field(default_factory=threading.Condition)

    def forget(self) -> None:
        with self._delivered:
            self.deliveries.clear()

    def wait_for_deliveries(self, count: int, timeout: float = 30) -> list[Delivery]:
        """The first `count` delivery attempts, once there are that many (fewer after `timeout`)."""
        with self._delivered:
            self._delivered.wait_for(lambda: len(self.deliveries) >= count, timeout=timeout)
            return list(self.deliveries)

    def object_event(self, kind: str, bucket: str, resource: dict[str, Any]) -> None:
        """An object was `finalized` or `deleted` in `bucket` (the storage front saw it)."""
        event_type = f"google.cloud.storage.object.v1.{kind}"
        attributes = {"bucket": bucket}
        with self.lock:
            targets = [
                (name, copy.deepcopy(function))
                for name, function in sorted(self.functions.functions.items())
                if function.get("state") == "ACTIVE" and _matches(function.get("eventTrigger"), event_type, attributes)
            ]
        headers = {
            "ce-specversion": "1.0",
            "ce-type": event_type,
            "ce-source": STORAGE_SOURCE + bucket,
            "ce-subject": f"objects/{resource.get('name', '')}",
            "ce-id": str(uuid.uuid4().int % 10**16),
            "ce-time": resource.get("updated") or resource.get("timeCreated") or now(),
            "ce-bucket": bucket,
            "content-type": "application/json; charset=utf-8",
        }
        body = json.dumps(resource).encode()
        for name, function in targets:
            threading.Thread(target=self._deliver, args=(name, function, dict(headers), body), daemon=True).start()

    def message_published(self, topic: str, message: dict[str, Any]) -> None:
        """`message` was published to `topic` (`projects/P/topics/T`): push it to each function triggered by it."""
        with self.lock:
            targets = [
                (name, copy.deepcopy(function))
                for name, function in sorted(self.functions.functions.items())
                if function.get("state") == "ACTIVE"
                and (function.get("eventTrigger") or {}).get("eventType") == PUBSUB_EVENT
                and function["eventTrigger"].get("pubsubTopic") == topic
            ]
        headers = {
            "ce-specversion": "1.0",
            "ce-type": PUBSUB_EVENT,
            "ce-source": PUBSUB_SOURCE + topic,
            "ce-id": message["messageId"],
            "ce-time": message["publishTime"],
            "content-type": "application/json; charset=utf-8",
        }
        pushed = {
            "attributes": message.get("attributes", {}),
            "data": message.get("data", ""),
            "messageId": message["messageId"],
            "message_id": message["messageId"],
            "publishTime": message["publishTime"],
            "publish_time": message["publishTime"],
        }
        for name, function in targets:
            trigger_id = function["eventTrigger"].get("trigger", "").rpartition("/")[2]
            subscription = f"projects/{self.functions.project}/subscriptions/eventarc-{trigger_id}-sub-000"
            body = json.dumps({"message": pushed, "subscription": subscription}).encode()
            threading.Thread(target=self._deliver, args=(name, function, dict(headers), body), daemon=True).start()

    def _deliver(self, name: str, function: dict[str, Any], headers: dict[str, str], body: bytes) -> None:
        trigger = function["eventTrigger"]
        uri = function["serviceConfig"]["uri"]
        attempts = RETRIES if trigger.get("retryPolicy") == "RETRY_POLICY_RETRY" else 1
        for attempt in range(attempts):
            sent = dict(headers)
            token = self.identity.id_token(trigger["serviceAccountEmail"], uri)
            sent["authorization"] = f"Bearer {token}"
            delivery = Delivery(name, trigger["eventType"], uri, sent, body)
            if urlsplit(uri).hostname not in _LOOPBACK:
                delivery.error = "the fake delivers events only to loopback addresses"
            else:
                request = urllib.request.Request(uri, data=body, method="POST", headers=sent)
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        delivery.status = response.status
                except urllib.error.HTTPError as exc:
                    delivery.status = exc.code
                except OSError as exc:
                    delivery.error = str(exc)
            with self._delivered:
                self.deliveries.append(delivery)
                self._delivered.notify_all()
            if delivery.status is not None and delivery.status < 300:
                return
            if attempt + 1 < attempts:
                time.sleep(0.5 * 2**attempt)


def _matches(trigger: dict[str, Any] | None, event_type: str, attributes: dict[str, str]) -> bool:
    if not trigger or trigger.get("eventType") != event_type:
        return False
    for event_filter in trigger.get("eventFilters", []):
        # Only equality is applied; a path pattern (`match-path-pattern`) is not served, so it never matches.
        if event_filter.get("operator") or attributes.get(event_filter.get("attribute", "")) != event_filter.get(
            "value"
        ):
            return False
    return True
