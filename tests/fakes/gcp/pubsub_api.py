"""Pub/Sub v1: topics (create, get, list, delete) and publish, each message handed to Eventarc.

What Google documents and the fake does: a topic id is 3-255 characters, starts with a letter and
holds letters, digits and `-_.~+%`, and may not start with `goog`; a second create is 409
ALREADY_EXISTS; get, delete and publish of a topic that does not exist are 404 NOT_FOUND; a publish
needs at least one message, each with `data` (base64) or an attribute, and answers one
`messageIds` entry per message, in order. Every published message is handed to `on_publish(topic,
message)` with the server's `messageId` and `publishTime` filled in (`eventarc.py` delivers it).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .discovery import Api
from .errors import GoogleError, already_exists, invalid_argument, not_found
from .listing import page
from .operations import now
from .server import Handler, Request, Service

TOPIC_ID = re.compile(r"^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$")


@dataclass
class PubsubState:
    project: str
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)
    on_publish: Callable[[str, dict[str, Any]], None] | None = None
    _ids: Any = field(default_factory=lambda: itertools.count(10**15))

    def topic(self, name: str) -> dict[str, Any]:
        found = self.topics.get(name)
        if found is None:
            raise not_found(name)
        return found

    def forget(self) -> None:
        self.topics.clear()


def _check_name(name: str, project: str) -> None:
    parent, _, topic_id = name.rpartition("/topics/")
    if parent.removeprefix("projects/") != project:
        raise GoogleError("PERMISSION_DENIED", f"User not authorized to perform this action on {name}.")
    if not TOPIC_ID.match(topic_id) or topic_id.lower().startswith("goog"):
        raise invalid_argument(f"Invalid [topics] name: ({name})", field_path="name")


def build(state: PubsubState) -> Service:
    api = Api("pubsub.v1")
    prefix = "pubsub.projects.topics."

    def create(req: Request) -> Any:
        name = req.param("name")
        _check_name(name, state.project)
        if name in state.topics:
            raise already_exists(name)
        topic = {**{k: v for k, v in req.body.items() if k != "name"}, "name": name, "state": "ACTIVE"}
        state.topics[name] = topic
        return topic

    def delete(req: Request) -> Any:
        state.topic(req.param("topic"))
        del state.topics[req.param("topic")]
        return {}

    def list_topics(req: Request) -> Any:
        parent = req.param("project") + "/topics/"
        return page([t for n, t in sorted(state.topics.items()) if n.startswith(parent)], req.match.query, "topics")

    def publish(req: Request) -> Any:
        name = req.param("topic")
        state.topic(name)
        messages = req.body.get("messages") or []
        if not messages:
            raise invalid_argument("The request contains no messages.", field_path="messages")
        published = []
        for index, message in enumerate(messages):
            data = message.get("data", "")
            try:
                base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise invalid_argument("Invalid data: not base64.", field_path=f"messages[{index}].data") from None
            if not data and not message.get("attributes"):
                raise invalid_argument(
                    "Some messages are empty: a message needs data or at least one attribute.",
                    field_path=f"messages[{index}]",
                )
            published.append({**message, "messageId": str(next(state._ids)), "publishTime": now()})
        if state.on_publish is not None:
            for message in published:
                state.on_publish(name, message)
        return {"messageIds": [m["messageId"] for m in published]}

    handlers: dict[str, Handler] = {
        prefix + "create": create,
        prefix + "get": lambda req: state.topic(req.param("topic")),
        prefix + "list": list_topics,
        prefix + "delete": delete,
        prefix + "publish": publish,
    }
    return Service("pubsub", api, handlers)
