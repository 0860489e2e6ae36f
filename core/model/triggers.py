"""Triggers of plain functions: a schedule, a storage event, a queue or a topic.

In TOML each trigger is a one-key table, the key naming its kind:
`{ schedule = "rate(4 hours)" }`, `{ storage = { bucket = "uploads", events = ["created"] } }`,
`{ queue = "thumbnails" }`, `{ topic = "alerts" }`.

Each kind is declared once, by a `TriggerModel` subclass decorated with `@trigger_kind`: the
model's union, the JSON schema, the configuration reference, error hints, the runtime manifest and
the providers' capability checks all read `TRIGGER_TYPES`, so a new kind is one class here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
)

from faas.core.model.base import FaasModel
from faas.core.model.schedule import Schedule, ScheduleError, parse_schedule


class TriggerModel(FaasModel):
    """Base of every trigger kind: a one-key table whose key is `kind`."""

    kind: ClassVar[str]
    """The TOML key, and `type` in faas_runtime.json."""
    capability: ClassVar[str]
    """The `Capability` value a provider declares to deploy this kind (e.g. "schedule")."""
    source_model: ClassVar[type[BaseModel] | None] = None
    """The model of the key's table, when it is one (documented and used for key hints)."""

    def manifest(self) -> dict[str, Any]:
        """The neutral per-trigger fields of faas_runtime.json (besides `type` and `name`)."""
        raise NotImplementedError


TRIGGER_TYPES: dict[str, type[TriggerModel]] = {}
"""Every trigger kind by its TOML key, in declaration order."""

_Kind = TypeVar("_Kind", bound=type[TriggerModel])


def trigger_kind(model: _Kind) -> _Kind:
    """Register a trigger kind (a class decorator)."""
    if model.kind in TRIGGER_TYPES:
        raise ValueError(f"trigger kind '{model.kind}' is declared twice")
    TRIGGER_TYPES[model.kind] = model
    return model


def _to_schedule(value: object) -> Schedule:
    if isinstance(value, Schedule):
        return value
    if not isinstance(value, str):
        raise ValueError("a schedule is a string: rate(N minutes|hours|days) or cron(...)")
    try:
        return parse_schedule(value)
    except ScheduleError as error:
        raise ValueError(str(error)) from None


def _from_name(value: object) -> object:
    return {"name": value} if isinstance(value, str) else value


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


@trigger_kind
class ScheduleTrigger(TriggerModel):
    """Run the function on a schedule (UTC)."""

    kind = "schedule"
    capability = "schedule"

    schedule: ScheduleExpression = Field(
        description="When to run, in UTC: rate(N minutes|hours|days), standard 5-field cron(m h dom mon dow), "
        "or the AWS 6-field cron(m h dom mon dow year). Stored in one canonical form; each provider writes its "
        "scheduler's own syntax and refuses what it cannot express exactly."
    )

    def manifest(self) -> dict[str, Any]:
        return {"expression": str(self.schedule)}


class StorageEvent(FaasModel):
    """Which objects, in which bucket, fire the function."""

    bucket: str = Field(description="Name of the bucket (or container) whose objects fire the function.")
    events: list[Literal["created", "deleted"]] = Field(
        default=["created"], min_length=1, description="Object events that fire the function."
    )
    prefix: str = Field(default="", description="Only keys starting with this prefix.")
    suffix: str = Field(default="", description="Only keys ending with this suffix, e.g. .jpg.")


@trigger_kind
class StorageTrigger(TriggerModel):
    """Run the function when objects in a bucket are created or deleted."""

    kind = "storage"
    capability = "storage trigger"
    source_model = StorageEvent

    storage: StorageEvent = Field(description="The bucket and object events.")

    def manifest(self) -> dict[str, Any]:
        return self.storage.model_dump(mode="json")


class QueueSource(FaasModel):
    """A message queue feeding the function."""

    name: str = Field(description="Name of the queue.")
    batch_size: int = Field(default=10, ge=1, le=10000, description="Messages handed over per invocation.")


@trigger_kind
class QueueTrigger(TriggerModel):
    """Run the function for messages arriving on a queue."""

    kind = "queue"
    capability = "queue trigger"
    source_model = QueueSource

    queue: Annotated[QueueSource, BeforeValidator(_from_name)] = Field(
        description="The queue: its name as a string, or a table with name and batch_size."
    )

    def manifest(self) -> dict[str, Any]:
        return {"queue": self.queue.name, "batch_size": self.queue.batch_size}


class TopicSource(FaasModel):
    """A publish/subscribe topic (SNS, Pub/Sub, Event Grid) whose messages fire the function."""

    name: str = Field(description="Name of the topic.")


@trigger_kind
class TopicTrigger(TriggerModel):
    """Run the function for each message published to a topic."""

    kind = "topic"
    capability = "topic trigger"
    source_model = TopicSource

    topic: Annotated[TopicSource, BeforeValidator(_from_name)] = Field(
        description="The topic: its name as a string, or a table with name. An SNS topic on AWS, a Pub/Sub "
        "topic on GCP, an Event Grid topic on Azure."
    )

    def manifest(self) -> dict[str, Any]:
        return {"topic": self.topic.name}


TRIGGER_KINDS: tuple[str, ...] = tuple(TRIGGER_TYPES)
"""The TOML keys of every trigger kind."""


def _trigger_kind_of(value: Any) -> str | None:
    if isinstance(value, dict):
        kinds = [kind for kind in TRIGGER_TYPES if kind in value]
        return kinds[0] if len(kinds) == 1 else None
    return value.kind if isinstance(value, TriggerModel) else None


def _trigger_union() -> Any:
    members = tuple(Annotated[model, Tag(kind)] for kind, model in TRIGGER_TYPES.items())
    return Annotated[
        Union[members],  # noqa: UP007  # built from the registry: a `|` chain cannot be
        Discriminator(
            _trigger_kind_of,
            custom_error_type="trigger_kind",
            custom_error_message="a trigger is a table with exactly one of the keys: " + ", ".join(TRIGGER_TYPES),
        ),
    ]


if TYPE_CHECKING:
    Trigger = TriggerModel
else:
    Trigger = _trigger_union()
