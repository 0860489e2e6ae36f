"""Event triggers of plain functions on Cloud Functions (2nd gen): storage, queue and topic triggers.

A `storage` trigger becomes the function's `event_trigger`: Cloud Functions creates (and deletes
with the function) the Eventarc trigger behind it. `created` is `google.cloud.storage.object.v1.finalized`,
`deleted` is `google.cloud.storage.object.v1.deleted`, filtered on the bucket: the bucket of the
storage role the trigger names (`bucket = "uploads"` with a `[storage.uploads]`), else the bucket as
written, which must exist (as on AWS, faas never creates a bucket it does not own). Eventarc calls
the function with an ID token of the runtime identity (so that identity gets run.invoker on the
function's service, with the schedules' bindings) and does not retry a failed delivery.

A `queue` or `topic` trigger is a Pub/Sub trigger: `google.cloud.pubsub.topic.v1.messagePublished`
on `projects/<project>/topics/<name>`. GCP has no pull queue for functions, so a queue is a topic
too (`batch_size` does not apply: one message per call). As on AWS, where faas creates no queue,
the topic is the user's: it must exist (refused at plan otherwise) and undeploy leaves it; the push
subscription behind the trigger is Eventarc's, deleted with the function.

Cloud Functions takes one event trigger, with one event type, per function: a function asking for
more (two storage triggers, or `events = ["created", "deleted"]`) is refused at plan, before any
write. Eventarc filters Cloud Storage events by bucket only: the adapter skips the objects outside a
trigger's `prefix`/`suffix`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from faas import DeployError, QueueTrigger, StorageTrigger, TopicTrigger
from faas.providers.gcp.context import Deployment

if TYPE_CHECKING:
    from google.cloud import functions_v2

    from faas import Detail
    from faas.providers.gcp.functions import Wanted

STORAGE_EVENTS = {
    "created": "google.cloud.storage.object.v1.finalized",
    "deleted": "google.cloud.storage.object.v1.deleted",
}
PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"
RESOURCE = "event trigger"
MASK = "event_trigger"
DO_NOT_RETRY = "RETRY_POLICY_DO_NOT_RETRY"


@dataclass(frozen=True)
class WantedTrigger:
    """One function's event trigger, as Cloud Functions is told it."""

    event_type: str
    filters: tuple[tuple[str, str], ...]
    """(attribute, value) pairs, sorted; matched for equality."""
    service_account: str
    retry_policy: str = DO_NOT_RETRY
    pubsub_topic: str = ""
    """`projects/<p>/topics/<name>` of a Pub/Sub trigger, else empty."""

    def describe(self) -> str:
        filters = " ".join(f"{attribute}={value}" for attribute, value in self.filters)
        return " ".join(part for part in (self.event_type, filters, self.pubsub_topic) if part)

    def message(self) -> functions_v2.EventTrigger:
        from google.cloud import functions_v2

        return functions_v2.EventTrigger(
            event_type=self.event_type,
            event_filters=[functions_v2.EventFilter(attribute=a, value=v) for a, v in self.filters],
            service_account_email=self.service_account,
            retry_policy=getattr(functions_v2.EventTrigger.RetryPolicy, self.retry_policy),
            pubsub_topic=self.pubsub_topic,
        )


def trigger_bucket(deployment: Deployment, bucket: str) -> str:
    """The bucket a storage trigger names: its storage role's bucket when it names a role, else itself."""
    from faas.providers.gcp.storage import buckets

    roles = {role.role: role.bucket for role in buckets(deployment)}
    return roles.get(bucket, bucket)


def wanted_triggers(deployment: Deployment) -> dict[str, WantedTrigger]:
    """The event trigger of each function that has one, by function name; refuses what GCP cannot express."""
    found: dict[str, WantedTrigger] = {}
    for function in deployment.project.config.functions:
        storage = [t.storage for t in function.triggers if isinstance(t, StorageTrigger)]
        topics = [t.queue.name for t in function.triggers if isinstance(t, QueueTrigger)]
        topics += [t.topic.name for t in function.triggers if isinstance(t, TopicTrigger)]
        kinds = [STORAGE_EVENTS[event] for source in storage for event in source.events]
        kinds += [PUBSUB_EVENT] * len(topics)
        if len(kinds) > 1:
            raise DeployError(
                "plan",
                f"function '{function.name}' has {len(kinds)} event triggers ({', '.join(kinds)}); Cloud Functions "
                "allows one event trigger, with one event type, per function: split it into one function per event",
            )
        if topics:
            topic = f"projects/{deployment.gcp_project}/topics/{topics[0]}"
            found[function.name] = WantedTrigger(PUBSUB_EVENT, (), deployment.runtime_identity, pubsub_topic=topic)
        if not storage:
            continue
        # Eventarc filters by bucket only: the adapter checks prefix and suffix (bootstrap.py).
        (source,) = storage
        bucket = trigger_bucket(deployment, source.bucket)
        found[function.name] = WantedTrigger(kinds[0], (("bucket", bucket),), deployment.runtime_identity)
    return found


def check_sources(deployment: Deployment, wanted: dict[str, WantedTrigger]) -> None:
    """Every bucket a trigger names exists, or is one of the stage's storage roles (created before the functions)."""
    from faas.providers.gcp.storage import buckets

    ours = {role.bucket for role in buckets(deployment)}
    for function, trigger in sorted(wanted.items()):
        for attribute, value in trigger.filters:
            if attribute == "bucket" and value not in ours and deployment.storage.lookup_bucket(value) is None:
                raise DeployError(
                    "plan", f"storage trigger bucket '{value}' of function '{function}' does not exist in Cloud Storage"
                )
        if trigger.pubsub_topic and not deployment.topics.exists(trigger.pubsub_topic):
            raise DeployError(
                "plan",
                f"Pub/Sub topic '{trigger.pubsub_topic.rpartition('/')[2]}' of function '{function}' does not exist "
                f"(create it: gcloud pubsub topics create {trigger.pubsub_topic.rpartition('/')[2]})",
            )


def with_trigger(deployment: Deployment, want: Wanted, wanted: dict[str, WantedTrigger]) -> Wanted:
    """`want` carrying its function's event trigger (the app and functions without one carry none)."""
    trigger = wanted.get(want.key)
    return replace(want, event_trigger=trigger) if trigger is not None else want


def have_trigger(have: functions_v2.Function) -> WantedTrigger | None:
    """The deployed function's event trigger in the same terms, or None for an HTTP function."""
    from google.cloud import functions_v2

    # proto-plus: a message field never set reads as an empty message, not None.
    if not functions_v2.Function.pb(have).HasField("event_trigger"):
        return None
    trigger = have.event_trigger
    return WantedTrigger(
        event_type=trigger.event_type,
        filters=tuple(sorted((f.attribute, f.value) for f in trigger.event_filters)),
        service_account=trigger.service_account_email,
        retry_policy=functions_v2.EventTrigger.RetryPolicy(trigger.retry_policy).name,
        # Only a Pub/Sub trigger names its topic (others may show a transport topic Google owns).
        pubsub_topic=trigger.pubsub_topic if trigger.event_type == PUBSUB_EVENT else "",
    )


def trigger_diff(have: functions_v2.Function, want: Wanted) -> list[Detail]:
    """The function's event trigger as a plan detail when it differs from the wanted one."""
    current = have_trigger(have)
    wanted = want.event_trigger
    if current == wanted:
        return []
    return [("event trigger", current.describe() if current else "", wanted.describe() if wanted else "")]


def has_trigger(have: functions_v2.Function) -> bool:
    """Whether the deployed function has an event trigger (a patch must then mask it, to keep or clear it)."""
    return have_trigger(have) is not None
