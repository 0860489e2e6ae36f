"""Triggers of plain functions: a schedule, a storage event or a queue.

In TOML each trigger is a one-key table, the key naming its kind:
`{ schedule = "rate(4 hours)" }`, `{ storage = { bucket = "uploads", events = ["created"] } }`,
`{ queue = "thumbnails" }`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
)

from faas.core.model.base import FaasModel
from faas.core.model.schedule import Schedule, ScheduleError, parse_schedule


def _to_schedule(value: object) -> Schedule:
    if isinstance(value, Schedule):
        return value
    if not isinstance(value, str):
        raise ValueError("a schedule is a string: rate(N minutes|hours|days) or cron(...)")
    try:
        return parse_schedule(value)
    except ScheduleError as error:
        raise ValueError(str(error)) from None


ScheduleExpression = Annotated[
    Schedule,
    BeforeValidator(_to_schedule),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "rate(N minutes|hours|days), cron(m h dom mon dow) or AWS cron(m h dom mon dow year)",
            "examples": ["rate(4 hours)", "cron(0 3 * * *)"],
        }
    ),
]


class ScheduleTrigger(FaasModel):
    """Run the function on a schedule."""

    schedule: ScheduleExpression = Field(
        description="When to run: rate(N minutes|hours|days), standard 5-field cron(m h dom mon dow), "
        "or the AWS 6-field cron(m h dom mon dow year). Stored in one canonical form."
    )


class StorageEvent(FaasModel):
    """Which objects, in which bucket, fire the function."""

    bucket: str = Field(description="Name of the bucket (or container) whose objects fire the function.")
    events: list[Literal["created", "deleted"]] = Field(
        default=["created"], min_length=1, description="Object events that fire the function."
    )
    prefix: str = Field(default="", description="Only keys starting with this prefix.")
    suffix: str = Field(default="", description="Only keys ending with this suffix, e.g. .jpg.")


class StorageTrigger(FaasModel):
    """Run the function when objects in a bucket are created or deleted."""

    storage: StorageEvent = Field(description="The bucket and object events.")


class QueueSource(FaasModel):
    """A message queue feeding the function."""

    name: str = Field(description="Name of the queue.")
    batch_size: int = Field(default=10, ge=1, le=10000, description="Messages handed over per invocation.")


def _queue_from_name(value: object) -> object:
    return {"name": value} if isinstance(value, str) else value


class QueueTrigger(FaasModel):
    """Run the function for messages arriving on a queue."""

    queue: Annotated[QueueSource, BeforeValidator(_queue_from_name)] = Field(
        description="The queue: its name as a string, or a table with name and batch_size."
    )


TRIGGER_KINDS = ("schedule", "storage", "queue")


def _trigger_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kinds = [kind for kind in TRIGGER_KINDS if kind in value]
        return kinds[0] if len(kinds) == 1 else None
    for kind, model in (
        ("schedule", ScheduleTrigger),
        ("storage", StorageTrigger),
        ("queue", QueueTrigger),
    ):
        if isinstance(value, model):
            return kind
    return None


Trigger = Annotated[
    Annotated[ScheduleTrigger, Tag("schedule")]
    | Annotated[StorageTrigger, Tag("storage")]
    | Annotated[QueueTrigger, Tag("queue")],
    Discriminator(
        _trigger_kind,
        custom_error_type="trigger_kind",
        custom_error_message="a trigger is a table with exactly one of the keys: schedule, storage, queue",
    ),
]
