"""Storage triggers on GCP: each is the function's Eventarc event trigger, fired by real uploads and deletes."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
import requests
from google.cloud import storage

from faas import DeployError
from faas.core import workflow
from faas.core.reporting import NullReporter
from tests.fakes.gcp.fake import GcpFake

from .conftest import deploy

HANDLERS = """
def thumbs(event, context):
    data = event["data"]
    print("thumbs saw", event["type"], data["bucket"], data["name"], event["subject"], flush=True)
    return {"seen": data["name"]}


def cleanup(event, context):
    data = (event or {}).get("data") or {}
    print("cleanup saw", event.get("type"), data.get("name"), flush=True)
    return {}
"""
FINALIZED = "google.cloud.storage.object.v1.finalized"
DELETED = "google.cloud.storage.object.v1.deleted"
RECEIVER = "roles/eventarc.eventReceiver"
PATCH = "cloudfunctions.projects.locations.functions.patch"


def project_with(flask_project: Any, *, thumbs: str = '["created"]', extra: str = "") -> Any:
    (flask_project.root / "handlers.py").write_text(HANDLERS)
    return flask_project(
        "[storage.uploads]\n"
        + extra
        + '[[functions]]\nname = "thumbs"\nentry = "handlers:thumbs"\n'
        + f'triggers = [{{ storage = {{ bucket = "uploads", events = {thumbs} }} }}]\n'
        + '[[functions]]\nname = "cleanup"\nentry = "handlers:cleanup"\n'
        + 'triggers = [{ storage = { bucket = "uploads", events = ["deleted"] } }, { schedule = "rate(1 day)" }]\n'
    )


def storage_client(fake: GcpFake) -> storage.Client:
    return storage.Client(
        project=fake.project, credentials=fake.credentials(), client_options=fake.client_options("storage")
    )


def uploads_bucket(provider: Any) -> str:
    from faas.providers.gcp.storage import buckets

    (role,) = buckets(provider.deployment)
    return str(role.bucket)


def stored(gcp_env: GcpFake, provider: Any, key: str) -> dict[str, Any]:
    return gcp_env.functions.functions[provider.deployment.function_name(key)]


def receivers(gcp_env: GcpFake) -> set[str]:
    return {
        member
        for binding in gcp_env.iam.project_policy.get("bindings", [])
        if binding.get("role") == RECEIVER
        for member in binding.get("members", [])
    }


def wait_for_line(provider: Any, expected: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(expected in record.message for record in provider.logs()):
            return
        time.sleep(0.2)
    raise AssertionError(f"no log line {expected!r}: {[r.message for r in provider.logs()]}")


def test_uploading_and_deleting_an_object_runs_the_triggered_functions(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, outcome = deploy(project_with(flask_project))
    bucket = uploads_bucket(provider)
    runtime = provider.deployment.runtime_email
    trigger = stored(gcp_env, provider, "thumbs")["eventTrigger"]
    assert trigger["eventType"] == FINALIZED
    assert trigger["eventFilters"] == [{"attribute": "bucket", "value": bucket}]
    assert trigger["serviceAccountEmail"] == runtime
    assert trigger["retryPolicy"] == "RETRY_POLICY_DO_NOT_RETRY"
    assert stored(gcp_env, provider, "cleanup")["eventTrigger"]["eventType"] == DELETED
    assert receivers(gcp_env) == {f"serviceAccount:{runtime}"}
    assert any("roles/resourcemanager.projectIamAdmin" in note for note in outcome.plan.notes)
    listed = {(r.kind, r.detail) for r in provider.status().resources}
    thumbs = provider.deployment.names.function("thumbs")
    assert ("event trigger", f"{FINALIZED} bucket={bucket} -> {thumbs}") in listed

    blob = storage_client(gcp_env).bucket(bucket).blob("photos/cat.jpg")
    blob.upload_from_string(b"meow", content_type="image/jpeg")
    (delivery,) = gcp_env.eventarc.wait_for_deliveries(1)
    assert (delivery.function, delivery.status) == (provider.deployment.function_name("thumbs"), 200), delivery
    assert delivery.headers["ce-source"] == f"//storage.googleapis.com/projects/_/buckets/{bucket}"
    wait_for_line(provider, f"thumbs saw {FINALIZED} {bucket} photos/cat.jpg objects/photos/cat.jpg")

    blob.delete()
    deliveries = gcp_env.eventarc.wait_for_deliveries(2)
    assert [(d.function, d.event_type, d.status) for d in deliveries[1:]] == [
        (provider.deployment.function_name("cleanup"), DELETED, 200)
    ]
    wait_for_line(provider, f"cleanup saw {DELETED} photos/cat.jpg")
    # The function stays private: the same event without Eventarc's token is turned away.
    headers = {k: v for k, v in delivery.headers.items() if k != "authorization"}
    assert requests.post(delivery.uri, data=delivery.body, headers=headers, timeout=60).status_code == 403


def test_objects_outside_the_triggers_prefix_and_suffix_are_acknowledged_and_skipped(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    (flask_project.root / "handlers.py").write_text(HANDLERS)
    storage_trigger = '{ storage = { bucket = "uploads", prefix = "photos/", suffix = ".jpg" } }'
    function = f'[[functions]]\nname = "thumbs"\nentry = "handlers:thumbs"\ntriggers = [{storage_trigger}]\n'
    project = flask_project("[storage.uploads]\n" + function)
    provider, _ = deploy(project)
    bucket = storage_client(gcp_env).bucket(uploads_bucket(provider))
    bucket.blob("docs/readme.jpg").upload_from_string(b"no", content_type="image/jpeg")
    bucket.blob("photos/notes.txt").upload_from_string(b"no", content_type="text/plain")
    bucket.blob("photos/cat.jpg").upload_from_string(b"meow", content_type="image/jpeg")
    deliveries = gcp_env.eventarc.wait_for_deliveries(3)
    assert [d.status for d in deliveries] == [200, 200, 200]  # acknowledged, so Eventarc does not redeliver
    wait_for_line(provider, "thumbs saw")
    seen = [r.message for r in provider.logs() if "thumbs saw" in r.message]
    assert len(seen) == 1 and "photos/cat.jpg" in seen[0], seen


def test_a_no_op_redeploy_writes_nothing(flask_project: Any, gcp_env: GcpFake) -> None:
    project = project_with(flask_project)
    deploy(project)
    before = len(gcp_env.writes())
    _, outcome = deploy(project)
    assert outcome.plan.is_empty, outcome.plan.render()
    assert gcp_env.writes()[before:] == []


def test_a_changed_event_list_is_a_patch_with_the_event_trigger_in_the_mask(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    provider, _ = deploy(project_with(flask_project))
    bucket = uploads_bucket(provider)
    before = len(gcp_env.requests)
    provider, outcome = deploy(project_with(flask_project, thumbs='["deleted"]'))
    (change,) = [a for a in outcome.plan.actions if a.name == provider.deployment.names.function("thumbs")]
    assert change.change.value == "update"
    assert ("event trigger", f"{FINALIZED} bucket={bucket}", f"{DELETED} bucket={bucket}") in change.details
    patches = [r for r in gcp_env.requests[before:] if r.method_id == PATCH and "thumbs" in r.path]
    assert len(patches) == 1 and "eventTrigger" in patches[0].json_query()["updateMask"].split(",")
    assert not any(r.method_id and r.method_id.endswith("functions.create") for r in gcp_env.requests[before:])
    assert stored(gcp_env, provider, "thumbs")["eventTrigger"]["eventType"] == DELETED


def test_removing_every_event_trigger_clears_it_and_revokes_the_receiver_role(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    provider, _ = deploy(project_with(flask_project))
    assert receivers(gcp_env)
    (flask_project.root / "handlers.py").write_text(HANDLERS)
    plain = flask_project(
        '[[functions]]\nname = "thumbs"\nentry = "handlers:thumbs"\ntriggers = []\n'
        '[[functions]]\nname = "cleanup"\nentry = "handlers:cleanup"\ntriggers = [{ schedule = "rate(1 day)" }]\n'
    )
    provider, outcome = deploy(plain)
    revoked = [a for a in outcome.plan.actions if a.resource == "project role binding"]
    assert [a.change.value for a in revoked] == ["delete"]
    assert "eventTrigger" not in stored(gcp_env, provider, "thumbs")
    assert "eventTrigger" not in stored(gcp_env, provider, "cleanup")
    assert receivers(gcp_env) == set()


def test_a_concurrent_project_policy_change_is_merged_again_not_overwritten(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    gcp_env.faults.fail("ABORTED", "concurrent policy changes", api="cloudresourcemanager", method="setIamPolicy")
    owners = {m for b in gcp_env.iam.project_policy["bindings"] if b["role"] == "roles/owner" for m in b["members"]}
    provider, _ = deploy(project_with(flask_project))
    sets = [r for r in gcp_env.requests if r.method_id == "cloudresourcemanager.projects.setIamPolicy"]
    assert [r.status for r in sets] == [409, 200]
    assert receivers(gcp_env) == {f"serviceAccount:{provider.deployment.runtime_email}"}
    kept = {m for b in gcp_env.iam.project_policy["bindings"] if b["role"] == "roles/owner" for m in b["members"]}
    assert kept == owners and owners


def test_a_project_without_event_triggers_never_reads_the_project_policy(flask_project: Any, gcp_env: GcpFake) -> None:
    (flask_project.root / "handlers.py").write_text(HANDLERS)
    project = flask_project(
        '[[functions]]\nname = "cleanup"\nentry = "handlers:cleanup"\ntriggers = [{ schedule = "rate(1 day)" }]\n'
    )
    provider, outcome = deploy(project)
    workflow.undeploy(provider)
    assert not [r for r in gcp_env.requests if r.api == "cloudresourcemanager"]
    assert not any("projectIamAdmin" in note for note in outcome.plan.notes)


@pytest.mark.parametrize(
    "thumbs",
    ['["created", "deleted"]', '["created"] } }, { storage = { bucket = "uploads", events = ["deleted"]'],
    ids=["two-events", "two-storage-triggers"],
)
def test_two_event_triggers_on_one_function_are_refused_before_any_write(
    flask_project: Any, gcp_env: GcpFake, thumbs: str
) -> None:
    provider = workflow.open_provider(project_with(flask_project, thumbs=thumbs), "gcp", reporter=NullReporter())
    with pytest.raises(DeployError, match=r"function 'thumbs' has 2 event triggers .* one event trigger"):
        workflow.deploy(provider)
    assert gcp_env.writes() == []


def test_a_trigger_on_a_bucket_that_does_not_exist_is_refused_before_any_write(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    (flask_project.root / "handlers.py").write_text(HANDLERS)
    project = flask_project(
        '[[functions]]\nname = "thumbs"\nentry = "handlers:thumbs"\n'
        'triggers = [{ storage = { bucket = "someone-elses-bucket" } }]\n'
    )
    provider = workflow.open_provider(project, "gcp", reporter=NullReporter())
    with pytest.raises(DeployError, match=r"storage trigger bucket 'someone-elses-bucket' .* does not exist"):
        workflow.deploy(provider)
    assert gcp_env.writes() == []


def test_a_trigger_on_an_existing_bucket_uses_it_as_named(flask_project: Any, gcp_env: GcpFake) -> None:
    storage_client(gcp_env).create_bucket("their-inbox", location=gcp_env.region)
    (flask_project.root / "handlers.py").write_text(HANDLERS)
    project = flask_project(
        '[[functions]]\nname = "thumbs"\nentry = "handlers:thumbs"\n'
        'triggers = [{ storage = { bucket = "their-inbox" } }]\n'
    )
    provider, _ = deploy(project)
    trigger = stored(gcp_env, provider, "thumbs")["eventTrigger"]
    assert trigger["eventFilters"] == [{"attribute": "bucket", "value": "their-inbox"}]
    storage_client(gcp_env).bucket("their-inbox").blob("a.txt").upload_from_string(b"a")
    (delivery,) = gcp_env.eventarc.wait_for_deliveries(1)
    assert delivery.status == 200, delivery


def test_undeploy_removes_the_functions_and_the_receiver_grant(flask_project: Any, gcp_env: GcpFake) -> None:
    provider, _ = deploy(project_with(flask_project))
    runtime = provider.deployment.runtime_email
    assert receivers(gcp_env) == {f"serviceAccount:{runtime}"}
    workflow.undeploy(provider)
    assert gcp_env.functions.functions == {}
    assert list(storage_client(gcp_env).list_buckets()) == []
    assert runtime not in gcp_env.iam.accounts
    # Revoked before the account went: no `deleted:serviceAccount:...` binding is left behind.
    assert receivers(gcp_env) == set()


# -- queue and topic triggers: Pub/Sub ------------------------------------------------------------------

PUBSUB = "google.cloud.pubsub.topic.v1.messagePublished"
LISTENERS = """
import base64


def on_alert(event, context):
    message = event["data"]["message"]
    text = base64.b64decode(message["data"]).decode()
    print("alert", event["type"], text, message["attributes"].get("level"), event["data"]["subscription"], flush=True)
    return {}


def on_job(event, context):
    print("job", base64.b64decode(event["data"]["message"]["data"]).decode(), flush=True)
    return {}
"""


def pubsub_client(fake: GcpFake) -> Any:
    """googleapiclient's discovery client for Pub/Sub v1, with the fake's credentials (as test_iam.py builds it)."""
    from tests.fakes.gcp.test_iam import service

    return service(fake, "pubsub", "v1")


def topic_project(flask_project: Any) -> Any:
    (flask_project.root / "listeners.py").write_text(LISTENERS)
    return flask_project(
        '[[functions]]\nname = "alerts"\nentry = "listeners:on_alert"\ntriggers = [{ topic = "alerts" }]\n'
        '[[functions]]\nname = "jobs"\nentry = "listeners:on_job"\ntriggers = [{ queue = "jobs" }]\n'
    )


def test_a_message_published_to_the_topic_runs_the_triggered_function(flask_project: Any, gcp_env: GcpFake) -> None:
    pubsub = pubsub_client(gcp_env)
    for name in ("alerts", "jobs"):
        topic_name = f"projects/{gcp_env.project}/topics/{name}"
        pubsub.projects().topics().create(name=topic_name, body={"name": topic_name}).execute()
    provider, _ = deploy(topic_project(flask_project))
    runtime = provider.deployment.runtime_email
    trigger = stored(gcp_env, provider, "alerts")["eventTrigger"]
    assert (trigger["eventType"], trigger["pubsubTopic"]) == (PUBSUB, f"projects/{gcp_env.project}/topics/alerts")
    assert trigger["serviceAccountEmail"] == runtime and trigger["retryPolicy"] == "RETRY_POLICY_DO_NOT_RETRY"
    assert stored(gcp_env, provider, "jobs")["eventTrigger"]["pubsubTopic"].endswith("/topics/jobs")
    assert receivers(gcp_env) == {f"serviceAccount:{runtime}"}

    data = base64.b64encode(b"disk full").decode()
    message = {"data": data, "attributes": {"level": "high"}}
    topic = f"projects/{gcp_env.project}/topics/alerts"
    answer = pubsub.projects().topics().publish(topic=topic, body={"messages": [message]}).execute()
    (delivery,) = gcp_env.eventarc.wait_for_deliveries(1)
    assert (delivery.function, delivery.status) == (provider.deployment.function_name("alerts"), 200), delivery
    assert delivery.headers["ce-id"] == answer["messageIds"][0]
    assert delivery.headers["ce-source"] == f"//pubsub.googleapis.com/{topic}"
    wait_for_line(provider, f"alert {PUBSUB} disk full high projects/{gcp_env.project}/subscriptions/")

    before = len(gcp_env.writes())
    _, again = deploy(topic_project(flask_project))
    assert again.plan.is_empty, again.plan.render()
    assert gcp_env.writes()[before:] == []

    workflow.undeploy(provider)
    assert gcp_env.functions.functions == {}
    assert receivers(gcp_env) == set()
    # The topics are the user's, as an SQS queue is on AWS: undeploy leaves them.
    assert sorted(gcp_env.pubsub.topics) == [f"projects/{gcp_env.project}/topics/{n}" for n in ("alerts", "jobs")]


def test_a_trigger_on_a_topic_that_does_not_exist_is_refused_before_any_write(
    flask_project: Any, gcp_env: GcpFake
) -> None:
    provider = workflow.open_provider(topic_project(flask_project), "gcp", reporter=NullReporter())
    with pytest.raises(DeployError, match=r"Pub/Sub topic 'alerts' of function 'alerts' does not exist"):
        workflow.deploy(provider)
    assert gcp_env.writes() == []
