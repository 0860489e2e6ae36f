# mypy: disable-error-code="no-untyped-call,import-untyped"
"""Cloud Functions v2 on the fake, driven by the official client over REST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from google.api_core import exceptions
from google.cloud import functions_v2, run_v2
from google.protobuf import field_mask_pb2

from tests.fakes.gcp.clients import POLL, archive, create, functions_client, new_function, status_of, upload
from tests.fakes.gcp.fake import GcpFake

pytestmark = pytest.mark.slow


def test_create_runs_as_a_long_running_operation_and_fills_in_what_google_fills_in(gcp_fake: GcpFake) -> None:
    client = functions_client(gcp_fake)
    source = upload(gcp_fake, client)
    op = client.create_function(parent=gcp_fake.location(), function=new_function(source), function_id="hello-create")
    assert not op.done(retry=None)  # the first poll still says done: false
    name = f"{gcp_fake.location()}/functions/hello-create"
    assert client.get_function(name=name).state == functions_v2.Function.State.DEPLOYING

    function = op.result(polling=POLL)

    assert function.state == functions_v2.Function.State.ACTIVE
    assert function.environment == functions_v2.Environment.GEN_2
    service_name = f"{gcp_fake.location()}/services/hello-create"
    assert function.service_config.service == service_name
    assert function.service_config.uri.startswith("http://127.0.0.1:")  # the service's front door
    assert function.service_config.revision.startswith("hello-create-00001-")
    # Defaults the real API returns even when they were not sent.
    assert function.service_config.all_traffic_on_latest_revision is True
    assert function.service_config.max_instance_request_concurrency == 1
    # The source was copied out of the uploads bucket, with a generation.
    copied = function.build_config.source.storage_source
    assert copied.bucket == f"gcf-v2-sources-{gcp_fake.project_number}-{gcp_fake.region}"
    assert copied.object_ == "hello-create/function-source.zip" and copied.generation > 0
    assert op.metadata.verb == "create" and op.metadata.target == name
    assert {stage.name for stage in op.metadata.stages} >= {
        functions_v2.Stage.Name.BUILD,
        functions_v2.Stage.Name.SERVICE,
    }
    # The function's Cloud Run service exists and is what the Run client sees.
    runs = run_v2.ServicesClient(
        transport="rest", client_options=gcp_fake.client_options("run"), credentials=gcp_fake.credentials()
    )
    service = runs.get_service(name=service_name)
    assert service.uri == function.service_config.uri
    assert service.latest_ready_revision.endswith(function.service_config.revision)
    polls = [r for r in gcp_fake.requests if r.method_id == "cloudfunctions.projects.locations.operations.get"]
    assert len(polls) == 2  # one poll saw done: false, the next one done: true


def test_create_twice_is_already_exists_and_an_unknown_function_is_not_found(gcp_fake: GcpFake) -> None:
    create(gcp_fake, "hello-twice")
    client = functions_client(gcp_fake)
    with pytest.raises(exceptions.Conflict) as exc:
        client.create_function(
            parent=gcp_fake.location(), function=new_function(upload(gcp_fake, client)), function_id="hello-twice"
        )
    assert status_of(exc) == "ALREADY_EXISTS"
    with pytest.raises(exceptions.NotFound):
        client.get_function(name=f"{gcp_fake.location()}/functions/nothing-here")


def test_the_signed_upload_url_stores_the_zip_and_refuses_what_gcs_refuses(gcp_fake: GcpFake) -> None:
    client = functions_client(gcp_fake)
    answer = client.generate_upload_url(request={"parent": gcp_fake.location(), "environment": "GEN_2"})
    url = answer.upload_url
    assert url.startswith("http://127.0.0.1:") and "X-Goog-Signature=" in url
    zipped = archive()

    with_auth = requests.put(
        url, data=zipped, headers={"content-type": "application/zip", "authorization": "Bearer x"}, timeout=30
    )
    assert with_auth.status_code == 400 and "<Code>InvalidArgument</Code>" in with_auth.text
    other_type = requests.put(url, data=zipped, headers={"content-type": "application/octet-stream"}, timeout=30)
    assert other_type.status_code == 403 and "SignatureDoesNotMatch" in other_type.text
    tampered = requests.put(
        url.replace("X-Goog-Expires=1800", "X-Goog-Expires=9999"),
        data=zipped,
        headers={"content-type": "application/zip"},
        timeout=30,
    )
    assert tampered.status_code == 403
    garbled = requests.put(
        url.replace("X-Goog-Date=", "X-Goog-Date=x"),
        data=zipped,
        headers={"content-type": "application/zip"},
        timeout=30,
    )
    assert garbled.status_code == 400 and "AuthorizationQueryParametersError" in garbled.text
    bucket, obj = answer.storage_source.bucket, answer.storage_source.object_
    expired = gcp_fake.functions.uploads.sign(bucket, obj, issued=datetime.now(UTC) - timedelta(hours=1))
    late = requests.put(expired, data=zipped, headers={"content-type": "application/zip"}, timeout=30)
    assert late.status_code == 400 and "ExpiredToken" in late.text
    assert gcp_fake.emulator is not None and gcp_fake.emulator.get(bucket, obj) is None  # nothing stored yet

    ok = requests.put(url, data=zipped, headers={"content-type": "application/zip"}, timeout=30)
    assert ok.status_code == 200
    assert gcp_fake.emulator.get(bucket, obj) == zipped
    uploads = [r for r in gcp_fake.requests if r.api == "storage-upload" and r.status == 200]
    assert len(uploads) == 1 and "authorization" not in uploads[0].headers


def test_create_without_an_uploaded_archive_is_refused(gcp_fake: GcpFake) -> None:
    client = functions_client(gcp_fake)
    answer = client.generate_upload_url(request={"parent": gcp_fake.location()})
    with pytest.raises(exceptions.BadRequest, match="does not exist"):
        client.create_function(
            parent=gcp_fake.location(), function=new_function(answer.storage_source), function_id="no-upload"
        )


def test_patch_with_a_mask_changes_only_the_masked_fields(gcp_fake: GcpFake) -> None:
    before = create(gcp_fake, "hello-mask", available_memory="512Mi", environment_variables={"A": "1"})
    client = functions_client(gcp_fake)
    change = functions_v2.Function(
        name=before.name,
        service_config=functions_v2.ServiceConfig(available_memory="1Gi", timeout_seconds=120),
        labels={"ignored": "because not masked"},
    )
    mask = field_mask_pb2.FieldMask(
        paths=["service_config.available_memory", "service_config.all_traffic_on_latest_revision"]
    )
    after = client.update_function(function=change, update_mask=mask).result(polling=POLL)

    assert after.service_config.available_memory == "1Gi"
    assert after.service_config.timeout_seconds == 60  # not in the mask: unchanged
    assert dict(after.labels) == {"faas-project": "demo"}
    assert dict(after.service_config.environment_variables) == {"A": "1"}
    # A masked path the body leaves out is cleared: the only way to send `false`.
    assert after.service_config.all_traffic_on_latest_revision is False
    assert after.service_config.revision.startswith("hello-mask-00002-")
    patch = next(r for r in gcp_fake.requests if r.method_id == "cloudfunctions.projects.locations.functions.patch")
    assert patch.json_query()["updateMask"] == "serviceConfig.availableMemory,serviceConfig.allTrafficOnLatestRevision"


def test_patch_without_a_mask_replaces_every_field(gcp_fake: GcpFake) -> None:
    before = create(gcp_fake, "hello-nomask", environment_variables={"A": "1"}, timeout_seconds=300)
    client = functions_client(gcp_fake)
    change = functions_v2.Function(name=before.name, build_config=before.build_config)
    after = client.update_function(function=change).result(polling=POLL)

    assert dict(after.service_config.environment_variables) == {}
    assert dict(after.labels) == {}
    assert after.service_config.timeout_seconds == 60  # back to the default
    assert after.service_config.service == before.service_config.service  # output-only fields stay


def test_a_mask_naming_no_field_is_refused(gcp_fake: GcpFake) -> None:
    before = create(gcp_fake, "hello-badmask")
    client = functions_client(gcp_fake)
    with pytest.raises(exceptions.BadRequest, match="Invalid field mask path"):
        client.update_function(
            function=functions_v2.Function(name=before.name),
            update_mask=field_mask_pb2.FieldMask(paths=["service_config.no_such_field"]),
        )


def test_a_second_change_while_an_operation_runs_is_aborted(gcp_fake: GcpFake) -> None:
    before = create(gcp_fake, "hello-busy")
    client = functions_client(gcp_fake)
    mask = field_mask_pb2.FieldMask(paths=["service_config.available_memory"])
    op = client.update_function(
        function=functions_v2.Function(name=before.name, service_config={"available_memory": "1Gi"}), update_mask=mask
    )
    with pytest.raises(exceptions.Conflict, match="already in progress") as exc:
        client.update_function(
            function=functions_v2.Function(name=before.name, service_config={"available_memory": "2Gi"}),
            update_mask=mask,
        )
    assert status_of(exc) == "ABORTED"
    assert op.result(polling=POLL).service_config.available_memory == "1Gi"


def test_delete_removes_the_function_and_its_service(gcp_fake: GcpFake) -> None:
    before = create(gcp_fake, "hello-delete")
    client = functions_client(gcp_fake)
    client.delete_function(name=before.name).result(polling=POLL)
    with pytest.raises(exceptions.NotFound):
        client.get_function(name=before.name)
    runs = run_v2.ServicesClient(
        transport="rest", client_options=gcp_fake.client_options("run"), credentials=gcp_fake.credentials()
    )
    with pytest.raises(exceptions.NotFound):
        runs.get_service(name=before.service_config.service)


@pytest.mark.parametrize(
    ("service", "message"),
    [
        ({"available_memory": "lots"}, "Supported units"),
        ({"available_memory": "64Mi"}, "outside 128Mi"),
        ({"max_instance_request_concurrency": 8}, "concurrency > 1"),
        ({"timeout_seconds": 4000}, "at most 3600"),
        ({"available_memory": "1Gi", "max_instance_request_concurrency": 4}, "concurrency > 1"),
        ({"environment_variables": {"PORT": "9000"}}, "reserved or invalid"),
        ({"environment_variables": {"X_GOOGLE_THING": "1"}}, "reserved or invalid"),
        ({"service_account_email": "not-an-account"}, "Invalid service account"),
    ],
)
def test_values_the_api_refuses(gcp_fake: GcpFake, service: dict[str, object], message: str) -> None:
    client = functions_client(gcp_fake)
    source = upload(gcp_fake, client)
    with pytest.raises(exceptions.BadRequest, match=message) as exc:
        client.create_function(
            parent=gcp_fake.location(), function=new_function(source, **service), function_id="hello-values"
        )
    assert status_of(exc) == "INVALID_ARGUMENT"


def test_the_default_cpu_follows_the_memory(gcp_fake: GcpFake) -> None:
    small = create(gcp_fake, "cpu-small")
    large = create(gcp_fake, "cpu-large", available_memory="2Gi", max_instance_request_concurrency=4)
    assert small.service_config.available_cpu == "0.1666"
    assert large.service_config.available_cpu == "1"  # so concurrency above 1 is allowed


def test_concurrency_is_allowed_with_a_whole_cpu(gcp_fake: GcpFake) -> None:
    function = create(
        gcp_fake, "hello-concurrent", max_instance_request_concurrency=8, available_cpu="1", available_memory="1Gi"
    )
    assert function.service_config.max_instance_request_concurrency == 8


def test_function_ids_and_runtimes_are_checked(gcp_fake: GcpFake) -> None:
    client = functions_client(gcp_fake)
    source = upload(gcp_fake, client)
    with pytest.raises(exceptions.BadRequest, match="function_id"):
        client.create_function(parent=gcp_fake.location(), function=new_function(source), function_id="Bad_Name")
    bad_runtime = new_function(source)
    bad_runtime.build_config.runtime = "python27"
    with pytest.raises(exceptions.BadRequest, match="not supported"):
        client.create_function(parent=gcp_fake.location(), function=bad_runtime, function_id="hello-runtime")


def test_event_triggers_get_the_eventarc_trigger_google_creates(gcp_fake: GcpFake) -> None:
    client = functions_client(gcp_fake)
    function = new_function(upload(gcp_fake, client))
    function.event_trigger = functions_v2.EventTrigger(
        event_type="google.cloud.storage.object.v1.finalized",
        event_filters=[functions_v2.EventFilter(attribute="bucket", value="faas-uploads")],
        retry_policy=functions_v2.EventTrigger.RetryPolicy.RETRY_POLICY_RETRY,
    )
    made = client.create_function(parent=gcp_fake.location(), function=function, function_id="on-upload").result(
        polling=POLL
    )
    trigger = made.event_trigger
    assert trigger.trigger.startswith(f"projects/{gcp_fake.project}/locations/{gcp_fake.region}/triggers/on-upload-")
    assert trigger.trigger_region == gcp_fake.region
    assert trigger.retry_policy == functions_v2.EventTrigger.RetryPolicy.RETRY_POLICY_RETRY
    no_bucket = new_function(upload(gcp_fake, client))
    no_bucket.event_trigger = functions_v2.EventTrigger(event_type="google.cloud.storage.object.v1.finalized")
    with pytest.raises(exceptions.BadRequest, match="attribute 'bucket'"):
        client.create_function(parent=gcp_fake.location(), function=no_bucket, function_id="on-nothing")
    topic = new_function(upload(gcp_fake, client))
    topic.event_trigger = functions_v2.EventTrigger(event_type="google.cloud.pubsub.topic.v1.messagePublished")
    queued = client.create_function(parent=gcp_fake.location(), function=topic, function_id="on-message").result(
        polling=POLL
    )
    assert queued.event_trigger.pubsub_topic.startswith(f"projects/{gcp_fake.project}/topics/")
    assert queued.event_trigger.retry_policy == functions_v2.EventTrigger.RetryPolicy.RETRY_POLICY_DO_NOT_RETRY


def test_list_pages_and_filters_by_label(gcp_fake: GcpFake) -> None:
    for n in range(3):
        create(gcp_fake, f"listed-{n}")
    client = functions_client(gcp_fake)
    names = [
        f.name.rsplit("/", 1)[1] for f in client.list_functions(request={"parent": gcp_fake.location(), "page_size": 2})
    ]
    assert names == ["listed-0", "listed-1", "listed-2"]
    pages = [r for r in gcp_fake.requests if r.method_id == "cloudfunctions.projects.locations.functions.list"]
    assert len(pages) == 2  # two pages of at most two
    labelled = client.list_functions(request={"parent": gcp_fake.location(), "filter": "labels.faas-project=demo"})
    assert len(list(labelled)) == 3
    none = client.list_functions(request={"parent": gcp_fake.location(), "filter": "labels.faas-project=other"})
    assert list(none) == []
    with pytest.raises(exceptions.BadRequest, match="only labels"):
        list(client.list_functions(request={"parent": gcp_fake.location(), "filter": 'state="ACTIVE"'}))
